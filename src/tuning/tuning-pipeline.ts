import { Logger } from '@nestjs/common';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { writeJsonAtomic } from '../common/atomic-file';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { InferencePool } from '../model/inference-pool';
import { loadBundle, RegisteredModel, sessionPaths } from '../registry/bundle-loader';
import { scoreOnHeldOut, TaskRunners } from './service-evaluation';
import { speedKey } from './duration-estimate';
import { JobStore } from './job-store';
import { coldStartTokenizerProblem, exportArgs, preparationOptions, PreparationOptions, trainArgs, warmStartProblem } from './trainer-args';
import { killOrphanedTrainer, startTrainerProcess, stopTrainerProcess, TrainerProcess } from './trainer-runner';
import { applyTrainingEvent, INITIAL_PROGRESS, LineSplitter, parseTrainingLogLine, TRAINING_LOG } from './training-log';
import { TuningBaseBundle, TuningDatasets, TuningRegistry } from './tuning-ports';
import { isTerminal, JobStage, jobSchedule, TuningJob, TuningJobSpec } from './tuning-job';

/** Why a running job was stopped from outside: a client's cancel, or this process shutting down. */
export type StopReason = 'cancel' | 'shutdown';

/** Thrown when shutdown cut a job off: the record stays `running`, so the next boot (or BullMQ) resumes it. */
export class JobInterrupted extends Error {}

const POLL_MS = 500;
const LOG_TAIL_LINES = 40;

/** The base a job starts from: a registry bundle (tokenizer, windows, comparison) or a local HF LayoutLMv3 dir. */
export interface ResolvedBase {
  tokenizerPath: string;
  preparation: PreparationOptions;
  bundle?: TuningBaseBundle;
  layoutlmv3Dir?: string;
  /** Warm start: the bundle directory whose weights the trainer starts from. */
  initBundle?: string;
}

/** Entries of a tokenizer.json's vocabulary (WordPiece/BPE `model.vocab`; a list for Unigram). */
async function vocabularySize(path: string): Promise<number> {
  const vocab = (JSON.parse(await readFile(path, 'utf8')) as { model?: { vocab?: Record<string, number> | unknown[] } }).model?.vocab ?? {};
  return Array.isArray(vocab) ? vocab.length : Object.keys(vocab).length;
}

/** The base bundle for a job's task; a model that exists but serves other tasks is the request's mistake (400). */
function baseBundle(spec: TuningJobSpec, registry: TuningRegistry): TuningBaseBundle {
  try {
    return registry.resolve(spec.task, spec.baseModel || undefined);
  } catch (error) {
    const details = error instanceof DomainError ? (error.details as { tasks?: string[] } | undefined) : undefined;
    if (!details?.tasks) throw error;
    throw new DomainError('INVALID_REQUEST', `baseModel "${spec.baseModel}" serves ${details.tasks.join(', ')}, not ${spec.task}`, {
      baseModel: spec.baseModel,
      baseModelTasks: details.tasks,
      task: spec.task,
    });
  }
}

export async function resolveBase(spec: TuningJobSpec, registry: TuningRegistry): Promise<ResolvedBase> {
  if (isAbsolute(spec.baseModel)) {
    const config = await stat(join(spec.baseModel, 'config.json')).catch(() => undefined);
    const tokenizer = await stat(join(spec.baseModel, 'tokenizer.json')).catch(() => undefined);
    if (!config?.isFile() || !tokenizer?.isFile()) {
      throw new DomainError('MODEL_NOT_FOUND', 'baseModel is not a LayoutLMv3 directory (config.json and tokenizer.json)', { baseModel: spec.baseModel });
    }
    return { tokenizerPath: join(spec.baseModel, 'tokenizer.json'), preparation: preparationOptions(spec.preset), layoutlmv3Dir: spec.baseModel };
  }
  const bundle = baseBundle(spec, registry);
  const warm = spec.start === 'warm';
  const problem = warm ? warmStartProblem(bundle.manifest, spec.preset, spec.alignment) : undefined;
  if (problem) throw new DomainError('WARM_START_UNAVAILABLE', problem, { baseModel: bundle.id, preset: spec.preset, trainedWith: bundle.manifest.training?.config ?? null });
  const tokenizerPath = join(bundle.directory, bundle.manifest.tokenizer.file);
  if (!warm) {
    const vocabulary = await vocabularySize(tokenizerPath);
    const mismatch = coldStartTokenizerProblem(bundle.id, vocabulary, spec.preset);
    if (mismatch) throw new DomainError('INVALID_REQUEST', mismatch, { baseModel: bundle.id, baseVocabulary: vocabulary, preset: spec.preset });
  }
  return {
    tokenizerPath,
    preparation: preparationOptions(spec.preset, bundle.manifest),
    bundle,
    ...(warm ? { initBundle: bundle.directory } : {}),
  };
}

const exists = (path: string) => stat(path).then(() => true, () => false);

export async function readLogTail(path: string, lines = LOG_TAIL_LINES): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim()).slice(-lines).join('\n');
}

