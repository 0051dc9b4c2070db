import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { InferencePool } from '../model/inference-pool';
import { BullMqJobQueue } from './bullmq-job-queue';
import { InProcessJobQueue, JobQueue } from './job-queue';
import { estimateDuration, formatDuration, speedKey } from './duration-estimate';
import { JobStore } from './job-store';
import { killOrphanedTrainer } from './trainer-runner';
import { curvePoints, CurvePoint, INITIAL_PROGRESS, TRAINING_LOG } from './training-log';
import { readLogTail, resolveBase, StopReason, TuningPipeline } from './tuning-pipeline';
import { TaskRunners } from './service-evaluation';
import { TUNING_DATASETS, TUNING_REGISTRY, TUNING_RUNNERS, TuningDatasets, TuningRegistry } from './tuning-ports';
import { isTerminal, jobSchedule, TuningJob, TuningJobSpec } from './tuning-job';

/**
 * Tuning jobs: accepts them (validated against the datasets and the registry), queues them, runs them through
 * TuningPipeline a bounded number at once, cancels them, and recovers them after a restart.
 *
 * Restarts: on shutdown the running trainers are stopped and their records stay `running`. With the in-process
 * queue, boot marks such jobs `interrupted` and queues them again with the waiting ones; each resumes from its
 * run's last checkpoint (`--resume`). With BullMQ the interrupted job fails its attempt and BullMQ retries it
 * on whichever worker is free (a worker that died outright loses its lock and the job is retried the same way).
 */
