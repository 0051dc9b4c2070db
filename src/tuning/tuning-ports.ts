import type { ModelTask } from '../registry/bundle-manifest';
import type { RegisteredModel } from '../registry/bundle-loader';
import type { HeldOutSplit } from './service-evaluation';
import type { PreparationOptions } from './trainer-args';

/**
 * What tuning needs of the datasets and registry modules, as small interfaces: the job logic depends on these,
 * tuning.module.ts binds them to DatasetsService and RegistryService, and specs can pass fakes.
 */

export const TUNING_DATASETS = Symbol('TUNING_DATASETS');
export const TUNING_REGISTRY = Symbol('TUNING_REGISTRY');
export const TUNING_RUNNERS = Symbol('TUNING_RUNNERS');

export interface TuningDatasetRecord {
  id: string;
  task: string;
  /** Held-out fraction fixed at upload, or 'funsd' for the zip's own training/testing split. */
  evalSplit: number | string;
}

export interface TuningDatasets {
  /** The dataset's record; throws DATASET_NOT_FOUND for an unknown id. */
  get(id: string): Promise<TuningDatasetRecord | undefined> | TuningDatasetRecord | undefined;
  /** The training windows `prepareFor` would write (for the duration estimate). */
  countTrainingWindows(id: string, tokenizerPath: string, options: PreparationOptions): Promise<number>;
  /** Writes a prepared dataset (docs/prepared-dataset.md) tokenized with `tokenizerPath` into `outDir`. */
  prepareFor(id: string, tokenizerPath: string, options: PreparationOptions, outDir: string): Promise<unknown>;
  /** The documents held out at upload, with the dataset's labels: what a job's evaluation scores. */
  heldOut(id: string): Promise<HeldOutSplit>;
  /** While a job holds the dataset, deleting it answers DATASET_IN_USE. */
  markInUse(id: string): void;
  markFree(id: string): void;
}

/** A registry bundle a job starts from and is compared with. */
export type TuningBaseBundle = RegisteredModel;

export interface TuningRegistry {
  /** The bundle, or MODEL_NOT_FOUND when absent or built for another task. */
  resolve(task: ModelTask, id?: string): TuningBaseBundle;
  /** Validates the finished bundle directory, moves it into the registry atomically and loads it (not active). */
  publish(bundleDirTmp: string): Promise<{ id: string }>;
}
