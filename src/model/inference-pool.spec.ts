import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { DomainError } from '../common/domain-error';
import { setTimeout as sleep } from 'node:timers/promises';
import { InferencePool, InferencePoolOptions, WorkerHandle } from './inference-pool';
import type { WorkerReply, WorkerRequest } from './inference-worker';
import type { TensorData } from './onnx-session';

type JobMessage = Exclude<WorkerRequest, { type: 'release' }>;

/** Records jobs (and session releases); the test answers jobs by hand, or crashes the "thread". */
class FakeWorker extends EventEmitter implements WorkerHandle {
  readonly requests: JobMessage[] = [];
  readonly released: string[] = [];
  terminated = false;

  postMessage(message: WorkerRequest): void {
    if (message.type === 'release') this.released.push(message.modelPath);
    else this.requests.push(message);
  }

  reply(message: WorkerReply): void {
    this.emit('message', message);
  }

  crash(): void {
    this.emit('error', new Error('boom'));
    this.emit('exit', 1);
  }

  async terminate(): Promise<number> {
    this.terminated = true;
    this.emit('exit', 1);
    return 1;
  }
}

type RunMessage = Extract<WorkerRequest, { type: 'run' }>;

/** Batching is off unless a test turns it on, so each run is one worker job. */
function makePool(workers = 1, queueLimit = 2, overrides: Partial<InferencePoolOptions> = {}) {
  const created: FakeWorker[] = [];
  const logged: string[] = [];
  const batches: Array<{ model: string; rows: number }> = [];
  const depths: Array<{ model: string; rows: number }> = [];
  const pool = new InferencePool({
    workers,
    queueLimit,
    batchMaxSize: 8,
    batchMaxWaitMs: 0,
    queueTimeoutMs: 60_000,
    createWorker: () => {
      const worker = new FakeWorker();
      created.push(worker);
      return worker;
    },
    log: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
    observer: {
      batchFinished: (model, rows) => batches.push({ model, rows }),
      queueDepth: (model, rows) => depths.push({ model, rows }),
    },
    ...overrides,
  });
  return { pool, created, logged, batches, depths };
}

/** Answers a run job with one logits tensor per request. */
function answer(worker: FakeWorker, index: number): void {
  const request = worker.requests[index] as RunMessage;
  worker.reply({ type: 'result', jobId: request.jobId, outputs: request.requests.map(logits) });
}

const feeds = (): Record<string, TensorData> => ({ input_ids: { dtype: 'int64', data: new BigInt64Array(2), dims: [1, 2] } });
const logits = (): Record<string, TensorData> => ({ logits: { dtype: 'float32', data: new Float32Array([1, 2]), dims: [1, 1, 2] } });
const rows = (message: JobMessage) => (message.type === 'run' ? message.requests.length : 0);

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DomainError);
  return error;
}