@Injectable()
export class TuningService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TuningService.name);
  private readonly store: JobStore;
  private readonly queue: JobQueue;
  private readonly pipeline: TuningPipeline;
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly config: AppConfig,
    @Inject(TUNING_DATASETS) private readonly datasets: TuningDatasets,
    @Inject(TUNING_REGISTRY) private readonly registry: TuningRegistry,
    @Inject(TUNING_RUNNERS) runners: TaskRunners,
    pool: InferencePool,
  ) {
    this.store = new JobStore(join(config.dataDir, 'jobs'));
    this.queue = config.redisUrl
      ? new BullMqJobQueue({
          redisUrl: config.redisUrl,
          queueName: config.jobQueueName,
          concurrency: config.maxConcurrentJobs,
          onError: (error) => this.logger.error(`job queue: ${error.message}`),
        })
      : new InProcessJobQueue(config.maxConcurrentJobs);
    this.pipeline = new TuningPipeline(this.store, datasets, registry, pool, runners, config);
  }

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.store.root, { recursive: true });
    const unfinished = (await this.store.list()).filter((job) => !isTerminal(job.state)).reverse();
    for (const job of unfinished) this.datasets.markInUse(job.spec.datasetId);
    if (!this.config.redisUrl) {
      for (const job of unfinished) await this.requeueAfterRestart(job);
    }
    if (this.config.maxConcurrentJobs === 0 && !this.config.redisUrl) {
      this.logger.warn('AETNET_MAX_CONCURRENT_JOBS=0 without REDIS_URL: tuning jobs will wait forever');
    }
    await this.queue.start((jobId) => this.runJob(jobId));
  }

  /** Stops this process's trainers first, so no trainer outlives the service or writes after it. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopRunning('shutdown');
    await this.queue.close();
  }

  async create(spec: TuningJobSpec): Promise<TuningJob> {
    const dataset = await this.datasets.get(spec.datasetId);
    if (!dataset) throw new DomainError('DATASET_NOT_FOUND', `No dataset with id "${spec.datasetId}"`, { id: spec.datasetId });
    if (dataset.task !== spec.task) {
      throw new DomainError('TASK_MISMATCH', `Dataset "${dataset.id}" is a ${dataset.task} dataset, not ${spec.task}`, {
        datasetTask: dataset.task,
        task: spec.task,
      });
    }
    // Documents are assigned to train/test at upload; a job cannot re-split them (yet), only confirm the split.
    if (spec.evalSplit !== undefined && spec.evalSplit !== dataset.evalSplit) {
      throw new DomainError('VALIDATION_FAILED', `Dataset "${dataset.id}" holds out ${dataset.evalSplit}; evalSplit cannot change that`, {
        evalSplit: spec.evalSplit,
        datasetEvalSplit: dataset.evalSplit,
      });
    }
    const base = await resolveBase(spec, this.registry);
    if (base.layoutlmv3Dir && spec.preset !== 'base') {
      throw new DomainError('VALIDATION_FAILED', 'A LayoutLMv3 directory as baseModel needs preset "base"', { preset: spec.preset });
    }
    // The job records the base it resolved (the active model when none was named), so a resumed job keeps it;
    // a LayoutLMv3 directory is its own start.
    spec = { ...spec, baseModel: base.bundle?.id ?? spec.baseModel, start: base.layoutlmv3Dir ? 'cold' : spec.start };
    const windows = await this.datasets.countTrainingWindows(spec.datasetId, base.tokenizerPath, base.preparation);
    const schedule = jobSchedule(spec);
    const measured = (await this.store.speeds())[speedKey(spec.preset, schedule)];
    const estimate = estimateDuration(windows, spec.preset, schedule, spec.hyperparameters, measured);
    if (this.config.tuningMaxSeconds > 0 && estimate.seconds > this.config.tuningMaxSeconds) {
      throw new DomainError(
        'ESTIMATE_OVER_LIMIT',
        `Training is estimated at ${formatDuration(estimate.seconds)} (${estimate.steps} steps × ${estimate.secondsPerStep} s), over this service's limit of ${formatDuration(this.config.tuningMaxSeconds)}: fewer epochs or steps, or a smaller preset`,
        { estimate, limitSeconds: this.config.tuningMaxSeconds },
      );
    }
    const now = new Date();
    const job = await this.store.create({
      id: JobStore.newId(now),
      state: 'queued',
      spec,
      estimate,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      progress: INITIAL_PROGRESS,
      interruptions: 0,
    });
    this.datasets.markInUse(spec.datasetId);
    await this.queue.enqueue(job.id);
    return job;
  }

  list(): Promise<TuningJob[]> {
    return this.store.list();
  }

  async get(id: string): Promise<TuningJob> {
    const job = await this.store.get(id);
    if (!job) throw new DomainError('JOB_NOT_FOUND', `No tuning job with id "${id}"`, { id });
    return job;
  }

  /** Reads the record without throwing (the SSE stream polls it). */
  find(id: string): Promise<TuningJob | undefined> {
    return this.store.get(id);
  }

  /** Waiting jobs are cancelled at once; a running one when its trainer has stopped (the record says when). */
  async cancel(id: string): Promise<TuningJob> {
    const job = await this.get(id);
    if (isTerminal(job.state) || job.cancelRequested) {
      throw new DomainError('JOB_NOT_CANCELLABLE', `Job ${id} is ${job.cancelRequested ? 'already being cancelled' : job.state}`, { state: job.state });
    }
    const waiting = job.state === 'queued' || job.state === 'interrupted';
    const updated = await this.store.update(id, () =>
      waiting ? { state: 'cancelled', cancelRequested: true, finishedAt: new Date().toISOString() } : { cancelRequested: true },
    );
    // A job already handed to runJob is released there when it ends.
    if (waiting && !this.running.has(id)) this.datasets.markFree(job.spec.datasetId);
    this.running.get(id)?.abort('cancel' satisfies StopReason);
    return updated;
  }

  async logs(id: string, tailLines: number): Promise<string> {
    await this.get(id);
    return readLogTail(this.store.logPath(id), tailLines);
  }

  /** The run's loss terms and learning rate per step so far ([] before training starts). */
  async curves(id: string, maxPoints: number): Promise<CurvePoint[]> {
    await this.get(id);
    const text = await readFile(join(this.store.runDir(id), TRAINING_LOG), 'utf8').catch(() => '');
    return curvePoints(text, maxPoints);
  }

  private async runJob(jobId: string): Promise<void> {
    const before = await this.store.get(jobId);
    // Cancelled while it waited: cancel() already released its dataset.
    if (!before || isTerminal(before.state)) return;
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      await this.pipeline.run(jobId, controller.signal);
    } finally {
      this.running.delete(jobId);
      const after = await this.store.get(jobId);
      if (after && isTerminal(after.state)) this.datasets.markFree(after.spec.datasetId);
    }
  }

  private async requeueAfterRestart(job: TuningJob): Promise<void> {
    if (job.state === 'running') {
      if (job.trainerPid && job.trainerHost === hostname() && (await killOrphanedTrainer(job.trainerPid))) {
        this.logger.warn(`job ${job.id}: stopped trainer ${job.trainerPid} left behind by the previous process`);
      }
      await this.store.update(job.id, (current) => ({ state: 'interrupted', interruptions: current.interruptions + 1, trainerPid: undefined, trainerHost: undefined }));
      this.logger.log(`job ${job.id} was interrupted by a restart; it resumes from its last checkpoint`);
    }
    await this.queue.enqueue(job.id);
  }

  private stopRunning(reason: StopReason): void {
    for (const controller of this.running.values()) controller.abort(reason);
  }
}
