import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { DomainError } from '../common/domain-error';
import { InferencePool, WorkerHandle } from './inference-pool';
import type { WorkerReply, WorkerRequest } from './inference-worker';
import type { TensorData } from './onnx-session';

/** Records requests; the test answers them by hand, or crashes the "thread". */
class FakeWorker extends EventEmitter implements WorkerHandle {
  readonly requests: WorkerRequest[] = [];
  terminated = false;

  postMessage(message: WorkerRequest): void {
    this.requests.push(message);
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

function makePool(workers = 1, queueLimit = 2) {
  const created: FakeWorker[] = [];
  const logged: string[] = [];
  const pool = new InferencePool({
    workers,
    queueLimit,
    createWorker: () => {
      const worker = new FakeWorker();
      created.push(worker);
      return worker;
    },
    log: { warn: (m) => logged.push(m), error: (m) => logged.push(m) },
  });
  return { pool, created, logged };
}

const feeds = (): Record<string, TensorData> => ({ input_ids: { dtype: 'int64', data: new BigInt64Array(2), dims: [1, 2] } });
const logits = (): Record<string, TensorData> => ({ logits: { dtype: 'float32', data: new Float32Array([1, 2]), dims: [1, 1, 2] } });

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
    created[1].reply({ type: 'result', jobId: created[1].requests[0].jobId, outputs: logits() });
    created[0].reply({ type: 'result', jobId: created[0].requests[0].jobId, outputs: logits() });
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
    for (let i = 0; i < 3; i++) {
      const request = created[0].requests[i];
      created[0].reply({ type: 'result', jobId: request.jobId, outputs: logits() });
    }
    await Promise.all([running, ...queued]);
    const next = pool.run('/m.onnx', feeds());
    created[0].reply({ type: 'result', jobId: created[0].requests[3].jobId, outputs: logits() });
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
    created[1].reply({ type: 'result', jobId: created[1].requests[0].jobId, outputs: logits() });
    assert.ok(await waiting);
    assert.ok(logged.some((line) => line.includes('boom')));
    await pool.shutdown();
  });

  it('reports the execution provider of a load, and load failures as MODEL_UNAVAILABLE', async () => {
    const { pool, created } = makePool(1);
    const loaded = pool.load('/m.onnx');
    created[0].reply({ type: 'loaded', jobId: created[0].requests[0].jobId, executionProvider: 'cpu', inputNames: ['input_ids'], outputNames: ['logits'] });
    assert.deepEqual(await loaded, { executionProvider: 'cpu', inputNames: ['input_ids'], outputNames: ['logits'] });
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
});
