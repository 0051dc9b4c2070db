import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../common/atomic-file';
import type { MeasuredSpeed } from './duration-estimate';
import { JOB_ID_PATTERN, TuningJob } from './tuning-job';

const SPEEDS_FILE = 'speeds.json';

/**
 * Tuning-job records: <root>/<id>/job.json, each written atomically (common/atomic-file) so a crash never
 * leaves half a record. The job's working files (prepared/, run/, train.log, bundle/) live beside it.
 * Replicas sharing the directory see each other's jobs; updates within one process are serialised per job.
 */
export class JobStore {
  private readonly pendingUpdates = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {}

  static newId(now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return `tj-${stamp}-${randomBytes(4).toString('hex')}`;
  }

  jobDir(id: string): string {
    if (!JOB_ID_PATTERN.test(id)) throw new Error(`invalid job id ${JSON.stringify(id)}`);
    return join(this.root, id);
  }

  logPath(id: string): string {
    return join(this.jobDir(id), 'train.log');
  }

  /** The trainer's run directory (checkpoints, and log.jsonl: the step-by-step progress). */
  runDir(id: string): string {
    return join(this.jobDir(id), 'run');
  }

  /** The latest measured training speed per preset and schedule on this machine (duration-estimate.ts, speedKey). */
  async speeds(): Promise<Partial<Record<string, MeasuredSpeed>>> {
    return (await readJsonIfExists<Partial<Record<string, MeasuredSpeed>>>(join(this.root, SPEEDS_FILE))) ?? {};
  }

  async recordSpeed(key: string, speed: MeasuredSpeed): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeJsonAtomic(join(this.root, SPEEDS_FILE), { ...(await this.speeds()), [key]: speed });
  }

  async create(job: TuningJob): Promise<TuningJob> {
    await mkdir(this.jobDir(job.id), { recursive: true });
    await this.write(job);
    return job;
  }

  /** The record, or undefined for an unknown or malformed id. */
  async get(id: string): Promise<TuningJob | undefined> {
    if (!JOB_ID_PATTERN.test(id)) return undefined;
    return readJsonIfExists<TuningJob>(this.recordPath(id));
  }

  /** Newest first. */
  async list(): Promise<TuningJob[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const jobs = await Promise.all(names.filter((name) => JOB_ID_PATTERN.test(name)).map((name) => this.get(name)));
    return jobs.filter((job): job is TuningJob => job !== undefined).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Reads, changes and writes one record; concurrent updates of a job in this process run one after another. */
  update(id: string, change: (job: TuningJob) => Partial<TuningJob>): Promise<TuningJob> {
    const previous = this.pendingUpdates.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const job = await this.get(id);
      if (!job) throw new Error(`job ${id} has no record`);
      const updated: TuningJob = { ...job, ...change(job), updatedAt: new Date().toISOString() };
      await this.write(updated);
      return updated;
    });
    this.pendingUpdates.set(id, next);
    void next.finally(() => {
      if (this.pendingUpdates.get(id) === next) this.pendingUpdates.delete(id);
    }).catch(() => undefined);
    return next;
  }

  private recordPath(id: string): string {
    return join(this.jobDir(id), 'job.json');
  }

  private write(job: TuningJob): Promise<void> {
    return writeJsonAtomic(this.recordPath(job.id), job);
  }
}
