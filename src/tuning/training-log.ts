/**
 * The trainer writes one JSON object per line to <run>/log.jsonl (`step`, `eval`, `done`); the service tails the
 * file. Pure: splitting a growing file into lines, parsing a line, folding events into the job's progress.
 */

export interface TrainingProgress {
  /** 0–100 over the training steps of this job (100 only once the job has succeeded). */
  percent: number;
  epoch: number;
  step: number;
  totalSteps: number;
  etaSeconds?: number;
  learningRate?: number;
  /** Latest value of every loss term the trainer logs (task, ditc, imc, glitc, pita, total). */
  terms: Record<string, number>;
  /** The trainer's latest evaluation on the held-out split. */
  evaluation?: Record<string, unknown>;
  /** Training speed the trainer measured over the whole run (its `done` line). */
  samplesPerSec?: number;
}

export type TrainingLogEvent =
  | { event: 'step'; epoch: number; step: number; totalSteps: number; lr?: number; etaSeconds?: number; terms: Record<string, number> }
  | { event: 'eval'; epoch: number; step: number; metrics: Record<string, unknown> }
  | { event: 'done'; step: number; metrics: Record<string, unknown>; samplesPerSec?: number };

/** The file in a run directory the trainer appends its events to. */
export const TRAINING_LOG = 'log.jsonl';

export const INITIAL_PROGRESS: TrainingProgress = Object.freeze({ percent: 0, epoch: 0, step: 0, totalSteps: 0, terms: {} });

/** Lines of a file read in chunks: a chunk may end mid-line, so the remainder waits for the next chunk. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.filter((line) => line.trim().length > 0);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** One log.jsonl line → an event, or undefined for anything unreadable or unknown (the log is informative only). */
export function parseTrainingLogLine(line: string): TrainingLogEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(raw)) return undefined;
  const step = finite(raw.step);
  if (step === undefined) return undefined;
  const epoch = finite(raw.epoch) ?? 0;
  if (raw.event === 'step') {
    const terms = Object.fromEntries(
      Object.entries(isObject(raw.terms) ? raw.terms : {}).filter((entry): entry is [string, number] => finite(entry[1]) !== undefined),
    );
    return { event: 'step', epoch, step, totalSteps: finite(raw.totalSteps) ?? 0, lr: finite(raw.lr), etaSeconds: finite(raw.etaSeconds), terms };
  }
  if (raw.event === 'eval') {
    const { event: _event, epoch: _epoch, step: _step, ...metrics } = raw;
    return { event: 'eval', epoch, step, metrics };
  }
  if (raw.event === 'done') {
    const samplesPerSec = isObject(raw.speed) ? finite(raw.speed.samplesPerSec) : undefined;
    return { event: 'done', step, metrics: isObject(raw.metrics) ? raw.metrics : {}, ...(samplesPerSec ? { samplesPerSec } : {}) };
  }
  return undefined;
}

const percentOf = (step: number, total: number) => (total > 0 ? Math.min(99, Math.floor((100 * step) / total)) : 0);

/** Folds one event into the progress; terms keep their latest values. */
export function applyTrainingEvent(progress: TrainingProgress, event: TrainingLogEvent): TrainingProgress {
  switch (event.event) {
    case 'step':
      return {
        ...progress,
        epoch: event.epoch,
        step: event.step,
        totalSteps: event.totalSteps,
        percent: percentOf(event.step, event.totalSteps),
        etaSeconds: event.etaSeconds,
        learningRate: event.lr,
        terms: { ...progress.terms, ...event.terms },
      };
    case 'eval':
      return { ...progress, evaluation: event.metrics };
    case 'done':
      return {
        ...progress,
        step: event.step,
        etaSeconds: 0,
        evaluation: progress.evaluation ?? event.metrics,
        ...(event.samplesPerSec ? { samplesPerSec: event.samplesPerSec } : {}),
      };
  }
}

/** One optimiser step of a run, as a point of its loss and learning-rate curves. */
export interface CurvePoint {
  step: number;
  epoch: number;
  lr?: number;
  terms: Record<string, number>;
}

/**
 * The step events of a training log as curve points, thinned evenly to at most `maxPoints` (the last step always
 * kept), so a client that (re)connects draws the whole run so far and then appends what the job stream brings.
 */
export function curvePoints(text: string, maxPoints: number): CurvePoint[] {
  const steps: CurvePoint[] = [];
  for (const line of text.split('\n')) {
    const event = line.trim() ? parseTrainingLogLine(line) : undefined;
    if (event?.event !== 'step') continue;
    // A resumed run logs its steps again from the checkpoint: the later line wins.
    while (steps.length > 0 && steps[steps.length - 1].step >= event.step) steps.pop();
    steps.push({ step: event.step, epoch: event.epoch, ...(event.lr === undefined ? {} : { lr: event.lr }), terms: event.terms });
  }
  if (steps.length <= maxPoints) return steps;
  const stride = steps.length / maxPoints;
  const thinned = Array.from({ length: maxPoints - 1 }, (_, index) => steps[Math.floor(index * stride)]);
  return [...thinned, steps[steps.length - 1]];
}
