import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../common/domain-error';
import type { InferenceWorkerData, LoadedModel, WorkerReply, WorkerRequest } from './inference-worker';
import type { SessionOptions, TensorData } from './onnx-session';

/** The part of a worker_threads Worker the pool uses, so specs can drive it with a fake. */
export interface WorkerHandle {
  postMessage(message: WorkerRequest, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (reply: WorkerReply) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export type WorkerFactory = () => WorkerHandle;

export interface InferencePoolOptions {
  workers: number;
  /** Jobs waiting for a worker before new ones are refused with OVERLOADED. */
  queueLimit: number;
  createWorker: WorkerFactory;
  log: { warn(message: string): void; error(message: string): void };
}

type JobRequest = { type: 'load'; modelPath: string } | { type: 'run'; modelPath: string; feeds: Record<string, TensorData> };

interface Job {
  request: JobRequest;
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
  startedAt?: number;
}

interface Slot {
  worker: WorkerHandle;
  job?: Job;
}

/** Compiled worker entry; it sits next to this file in dist/. */
export const WORKER_ENTRY = join(__dirname, 'inference-worker.js');

export function threadWorkerFactory(sessionOptions: SessionOptions): WorkerFactory {
  const workerData: InferenceWorkerData = { sessionOptions };
  return () => new Worker(WORKER_ENTRY, { workerData });
}

/**
 * N inference workers behind one bounded FIFO queue. A full queue refuses work (503 + Retry-After) instead of
 * growing without limit; a crashed worker fails its job with MODEL_UNAVAILABLE and is replaced.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextJobId = 1;
  /** Moving average of job durations, for Retry-After. */
  private averageJobMs = 1000;
  private closing = false;

  constructor(private readonly options: InferencePoolOptions) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.startWorker());
  }

  /** Creates (or reuses) the model's session in a worker; reports the execution provider that won. */
  async load(modelPath: string): Promise<LoadedModel> {
    const reply = await this.submit({ type: 'load', modelPath });
    if (reply.type !== 'loaded') throw new Error(`unexpected worker reply ${reply.type}`);
    const { executionProvider, inputNames, outputNames } = reply;
    return { executionProvider, inputNames, outputNames };
  }

  /** Runs one forward pass; the feeds' buffers are transferred (unusable by the caller afterwards). */
  async run(modelPath: string, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const reply = await this.submit({ type: 'run', modelPath, feeds });
    if (reply.type !== 'result') throw new Error(`unexpected worker reply ${reply.type}`);
    return reply.outputs;
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(unavailable('the inference pool is shutting down'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private submit(request: JobRequest): Promise<WorkerReply> {
    if (this.closing) return Promise.reject(unavailable('the inference pool is shutting down'));
    if (this.queue.length >= this.options.queueLimit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.queue.length * this.averageJobMs) / this.slots.length / 1000));
      return Promise.reject(
        new DomainError('OVERLOADED', 'Inference queue is full; retry later', { queueLimit: this.options.queueLimit }, retryAfterSeconds),
      );
    }
    return new Promise<WorkerReply>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      job.startedAt = Date.now();
      const jobId = this.nextJobId++;
      const transfer =
        job.request.type === 'run' ? Object.values(job.request.feeds).map((tensor) => tensor.data.buffer as ArrayBuffer) : [];
      slot.worker.postMessage({ ...job.request, jobId }, transfer);
    }
  }

  private startWorker(): Slot {
    const slot: Slot = { worker: this.options.createWorker() };
    slot.worker.on('message', (reply) => this.onReply(slot, reply));
    slot.worker.on('error', (error) => this.options.log.error(`inference worker crashed: ${error.stack ?? error.message}`));
    slot.worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'warning') {
      this.options.log.warn(reply.message);
      return;
    }
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    this.averageJobMs = 0.8 * this.averageJobMs + 0.2 * (Date.now() - (job.startedAt ?? Date.now()));
    if (reply.type === 'failed') {
      // A model that cannot load is unavailable; a failing forward pass is a bug (500 via the global filter).
      job.reject(reply.phase === 'load' ? unavailable(`model could not be loaded: ${reply.message}`) : new Error(`inference failed: ${reply.message}`));
    } else {
      job.resolve(reply);
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    slot.job?.reject(unavailable(this.closing ? 'the inference pool is shutting down' : 'the inference worker stopped unexpectedly'));
    slot.job = undefined;
    if (this.closing) return;
    this.options.log.error(`inference worker exited with code ${code}; starting a new one`);
    const index = this.slots.indexOf(slot);
    this.slots[index] = this.startWorker();
    this.dispatch();
  }
}

function unavailable(message: string): DomainError {
  return new DomainError('MODEL_UNAVAILABLE', message);
}
