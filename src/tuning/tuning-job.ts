import type { DurationEstimate } from './duration-estimate';
import type { TrainingProgress } from './training-log';

/**
 * The durable record of one tuning job (<dataDir>/jobs/<id>/job.json) and what a client asked for. `interrupted`
 * marks a job cut off by a service restart; it is queued again and resumes from its last checkpoint.
 */

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];
export const PRESETS = ['tiny', 'small', 'base', 'mpnet6', 'mpnet12'] as const;
export type Preset = (typeof PRESETS)[number];
export const TUNING_TASKS = ['extract', 'classify', 'ask'] as const;
export type TuningTask = (typeof TUNING_TASKS)[number];
export const LOSS_TERMS = ['task', 'ditc', 'imc', 'glitc', 'pita'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];

export type JobStage = 'preparing' | 'training' | 'exporting' | 'evaluating' | 'publishing';

export interface Hyperparameters {
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** DITC momentum-distillation weight. */
  alpha?: number;
}

/** Exactly one of: a named loss preset, explicit loss weights, or plain fine-tuning (task loss only). */
export type AlignmentSpec = { preset: string } | { weights: Partial<Record<LossTerm, number>> } | { plain: true };

/**
 * How long a job trains and how much of the model moves: `full` is the preset's own schedule; `quick` trains few
 * epochs with the word embeddings and the lower half of the fusion frozen (trainer config.py, SCHEDULES).
 */
export const SCHEDULES = ['full', 'quick'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/** A job's schedule; jobs created before schedules existed trained the full one. */
export const jobSchedule = (spec: Pick<TuningJobSpec, 'schedule'>): Schedule => spec.schedule ?? 'full';

/** Where training starts: the base bundle's own weights (warm), or the preset's initialisation (cold). */
export const STARTS = ['warm', 'cold'] as const;
export type Start = (typeof STARTS)[number];

export interface TuningJobSpec {
  datasetId: string;
  task: TuningTask;
  /** A registry bundle id (the task's active model when the request names none), or an absolute path to a local HF LayoutLMv3 directory. */
  baseModel: string;
  preset: Preset;
  /** Absent on jobs created before schedules existed: those trained the full schedule. */
  schedule?: Schedule;
  /** Absent on jobs created before warm starts existed: those started cold. */
  start?: Start;
  hyperparameters: Hyperparameters;
  alignment: AlignmentSpec;
  /** Held-out fraction; must match the dataset's split (fixed at upload). */
  evalSplit?: number;
}

export interface JobFailure {
  reason: string;
  /** Last lines of train.log, so the reason can be diagnosed from the API. */
  logTail: string;
}

export interface TuningJob {
  id: string;
  state: JobState;
  stage?: JobStage;
  spec: TuningJobSpec;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: TrainingProgress;
  /** How long training was expected to take when the job was created. */
  estimate?: DurationEstimate;
  /** Base vs tuned on the same held-out split (see bundle-evaluation.ts). */
  evaluation?: Record<string, unknown>;
  modelId?: string;
  error?: JobFailure;
  /** Process group of the running trainer step (cancel and crash recovery signal it). */
  trainerPid?: number;
  /** Host of trainerPid: only that host may signal it (replicas share the job store). */
  trainerHost?: string;
  /** Times a restart cut this job off; each resumes from the last checkpoint. */
  interruptions: number;
  cancelRequested?: boolean;
}

export const isTerminal = (state: JobState): boolean => TERMINAL_STATES.includes(state);

/** Job ids are file names and URL parts. */
export const JOB_ID_PATTERN = /^tj-[a-z0-9-]{6,64}$/;
