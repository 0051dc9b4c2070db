import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../common/domain-error';
import { canMerge, Feeds, rowCount } from './batch-tensors';
import type { InferenceWorkerData, LoadedModel, WorkerReply, WorkerRequest } from './inference-worker';
import type { SessionOptions } from './onnx-session';

/** The part of a worker_threads Worker the pool uses, so specs can drive it with a fake. */
export interface WorkerHandle {
  postMessage(message: WorkerRequest, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (reply: WorkerReply) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

export type WorkerFactory = () => WorkerHandle;

/**
 * How the pool labels and pads one ONNX session (a bundle's model, or its split image encoder: each is
 * addressed by its file path). Defaults: the bundle folder's name, pad id 0.
 */
export interface SessionInfo {
  /** Metric label, e.g. the model id, or "<id>:imageEncoder". */
  label?: string;
  /** Fills padded input_ids when requests of different lengths share a batch (the tokenizer's pad id). */
  padId?: number;
}

/** What the pool reports, so metrics live outside it (src/metrics). `model` is a model id (or a bundle folder). */
export interface InferencePoolObserver {
  queueDepth(model: string, rows: number): void;
  batchFinished(model: string, rows: number, seconds: number): void;
}

export interface InferencePoolOptions {
  workers: number;
  /** Rows (windows) waiting for a worker, over all models, before new requests are refused with OVERLOADED. */
  queueLimit: number;
  /** A batch is sent once it holds this many rows… */
  batchMaxSize: number;
  /** …or this long after its first request arrived; 0 sends every request alone. */
  batchMaxWaitMs: number;
  /** Longest a request may wait for a worker, and a batch may run, before it fails with 503. */
  queueTimeoutMs: number;
  createWorker: WorkerFactory;
  log: { warn(message: string): void; error(message: string): void };
  observer?: InferencePoolObserver;
}

/** One ONNX session as the pool addresses it: its file (what workers key sessions by) and its metric label. */
interface SessionTarget {
  path: string;
  label: string;
  padValues: Record<string, number>;
}

interface RunRequest {
  target: SessionTarget;
  feeds: Feeds;
  rows: number;
  arrivedAt: number;
  timeout: NodeJS.Timeout;
  resolve(outputs: Feeds): void;
  reject(error: Error): void;
}

interface LoadJob {
  kind: 'load';
  modelPath: string;
  resolve(model: LoadedModel): void;
  reject(error: Error): void;
}

interface BatchJob {
  kind: 'batch';
  target: SessionTarget;
  requests: RunRequest[];
}

interface Slot {
  worker: WorkerHandle;
  job?: LoadJob | BatchJob;
  startedAt?: number;
  watchdog?: NodeJS.Timeout;
}

/** Compiled worker entry; it sits next to this file in dist/. */
export const WORKER_ENTRY = join(__dirname, 'inference-worker.js');

export function threadWorkerFactory(sessionOptions: SessionOptions): WorkerFactory {
  const workerData: InferenceWorkerData = { sessionOptions };
  return () => new Worker(WORKER_ENTRY, { workerData });
}

const SHUTTING_DOWN = 'the inference pool is shutting down';

/**
 * N inference workers fed from bounded per-session queues with dynamic batching: concurrent requests to one
 * session are sent to a worker together (it pads them into one forward pass) once the batch is full or its
 * first request has waited `batchMaxWaitMs`. A full queue refuses work (503 + Retry-After) instead of growing;
 * no request waits longer than `queueTimeoutMs`; a crashed worker fails its batch with MODEL_UNAVAILABLE and is
 * replaced.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly loads: LoadJob[] = [];
  /** Waiting requests per session path, oldest first. */
  private readonly waiting = new Map<string, RunRequest[]>();
  private readonly targetsByPath = new Map<string, SessionTarget>();
  private waitingRows = 0;
  private nextJobId = 1;
  /** Moving average of batch durations, for Retry-After. */
  private averageBatchMs = 1000;
  private flushTimer?: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly options: InferencePoolOptions) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.startWorker());
  }

  /** Creates (or reuses) the session of one ONNX file in a worker; reports the execution provider that won. */
  load(modelPath: string, info: SessionInfo = {}): Promise<LoadedModel> {
    if (this.closing) return Promise.reject(unavailable(SHUTTING_DOWN));
    // A later load without info (e.g. an evaluation run) keeps what the registry set.
    const known = this.targetsByPath.get(modelPath);
    this.targetsByPath.set(modelPath, {
      path: modelPath,
      label: info.label ?? known?.label ?? defaultLabel(modelPath),
      padValues: { input_ids: info.padId ?? known?.padValues.input_ids ?? 0 },
    });
    return new Promise<LoadedModel>((resolve, reject) => {
      this.loads.push({ kind: 'load', modelPath, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * One forward pass of the session at `modelPath`, batched with concurrent requests to the same session. The
   * feeds' buffers are transferred (unusable by the caller afterwards); the outputs hold only this request's
   * rows, cut back to its own sequence length.
   */
  run(modelPath: string, feeds: Feeds): Promise<Feeds> {
    let target = this.targetsByPath.get(modelPath);
    if (!target) {
      target = { path: modelPath, label: defaultLabel(modelPath), padValues: {} };
      this.targetsByPath.set(modelPath, target);
    }
    return this.enqueue(target, feeds);
  }

  /**
   * Frees the session at `modelPath` in every worker (each holds its own), e.g. once a removed model version
   * has no request left. Workers free it after the job they are running; a later load or run creates it again.
   */
  release(modelPath: string): void {
    if (this.closing) return;
    this.targetsByPath.delete(modelPath);
    for (const slot of this.slots) slot.worker.postMessage({ type: 'release', modelPath });
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.flushTimer);
    for (const job of this.loads.splice(0)) job.reject(unavailable(SHUTTING_DOWN));
    for (const requests of this.waiting.values()) {
      for (const request of requests.splice(0)) {
        clearTimeout(request.timeout);
        request.reject(unavailable(SHUTTING_DOWN));
      }
    }
    this.waitingRows = 0;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private enqueue(target: SessionTarget, feeds: Feeds): Promise<Feeds> {
    if (this.closing) return Promise.reject(unavailable(SHUTTING_DOWN));
    const rows = rowCount(feeds);
    if (this.waitingRows > 0 && this.waitingRows + rows > this.options.queueLimit) {
      return Promise.reject(this.overloaded('Inference queue is full; retry later', { queueLimit: this.options.queueLimit }));
    }
    return new Promise<Feeds>((resolve, reject) => {
      const request: RunRequest = {
        target,
        feeds,
        rows,
        arrivedAt: Date.now(),
        resolve,
        reject,
        timeout: setTimeout(() => this.expire(request), this.options.queueTimeoutMs),
      };
      const queue = this.waiting.get(target.path) ?? [];
      queue.push(request);
      this.waiting.set(target.path, queue);
      this.waitingRows += rows;
      this.reportDepth(target);
      this.dispatch();
    });
  }

  private expire(request: RunRequest): void {
    const queue = this.waiting.get(request.target.path) ?? [];
    const index = queue.indexOf(request);
    if (index < 0) return;
    queue.splice(index, 1);
    this.waitingRows -= request.rows;
    this.reportDepth(request.target);
    request.reject(this.overloaded(`Inference did not start within ${this.options.queueTimeoutMs / 1000} s; retry later`));
  }

  private overloaded(message: string, details?: Record<string, unknown>): DomainError {
    const waitingRequests = [...this.waiting.values()].reduce((sum, queue) => sum + queue.length, 0);
    const batchesAhead = this.options.batchMaxWaitMs === 0 ? waitingRequests : Math.ceil(this.waitingRows / this.options.batchMaxSize);
    const retryAfterSeconds = Math.max(1, Math.ceil((batchesAhead * this.averageBatchMs) / this.slots.length / 1000));
    return new DomainError('OVERLOADED', message, details, retryAfterSeconds);
  }

  private dispatch(): void {
    if (this.closing) return;
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.loads.shift() ?? this.nextBatch(Date.now());
      if (!job) break;
      this.start(slot, job);
    }
    this.scheduleFlush();
  }

  /** The due batch whose first request is oldest: full, or waited long enough, or batching is off. */
  private nextBatch(now: number): BatchJob | undefined {
    const { batchMaxSize, batchMaxWaitMs } = this.options;
    let chosen: RunRequest[] | undefined;
    for (const queue of this.waiting.values()) {
      if (queue.length === 0) continue;
      const queuedRows = queue.reduce((sum, request) => sum + request.rows, 0);
      const due = batchMaxWaitMs === 0 || queuedRows >= batchMaxSize || now - queue[0].arrivedAt >= batchMaxWaitMs;
      if (due && (!chosen || queue[0].arrivedAt < chosen[0].arrivedAt)) chosen = queue;
    }
    if (!chosen) return undefined;
    const requests = [chosen.shift()!];
    let rows = requests[0].rows;
    while (batchMaxWaitMs > 0 && chosen.length > 0 && rows + chosen[0].rows <= batchMaxSize && canMerge(requests[0].feeds, chosen[0].feeds)) {
      rows += chosen[0].rows;
      requests.push(chosen.shift()!);
    }
    this.waitingRows -= rows;
    for (const request of requests) clearTimeout(request.timeout);
    this.reportDepth(requests[0].target);
    return { kind: 'batch', target: requests[0].target, requests };
  }

  /** While a worker is free and a batch is still filling, wake up when its wait is over. */
  private scheduleFlush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.slots.some((slot) => !slot.job)) return;
    const oldest = Math.min(...[...this.waiting.values()].filter((queue) => queue.length > 0).map((queue) => queue[0].arrivedAt));
    if (!Number.isFinite(oldest)) return;
    const delay = Math.max(0, oldest + this.options.batchMaxWaitMs - Date.now());
    this.flushTimer = setTimeout(() => this.dispatch(), delay);
  }

  private start(slot: Slot, job: LoadJob | BatchJob): void {
    slot.job = job;
    slot.startedAt = Date.now();
    const jobId = this.nextJobId++;
    if (job.kind === 'load') {
      slot.worker.postMessage({ type: 'load', jobId, modelPath: job.modelPath });
      return;
    }
    // A hung forward pass must not hold its requests forever: the worker is replaced and they fail with 503.
    slot.watchdog = setTimeout(() => {
      this.options.log.error(`inference batch on ${job.target.label} ran over ${this.options.queueTimeoutMs / 1000} s; restarting the worker`);
      void slot.worker.terminate();
    }, this.options.queueTimeoutMs);
    const requests = job.requests.map((request) => request.feeds);
    const buffers = requests.flatMap((feeds) => Object.values(feeds).map((tensor) => tensor.data.buffer as ArrayBuffer));
    slot.worker.postMessage({ type: 'run', jobId, modelPath: job.target.path, requests, padValues: job.target.padValues }, [...new Set(buffers)]);
  }

  private startWorker(): Slot {
    const slot: Slot = { worker: this.options.createWorker() };
    slot.worker.on('message', (reply) => this.onReply(slot, reply));
    slot.worker.on('error', (error) => this.options.log.error(`inference worker crashed: ${error.stack ?? error.message}`));
    slot.worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private finishJob(slot: Slot): LoadJob | BatchJob | undefined {
    const job = slot.job;
    slot.job = undefined;
    clearTimeout(slot.watchdog);
    return job;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'warning') {
      this.options.log.warn(reply.message);
      return;
    }
    const elapsedMs = Date.now() - (slot.startedAt ?? Date.now());
    const job = this.finishJob(slot);
    if (!job) return;
    // A model that cannot load is unavailable; a failing forward pass is a bug (500 via the global filter).
    const failure =
      reply.type === 'failed'
        ? reply.phase === 'load'
          ? unavailable(`model could not be loaded: ${reply.message}`)
          : new Error(`inference failed: ${reply.message}`)
        : undefined;
    if (job.kind === 'load') {
      if (reply.type === 'loaded') {
        const { executionProvider, providerFailures, inputNames, outputNames } = reply;
        job.resolve({ executionProvider, providerFailures, inputNames, outputNames });
      }
      else job.reject(failure ?? new Error(`unexpected worker reply ${reply.type}`));
    } else {
      const rows = job.requests.reduce((sum, request) => sum + request.rows, 0);
      this.averageBatchMs = 0.8 * this.averageBatchMs + 0.2 * elapsedMs;
      this.options.observer?.batchFinished(job.target.label, rows, elapsedMs / 1000);
      const outputs = reply.type === 'result' && reply.outputs.length === job.requests.length ? reply.outputs : undefined;
      job.requests.forEach((request, index) =>
        outputs ? request.resolve(outputs[index]) : request.reject(failure ?? new Error(`unexpected worker reply ${reply.type}`)),
      );
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const job = this.finishJob(slot);
    const error = unavailable(this.closing ? SHUTTING_DOWN : 'the inference worker stopped unexpectedly');
    if (job?.kind === 'load') job.reject(error);
    if (job?.kind === 'batch') for (const request of job.requests) request.reject(error);
    if (this.closing) return;
    this.options.log.error(`inference worker exited with code ${code}; starting a new one`);
    const index = this.slots.indexOf(slot);
    this.slots[index] = this.startWorker();
    this.dispatch();
  }

  /** Rows waiting for every session that shares the target's label. */
  private reportDepth(target: SessionTarget): void {
    let rows = 0;
    for (const queue of this.waiting.values()) {
      for (const request of queue) if (request.target.label === target.label) rows += request.rows;
    }
    this.options.observer?.queueDepth(target.label, rows);
  }
}

function defaultLabel(modelPath: string): string {
  return basename(dirname(modelPath));
}

function unavailable(message: string): DomainError {
  return new DomainError('MODEL_UNAVAILABLE', message);
}
