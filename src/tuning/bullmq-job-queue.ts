import { Queue, Worker } from 'bullmq';
import type { JobHandler, JobQueue } from './job-queue';

export interface BullMqQueueOptions {
  redisUrl: string;
  queueName: string;
  /** Jobs this process trains at once; 0 = enqueue only (an API replica next to GPU worker hosts). */
  concurrency: number;
  /** Connection errors (Redis down, failover): reported, while BullMQ keeps reconnecting. */
  onError: (error: Error) => void;
}

/**
 * The BullMQ adapter (the only file importing bullmq). Every replica enqueues here; every process with
 * concurrency > 0 also runs a Worker. A worker that dies loses its lock, and BullMQ hands the job to another
 * worker ("stalled"), which resumes it from the run's last checkpoint.
 */
export class BullMqJobQueue implements JobQueue {
  private readonly queue: Queue;
  private worker?: Worker;

  constructor(private readonly options: BullMqQueueOptions) {
    this.queue = new Queue(options.queueName, { connection: this.connection() });
    this.queue.on('error', options.onError);
  }

  async start(handler: JobHandler): Promise<void> {
    if (this.options.concurrency === 0) return;
    this.worker = new Worker(
      this.options.queueName,
      async (job) => handler((job.data as { jobId: string }).jobId),
      // Training outlives any lock period: BullMQ renews the lock while this process lives, and a job whose
      // worker died is retried on another worker up to maxStalledCount times.
      { connection: this.connection(), concurrency: this.options.concurrency, maxStalledCount: 3 },
    );
    this.worker.on('error', this.options.onError);
    await this.worker.waitUntilReady();
  }

  async enqueue(jobId: string): Promise<void> {
    // The BullMQ job id is the tuning job id, so enqueuing twice adds nothing. A handler only throws when a
    // shutdown cut the job off (failures are recorded, not thrown), so each retry is a resume.
    await this.queue.add('tune', { jobId }, { jobId, attempts: 100, backoff: { type: 'fixed', delay: 2000 }, removeOnComplete: true, removeOnFail: true });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  private connection() {
    // Blocking worker connections must not give up on a slow Redis.
    return { url: this.options.redisUrl, maxRetriesPerRequest: null };
  }
}
