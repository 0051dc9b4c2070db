import type { Hyperparameters, Preset, Schedule } from './tuning-job';

/**
 * Pure: how long a job's training will take, before it starts: its steps (from the training windows the dataset
 * gives with the base model's tokenizer, the batch size and the epochs, as the trainer counts them) × seconds per
 * step on this machine. Seconds per sample come from the last finished job of the preset and schedule on this machine
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
 * Seconds per training sample on the 2-core reference machine with the alignment losses on. mpnet6: 0.444
 * samples/s measured for a warm start on 40 FUNSD forms (512-token windows, batch 4, 12 steps, quiet machine;
 * docs/tuning.md "Schedules"); mpnet12 and base: 3.6 s per sample measured for a plain 12-layer LayoutLMv3 step at
 * 224 px, plus the alignment encoders; tiny and small are rough figures. Each is replaced by this machine's own
 * after its first job of the preset and schedule.
 */
export const REFERENCE_SECONDS_PER_SAMPLE: Record<Preset, number> = {
  tiny: 0.05,
  small: 1.0,
  base: 4.5,
  mpnet6: 2.25,
  mpnet12: 4.5,
};

/** The quick schedule's epochs (trainer config.py, SCHEDULES["quick"]). */
export const QUICK_EPOCHS = 6;

/**
 * A quick step skips the weight gradients and optimizer state of the word embeddings and the lower half of the
 * fusion: mpnet6 measured 0.51 vs 0.444 samples/s, so 0.87 × the full step's time on 2 cores (docs/tuning.md, "Schedules").
 */
export const QUICK_STEP_FACTOR = 0.87;

/** Measured speeds are kept per preset and schedule: a quick step is faster than a full one. */
export function speedKey(preset: Preset, schedule: Schedule): string {
  return schedule === 'full' ? preset : `${preset}:${schedule}`;
}

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

export function estimateDuration(
  trainWindows: number,
  preset: Preset,
  schedule: Schedule,
  hyperparameters: Hyperparameters,
  measured?: MeasuredSpeed,
): DurationEstimate {
  const batchSize = hyperparameters.batchSize ?? PRESET_TRAINING[preset].batchSize;
  const epochs = hyperparameters.epochs ?? (schedule === 'quick' ? QUICK_EPOCHS : PRESET_TRAINING[preset].epochs);
  // The trainer runs whole batches only (trainer/src/aetnet_trainer/train.py, joint_batches).
  const perEpoch = Math.floor(trainWindows / batchSize);
  const steps = Math.min(hyperparameters.maxSteps ?? Number.POSITIVE_INFINITY, perEpoch * epochs);
  const reference = REFERENCE_SECONDS_PER_SAMPLE[preset] * (schedule === 'quick' ? QUICK_STEP_FACTOR : 1);
  const secondsPerSample = measured?.secondsPerSample ?? reference;
  const secondsPerStep = Math.round(secondsPerSample * batchSize * 100) / 100;
  return {
    trainWindows,
    batchSize,
    epochs,
    steps,
    secondsPerStep,
    seconds: Math.round(steps * secondsPerSample * batchSize),
    basis: measured
      ? `measured on this machine by job ${measured.jobId} (${measured.measuredAt})`
      : `reference figure for preset ${preset}, schedule ${schedule} (2 cores)`,
  };
}

/** "1 h 05 min", "12 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