/**
 * One job from start (or resume) to a published model: prepare → train → export (parity-checked) → evaluate base
 * and tuned on the same held-out windows → publish. Every stage is recorded in the job store as it happens.
 */
export class TuningPipeline {
  private readonly logger = new Logger('TuningPipeline');

  constructor(
    private readonly store: JobStore,
    private readonly datasets: TuningDatasets,
    private readonly registry: TuningRegistry,
    private readonly pool: InferencePool,
    private readonly runners: TaskRunners,
    private readonly config: AppConfig,
  ) {}

  async run(jobId: string, stop: AbortSignal): Promise<void> {
    const current = await this.store.get(jobId);
    if (!current || isTerminal(current.state)) return;
    if (current.cancelRequested) {
      await this.finish(jobId, { state: 'cancelled' });
      return;
    }
    // Still `running`: the process that ran it died and BullMQ handed it to us; its trainer may outlive it.
    if (current.trainerPid && current.trainerHost === hostname()) await killOrphanedTrainer(current.trainerPid);
    await this.store.update(jobId, (job) => ({
      state: 'running',
      startedAt: job.startedAt ?? new Date().toISOString(),
      interruptions: job.state === 'running' ? job.interruptions + 1 : job.interruptions,
    }));
    try {
      const modelId = await this.runStages(jobId, current.spec, stop);
      await this.finish(jobId, { state: 'succeeded', modelId, progress: { ...(await this.progressOf(jobId)), percent: 100, etaSeconds: 0 } });
      this.logger.log(`job ${jobId} published model ${modelId}`);
    } catch (error) {
      if (stop.aborted && stop.reason === 'shutdown') throw new JobInterrupted(`job ${jobId} was interrupted by shutdown`);
      if (stop.aborted || (await this.store.get(jobId))?.cancelRequested) {
        await this.finish(jobId, { state: 'cancelled' });
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`job ${jobId} failed: ${reason}`);
      await this.finish(jobId, { state: 'failed', error: { reason, logTail: await readLogTail(this.store.logPath(jobId)) } });
    }
  }

  private async runStages(jobId: string, spec: TuningJobSpec, stop: AbortSignal): Promise<string> {
    const jobDir = this.store.jobDir(jobId);
    const preparedDir = join(jobDir, 'prepared');
    const runDir = this.store.runDir(jobId);
    const bundleDir = join(jobDir, 'bundle');
    const modelId = `tuned-${spec.task}-${spec.preset}-${jobId.slice(3)}`;
    const base = await resolveBase(spec, this.registry);
    if (this.isPublished(spec, modelId)) return modelId; // a restart hit between publishing and recording it

    await this.enterStage(jobId, 'preparing', stop);
    // dataset.json is written last, so its presence means a complete earlier preparation (a resumed job).
    if (!(await exists(join(preparedDir, 'dataset.json')))) {
      await rm(preparedDir, { recursive: true, force: true });
      await this.datasets.prepareFor(spec.datasetId, base.tokenizerPath, base.preparation, preparedDir);
    }

    await this.enterStage(jobId, 'training', stop);
    const resume = await exists(join(runDir, 'last.pt'));
    const args = trainArgs({
      preparedDir,
      runDir,
      preset: spec.preset,
      schedule: jobSchedule(spec),
      hyperparameters: spec.hyperparameters,
      alignment: spec.alignment,
      layoutlmv3Dir: base.layoutlmv3Dir,
      initBundle: base.initBundle,
      resume,
    });
    await this.runTrainerStep(jobId, 'train', args, stop, join(runDir, TRAINING_LOG));
    await this.recordSpeed(jobId, spec);

    await this.enterStage(jobId, 'exporting', stop);
    await rm(bundleDir, { recursive: true, force: true });
    await this.runTrainerStep(jobId, 'export', exportArgs(join(runDir, 'last.pt'), bundleDir, modelId), stop);

    await this.enterStage(jobId, 'evaluating', stop);
    const evaluation = await this.evaluate(jobId, spec, base, bundleDir);
    await this.writeEvaluationIntoManifest(bundleDir, evaluation);
    await this.store.update(jobId, () => ({ evaluation }));

    await this.enterStage(jobId, 'publishing', stop);
    const published = await this.registry.publish(bundleDir);
    return published.id;
  }

  /** This machine's measured speed for the preset: the next job's estimate uses it. */
  private async recordSpeed(jobId: string, spec: TuningJobSpec): Promise<void> {
    const { samplesPerSec } = await this.progressOf(jobId);
    if (samplesPerSec) await this.store.recordSpeed(speedKey(spec.preset, jobSchedule(spec)), { secondsPerSample: 1 / samplesPerSec, jobId, measuredAt: new Date().toISOString() });
  }

  private isPublished(spec: TuningJobSpec, modelId: string): boolean {
    try {
      return this.registry.resolve(spec.task, modelId).id === modelId;
    } catch {
      return false;
    }
  }

