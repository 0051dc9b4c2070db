/**
 * Where tuning jobs wait for a trainer slot. Two implementations: InProcessJobQueue (default, this process only)
 * and BullMqJobQueue (REDIS_URL: one queue shared by every replica and worker host). Both carry only job ids;
 * the records live in the shared job store.
 */
export type JobHandler = (jobId: string) => Promise<void>;

export interface JobQueue {
  /** Starts taking jobs (at most `concurrency` at once) and handing them to `handler`. */
  start(handler: JobHandler): Promise<void>;
  enqueue(jobId: string): Promise<void>;
  /** Stops taking jobs; jobs already handed out keep running until their handler returns. */
  close(): Promise<void>;
}

export class InProcessJobQueue implements JobQueue {
  private readonly waiting: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private handler?: JobHandler;
  private closed = false;

  constructor(private readonly concurrency: number) {}

  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
    this.dispatch();
  }

  async enqueue(jobId: string): Promise<void> {
    if (!this.waiting.includes(jobId)) this.waiting.push(jobId);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private dispatch(): void {
    while (this.handler && !this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const jobId = this.waiting.shift() as string;
      // The handler records its own failures; a rejection here must not stop the queue.
      const run: Promise<void> = this.handler(jobId)
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(run);
          this.dispatch();
        });
      this.running.add(run);
    }
  }
}
