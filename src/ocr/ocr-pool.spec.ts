import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { OcrPool } from './ocr-pool';

class FakeWorker {
  terminated = false;
  constructor(readonly id: number) {}
  async terminate(): Promise<void> {
    this.terminated = true;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function fakePool(size: number, queueLimit: number) {
  const created: FakeWorker[] = [];
  const pool = new OcrPool({
    size,
    queueLimit,
    create: async () => {
      const worker = new FakeWorker(created.length);
      created.push(worker);
      return worker;
    },
  });
  return { pool, created };
}

describe('OcrPool', () => {
  it('creates workers lazily and reuses idle ones', async () => {
    const { pool, created } = fakePool(2, 4);
    assert.equal(created.length, 0);
    assert.equal(await pool.run(async (w) => w.id), 0);
    assert.equal(await pool.run(async (w) => w.id), 0);
    assert.equal(created.length, 1);
  });

  it('runs at most `size` jobs at once and queues the rest in order', async () => {
    const { pool, created } = fakePool(1, 4);
    const gate = deferred();
    const order: string[] = [];
    const first = pool.run(async () => {
      await gate.promise;
      order.push('first');
    });
    const second = pool.run(async () => void order.push('second'));
    await new Promise((r) => setImmediate(r));
    assert.equal(pool.pending, 1);
    gate.resolve();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(created.length, 1);
  });

  it('answers OVERLOADED with Retry-After when the queue is full', async () => {
    const { pool } = fakePool(1, 1);
    const gate = deferred();
    const busy = pool.run(() => gate.promise);
    const queued = pool.run(async () => undefined);
    await new Promise((r) => setImmediate(r));
    await assert.rejects(pool.run(async () => undefined), (error: DomainError) => {
      assert.equal(error.code, 'OVERLOADED');
      assert.ok((error.retryAfterSeconds ?? 0) >= 1);
      return true;
    });
    gate.resolve();
    await Promise.all([busy, queued]);
  });

  it('replaces a worker whose job failed', async () => {
    const { pool, created } = fakePool(1, 2);
    await assert.rejects(pool.run(async () => Promise.reject(new Error('wasm abort'))), /wasm abort/);
    assert.equal(created[0].terminated, true);
    assert.equal(await pool.run(async (w) => w.id), 1);
  });

  it('hands a fresh worker to a queued job when the busy one fails', async () => {
    const { pool } = fakePool(1, 2);
    const gate = deferred();
    const failing = pool.run(async () => {
      await gate.promise;
      throw new Error('crash');
    });
    const queued = pool.run(async (w) => w.id);
    gate.resolve();
    await assert.rejects(failing, /crash/);
    assert.equal(await queued, 1);
  });

  it('surfaces creation failures and retries creation later', async () => {
    let attempts = 0;
    const pool = new OcrPool({
      size: 1,
      queueLimit: 1,
      create: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('no traineddata');
        return new FakeWorker(attempts);
      },
    });
    await assert.rejects(pool.run(async () => undefined), /no traineddata/);
    assert.equal(await pool.run(async (w) => w.id), 2);
  });

  it('close rejects queued jobs and terminates workers', async () => {
    const { pool, created } = fakePool(1, 2);
    const gate = deferred();
    const busy = pool.run(() => gate.promise);
    const queued = pool.run(async () => undefined);
    await new Promise((r) => setImmediate(r));
    await pool.close();
    await assert.rejects(queued, (error: DomainError) => error.code === 'OVERLOADED');
    gate.resolve();
    await busy;
    assert.equal(created[0].terminated, true);
    await assert.rejects(pool.run(async () => undefined), (error: DomainError) => error.code === 'OVERLOADED');
  });
});
