import type { Hyperparameters, Preset } from './tuning-job';

/**
 * Pure: how long a job's training will take, before it starts: its steps (from the training windows the dataset
 * gives with the base model's tokenizer, the batch size and the epochs, as the trainer counts them) × seconds per
 * step on this machine. Seconds per sample come from the last finished job of the preset on this machine
 * (`TuningSpeeds`), else from the reference figures below. Preparation, export and evaluation come on top.
 */

/** The trainer's defaults per preset (trainer/src/aetnet_trainer/config.py). */
export const PRESET_TRAINING: Record<Preset, { batchSize: number; epochs: number }> = {
  tiny: { batchSize: 4, epochs: 30 },
  small: { batchSize: 8, epochs: 30 },
  base: { batchSize: 8, epochs: 30 },
  mpnet6: { batchSize: 4, epochs: 20 },
  mpnet12: { batchSize: 4, epochs: 20 },
};

/**
 * Seconds per training sample on the 2-core reference machine with the alignment losses on. mpnet6: 1.5 samples/s
 * on FUNSD (models/funsd-extract-mpnet/MODEL_CARD.md); mpnet12 and base: 3.6 s per sample measured for a plain
 * 12-layer LayoutLMv3 step at 224 px, plus the alignment encoders; tiny and small are rough figures, replaced by
 * this machine's own after its first job of the preset.
 */
export const REFERENCE_SECONDS_PER_SAMPLE: Record<Preset, number> = {
  tiny: 0.05,
  small: 1.0,
  base: 4.5,
  mpnet6: 0.67,
  mpnet12: 4.5,
};

export interface DurationEstimate {
  trainWindows: number;
  batchSize: number;
  epochs: number;
  steps: number;
  secondsPerStep: number;
  /** Training only. */
  seconds: number;
  /** Where seconds per step come from: a finished job on this machine, or the reference figure. */
  basis: string;
}

/** A finished job's measured speed, kept per preset (the latest wins). */
export interface MeasuredSpeed {
  secondsPerSample: number;
  jobId: string;
  measuredAt: string;
}

export function estimateDuration(trainWindows: number, preset: Preset, hyperparameters: Hyperparameters, measured?: MeasuredSpeed): DurationEstimate {
  const batchSize = hyperparameters.batchSize ?? PRESET_TRAINING[preset].batchSize;
  const epochs = hyperparameters.epochs ?? PRESET_TRAINING[preset].epochs;
  // The trainer runs whole batches only (trainer/src/aetnet_trainer/train.py, joint_batches).
  const perEpoch = Math.floor(trainWindows / batchSize);
  const steps = Math.min(hyperparameters.maxSteps ?? Number.POSITIVE_INFINITY, perEpoch * epochs);
  const secondsPerSample = measured?.secondsPerSample ?? REFERENCE_SECONDS_PER_SAMPLE[preset];
  const secondsPerStep = Math.round(secondsPerSample * batchSize * 100) / 100;
  return {
    trainWindows,
    batchSize,
    epochs,
    steps,
    secondsPerStep,
    seconds: Math.round(steps * secondsPerSample * batchSize),
    basis: measured ? `measured on this machine by job ${measured.jobId} (${measured.measuredAt})` : `reference figure for preset ${preset} (2 cores)`,
  };
}

/** "1 h 05 min", "12 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
