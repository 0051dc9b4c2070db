import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessJobQueue } from './job-queue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InProcessJobQueue', () => {
  it('runs at most `concurrency` jobs at once, in FIFO order, and continues after a failure', async () => {
    const queue = new InProcessJobQueue(1);
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    await queue.start(
      (id) =>
        new Promise<void>((resolve, reject) => {
          started.push(id);
          finish.set(id, id === 'a' ? () => reject(new Error('boom')) : resolve);
        }),
    );
    await queue.enqueue('a');
    await queue.enqueue('b');
    await queue.enqueue('b');
    await tick();
    assert.deepEqual(started, ['a']);
    finish.get('a')?.();
    await tick();
    await tick();
    assert.deepEqual(started, ['a', 'b']);
    finish.get('b')?.();
    await queue.close();
    assert.deepEqual(started, ['a', 'b']);
  });

  it('holds jobs until a handler is started, and takes none after close', async () => {
    const queue = new InProcessJobQueue(2);
    const started: string[] = [];
    await queue.enqueue('x');
    await queue.start(async (id) => {
      started.push(id);
    });
    await queue.close();
    await queue.enqueue('y');
    await tick();
    assert.deepEqual(started, ['x']);
  });
});