describe('InferencePool', () => {
  it('sends one job per worker and routes replies', async () => {
    const { pool, created } = makePool(2);
    const first = pool.run('/m.onnx', feeds());
    const second = pool.run('/m.onnx', feeds());
    assert.equal(created[0].requests.length, 1);
    assert.equal(created[1].requests.length, 1);
    answer(created[1], 0);
    answer(created[0], 0);
    assert.deepEqual(Array.from((await first).logits.data as Float32Array), [1, 2]);
    assert.ok(await second);
    await pool.shutdown();
  });

  it('refuses work with OVERLOADED and a Retry-After when the queue is full', async () => {
    const { pool, created } = makePool(1, 2);
    const running = pool.run('/m.onnx', feeds()); // dispatched to the worker
    const queued = [pool.run('/m.onnx', feeds()), pool.run('/m.onnx', feeds())]; // fills the queue
    const error = await rejection(pool.run('/m.onnx', feeds()));
    assert.equal(error.code, 'OVERLOADED');
    assert.ok(error.retryAfterSeconds !== undefined && error.retryAfterSeconds >= 1);
    // Draining the queue makes room again.
    for (let i = 0; i < 3; i++) answer(created[0], i);
    await Promise.all([running, ...queued]);
    const next = pool.run('/m.onnx', feeds());
    answer(created[0], 3);
    assert.ok(await next);
    await pool.shutdown();
  });

  it('fails the running job with MODEL_UNAVAILABLE on a crash and replaces the worker', async () => {
    const { pool, created, logged } = makePool(1, 4);
    const crashed = pool.run('/m.onnx', feeds());
    const waiting = pool.run('/m.onnx', feeds());
    created[0].crash();
    assert.equal((await rejection(crashed)).code, 'MODEL_UNAVAILABLE');
    assert.equal(created.length, 2);
    assert.equal(created[1].requests.length, 1, 'the queued job goes to the new worker');
    answer(created[1], 0);
    assert.ok(await waiting);
    assert.ok(logged.some((line) => line.includes('boom')));
    await pool.shutdown();
  });

  it('reports the execution provider of a load, and load failures as MODEL_UNAVAILABLE', async () => {
    const { pool, created } = makePool(1);
    const loaded = pool.load('/m.onnx');
    created[0].reply({ type: 'loaded', jobId: created[0].requests[0].jobId, executionProvider: 'cpu', providerFailures: ['cuda: no CUDA'], inputNames: ['input_ids'], outputNames: ['logits'] });
    assert.deepEqual(await loaded, { executionProvider: 'cpu', providerFailures: ['cuda: no CUDA'], inputNames: ['input_ids'], outputNames: ['logits'] });
    const broken = pool.load('/broken.onnx');
    created[0].reply({ type: 'failed', jobId: created[0].requests[1].jobId, phase: 'load', message: 'bad protobuf' });
    assert.equal((await rejection(broken)).code, 'MODEL_UNAVAILABLE');
    await pool.shutdown();
  });

  it('shutdown terminates workers, fails pending jobs and refuses new ones', async () => {
    const { pool, created } = makePool(1, 4);
    const running = pool.run('/m.onnx', feeds());
    const queued = pool.run('/m.onnx', feeds());
    await pool.shutdown();
    assert.ok(created[0].terminated);
    assert.equal(created.length, 1, 'no restart while closing');
    assert.equal((await rejection(running)).code, 'MODEL_UNAVAILABLE');
    assert.equal((await rejection(queued)).code, 'MODEL_UNAVAILABLE');
    assert.equal((await rejection(pool.run('/m.onnx', feeds()))).code, 'MODEL_UNAVAILABLE');
  });

  it('merges concurrent calls within the wait window into one batch', async () => {
    const { pool, created, batches } = makePool(1, 64, { batchMaxWaitMs: 20 });
    const calls = Array.from({ length: 4 }, () => pool.run('/models/tiny/m.onnx', feeds()));
    assert.equal(created[0].requests.length, 0, 'the first call waits for company');
    await sleep(40);
    assert.equal(created[0].requests.length, 1);
    assert.equal(rows(created[0].requests[0]), 4);
    answer(created[0], 0);
    const outputs = await Promise.all(calls);
    assert.ok(outputs.every((output) => output.logits.dims[0] === 1), 'each caller gets its own rows');
    assert.deepEqual(batches, [{ model: 'tiny', rows: 4 }]);
    await pool.shutdown();
  });

  it('sends a batch as soon as it is full, and keeps the rest for the next one', async () => {
    const { pool, created } = makePool(1, 64, { batchMaxWaitMs: 10_000, batchMaxSize: 3 });
    const calls = Array.from({ length: 4 }, () => pool.run('/m.onnx', feeds()));
    assert.equal(created[0].requests.length, 1);
    assert.equal(rows(created[0].requests[0]), 3);
    answer(created[0], 0);
    await Promise.all(calls.slice(0, 3));
    assert.equal(created[0].requests.length, 1, 'the fourth call waits for its own batch to fill or its wait to end');
    await pool.shutdown();
    assert.equal((await rejection(calls[3])).code, 'MODEL_UNAVAILABLE');
  });

  it('with batching off (max wait 0) sends each call as its own run', async () => {
    const { pool, created } = makePool(1, 64);
    const calls = Array.from({ length: 4 }, () => pool.run('/m.onnx', feeds()));
    for (let i = 0; i < 4; i++) {
      assert.equal(created[0].requests.length, i + 1);
      assert.equal(rows(created[0].requests[i]), 1);
      answer(created[0], i);
      await calls[i];
    }
    await pool.shutdown();
  });

  it('batches each session of a bundle apart, with the label and pad id given at load', async () => {
    const { pool, created, batches } = makePool(1, 64, { batchMaxWaitMs: 5 });
    const loads = [
      pool.load('/b/model.onnx', { label: 'doc-vqa', padId: 1 }),
      pool.load('/b/image_encoder.onnx', { label: 'doc-vqa:imageEncoder' }),
    ];
    for (const index of [0, 1]) {
      const message = created[0].requests[index];
      created[0].reply({ type: 'loaded', jobId: message.jobId, executionProvider: 'cpu', providerFailures: [], inputNames: [], outputNames: [] });
    }
    await Promise.all(loads);
    const calls = [pool.run('/b/image_encoder.onnx', feeds()), pool.run('/b/model.onnx', feeds()), pool.run('/b/model.onnx', feeds())];
    await sleep(20);
    const first = created[0].requests[2] as RunMessage;
    assert.equal(first.modelPath, '/b/image_encoder.onnx', 'the oldest waiting request goes first');
    assert.equal(first.requests.length, 1);
    answer(created[0], 2);
    await sleep(0);
    const second = created[0].requests[3] as RunMessage;
    assert.equal(second.modelPath, '/b/model.onnx');
    assert.equal(second.requests.length, 2);
    assert.deepEqual(second.padValues, { input_ids: 1 });
    answer(created[0], 3);
    await Promise.all(calls);
    assert.deepEqual(batches, [
      { model: 'doc-vqa:imageEncoder', rows: 1 },
      { model: 'doc-vqa', rows: 2 },
    ]);
    await pool.shutdown();
  });

  it('release asks every worker, busy or idle, to free the session and forgets its label and pad id', async () => {
    const { pool, created, batches } = makePool(2, 64);
    const loaded = pool.load('/b/model.onnx', { label: 'old-version', padId: 1 });
    created[0].reply({ type: 'loaded', jobId: created[0].requests[0].jobId, executionProvider: 'cpu', providerFailures: [], inputNames: [], outputNames: [] });
    await loaded;
    const running = pool.run('/other.onnx', feeds()); // keeps worker 0 busy
    pool.release('/b/model.onnx');
    assert.deepEqual(
      created.map((worker) => worker.released),
      [['/b/model.onnx'], ['/b/model.onnx']],
    );
    answer(created[0], 1);
    assert.ok(await running, 'the busy worker’s job is unaffected');

    const again = pool.run('/b/model.onnx', feeds());
    const message = created[0].requests.at(-1) as RunMessage;
    assert.equal(message.type, 'run');
    assert.deepEqual(message.padValues, {});
    answer(created[0], created[0].requests.length - 1);
    await again;
    assert.equal(batches.at(-1)?.model, 'b', 'labelled by its folder again');

    await pool.shutdown();
    pool.release('/b/model.onnx');
    assert.deepEqual(created[1].released, ['/b/model.onnx'], 'nothing is sent while shutting down');
  });

  it('fails a call that waits longer than the queue timeout with OVERLOADED', async () => {
    const { pool, depths } = makePool(1, 64, { queueTimeoutMs: 20 });
    const loading = pool.load('/m.onnx'); // never answered: the only worker stays busy
    const error = await rejection(pool.run('/m.onnx', feeds()));
    assert.equal(error.code, 'OVERLOADED');
    assert.ok(error.retryAfterSeconds !== undefined && error.retryAfterSeconds >= 1);
    assert.equal(depths.at(-1)?.rows, 0, 'the expired call left the queue');
    await pool.shutdown();
    await rejection(loading);
  });

  it('replaces a worker whose batch runs past the timeout, failing the batch with 503', async () => {
    const { pool, created, logged } = makePool(1, 64, { queueTimeoutMs: 20 });
    const error = await rejection(pool.run('/m.onnx', feeds()));
    assert.equal(error.code, 'MODEL_UNAVAILABLE');
    assert.ok(created[0].terminated);
    assert.equal(created.length, 2);
    assert.ok(logged.some((line) => line.includes('ran over')));
    await pool.shutdown();
  });
});
