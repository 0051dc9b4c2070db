import { DomainError } from '../common/domain-error';

export interface PooledWorker {
  terminate(): Promise<unknown>;
}

export interface OcrPoolOptions<W extends PooledWorker> {
  /** Most workers alive at once; they are created on demand. */
  size: number;
  /** Most requests waiting for a worker; beyond it callers get 503 OVERLOADED. */
  queueLimit: number;
  create: () => Promise<W>;
}

interface Waiter<W> {
  resolve: (worker: W) => void;
  reject: (error: unknown) => void;
}

const INITIAL_JOB_ESTIMATE_MS = 1000;

/**
 * A bounded pool of OCR workers. A job that fails takes its worker with it (a fresh one is created on
 * demand), so one broken worker cannot poison later requests.
 */
export class OcrPool<W extends PooledWorker> {
  private readonly idle: W[] = [];
  private readonly waiting: Array<Waiter<W>> = [];
  /** Alive or being created. */
  private workerCount = 0;
  private averageJobMs = INITIAL_JOB_ESTIMATE_MS;
  private closed = false;

  constructor(private readonly options: OcrPoolOptions<W>) {}

  get pending(): number {
    return this.waiting.length;
  }

  async run<T>(job: (worker: W) => Promise<T>): Promise<T> {
    const worker = await this.acquire();
    const started = Date.now();
    try {
      const result = await job(worker);
      this.averageJobMs = 0.8 * this.averageJobMs + 0.2 * (Date.now() - started);
      this.release(worker);
      return result;
    } catch (error) {
      this.discard(worker);
      throw error;
    }
  }

  /** Rejects queued jobs and terminates workers; busy workers are terminated when their job ends. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.shuttingDown());
    await Promise.allSettled(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  /** Seconds until a queued job would likely start: the queue ahead of it shared across the workers. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(((this.waiting.length + 1) * this.averageJobMs) / this.options.size / 1000));
  }

  private shuttingDown(): DomainError {
    return new DomainError('OVERLOADED', 'OCR is shutting down', undefined, 5);
  }

  private acquire(): Promise<W> {
    if (this.closed) return Promise.reject(this.shuttingDown());
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.workerCount < this.options.size) return this.createWorker();
    if (this.waiting.length >= this.options.queueLimit) {
      return Promise.reject(
        new DomainError('OVERLOADED', 'OCR is at capacity; retry later', { queued: this.waiting.length }, this.retryAfterSeconds()),
      );
    }
    return new Promise<W>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private async createWorker(): Promise<W> {
    this.workerCount += 1;
    try {
      const worker = await this.options.create();
      if (this.closed) {
        this.discard(worker);
        throw this.shuttingDown();
      }
      return worker;
    } catch (error) {
      if (!this.closed) this.workerCount -= 1;
      throw error;
    }
  }

  private release(worker: W): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(worker);
    else if (this.closed) this.discard(worker);
    else this.idle.push(worker);
  }

  private discard(worker: W): void {
    this.workerCount -= 1;
    void worker.terminate().catch(() => undefined);
    // A waiter queued behind the lost worker gets a fresh one rather than waiting for another job to end.
    const waiter = this.waiting.shift();
    if (waiter) this.createWorker().then(waiter.resolve, waiter.reject);
  }
}