  private async enterStage(jobId: string, stage: JobStage, stop: AbortSignal): Promise<void> {
    if (stop.aborted) throw new Error(`stopped before ${stage}`);
    await this.store.update(jobId, () => ({ stage }));
  }

  /** Runs one trainer step to completion, following its progress log and honouring cancel (local or remote). */
  private async runTrainerStep(jobId: string, step: string, args: string[], stop: AbortSignal, progressLog?: string): Promise<void> {
    const logPath = this.store.logPath(jobId);
    await writeFile(logPath, `\n=== ${new Date().toISOString()} ${step}: python ${args.join(' ')}\n`, { flag: 'a' });
    const trainer = await startTrainerProcess({ pythonPath: this.config.pythonPath, trainerDir: this.config.trainerDir, args, logPath });
    await this.store.update(jobId, () => ({ trainerPid: trainer.pid, trainerHost: hostname() }));
    const stopTrainer = () => void stopTrainerProcess(trainer);
    stop.addEventListener('abort', stopTrainer);
    try {
      const exit = await this.follow(jobId, trainer, stop, progressLog);
      if (stop.aborted) throw new Error(`${step} stopped (${String(stop.reason)})`);
      if (exit.code !== 0) {
        const lastLine = (await readLogTail(logPath, 1)).trim();
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        throw new Error(`trainer ${step} ${how}${lastLine ? `: ${lastLine}` : ''}`);
      }
    } finally {
      stop.removeEventListener('abort', stopTrainer);
      await this.store.update(jobId, () => ({ trainerPid: undefined, trainerHost: undefined }));
    }
  }

  private async follow(jobId: string, trainer: TrainerProcess, stop: AbortSignal, progressLog?: string) {
    const splitter = new LineSplitter();
    let offset = 0;
    let finished = false;
    const exited = trainer.exited.finally(() => {
      finished = true;
    });
    const poll = async () => {
      if (progressLog) {
        const { text, size } = await readFrom(progressLog, offset);
        offset = size;
        const events = splitter.push(text).map(parseTrainingLogLine).filter((event) => event !== undefined);
        if (events.length > 0) {
          await this.store.update(jobId, (job) => ({ progress: events.reduce(applyTrainingEvent, job.progress) }));
        }
      }
      // A cancel accepted by another replica reaches the process running the job through the shared record.
      if (!stop.aborted && (await this.store.get(jobId))?.cancelRequested) void stopTrainerProcess(trainer);
    };
    while (!finished) {
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
      await poll();
    }
    return exited;
  }

  /**
   * Base and tuned scored on the dataset's held-out documents through the service's task runners. The tuned bundle
   * is loaded as the registry will load it (so the evaluation reads the heads the service will serve) and its
   * sessions closed after; publishing loads it again from its final place.
   */
  private async evaluate(jobId: string, spec: TuningJobSpec, base: ResolvedBase, bundleDir: string): Promise<Record<string, unknown>> {
    const trainerMetrics = (await this.progressOf(jobId)).evaluation;
    const split = await this.datasets.heldOut(spec.datasetId);
    if (split.documents.length === 0) return { split: null, note: 'the dataset has no held-out split', trainer: trainerMetrics };
    const options = { askMinScore: this.config.askMinConfidence };
    const score = (model: RegisteredModel) => scoreOnHeldOut(this.runners, model, spec.task, split, options);
    const baseScores = base.bundle ? await score(base.bundle) : { note: 'the base is a pretrained encoder without a task head' };
    const tuned = await loadBundle(bundleDir, false, this.pool);
    try {
      return { split: 'test', documents: split.documents.length, baseModel: base.bundle?.id ?? base.layoutlmv3Dir, base: baseScores, tuned: await score(tuned), trainer: trainerMetrics };
    } finally {
      for (const path of sessionPaths(tuned)) this.pool.release(path);
    }
  }

  /** The report travels with the model: manifest.metrics = the tuned scores, manifest.evaluation = the comparison. */
  private async writeEvaluationIntoManifest(bundleDir: string, evaluation: Record<string, unknown>): Promise<void> {
    const path = join(bundleDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const tuned = evaluation.tuned as Record<string, unknown> | undefined;
    const metrics = tuned && !('note' in tuned) ? tuned : ((evaluation.trainer as Record<string, unknown> | undefined) ?? {});
    await writeJsonAtomic(path, { ...manifest, metrics, evaluation });
  }

  private async progressOf(jobId: string) {
    return (await this.store.get(jobId))?.progress ?? INITIAL_PROGRESS;
  }

  private async finish(jobId: string, change: Partial<TuningJob>): Promise<void> {
    await this.store.update(jobId, () => ({ ...change, stage: undefined, trainerPid: undefined, trainerHost: undefined, finishedAt: new Date().toISOString() }));
  }
}

/** New bytes of a growing file from `offset` (nothing while the file does not exist yet). */
async function readFrom(path: string, offset: number): Promise<{ text: string; size: number }> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return { text: '', size: offset };
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { text: '', size: offset };
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    return { text: buffer.toString('utf8'), size };
  } finally {
    await handle.close();
  }
}
