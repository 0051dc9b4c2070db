import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelSession } from '../model/onnx-session';
import { matMulFlops, matMulModel } from './matmul-graph';
import { measureMatMulRate, measureMatMulRateIsolated } from './matmul-rate';

describe('matMulModel', () => {
  it('is an ONNX model that ONNX Runtime loads and that multiplies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'matmul-spec-'));
    try {
      const path = join(dir, 'm.onnx');
      await writeFile(path, matMulModel(2, 3, 2));
      const session = await createModelSession(path, { executionProviders: ['cpu'], intraOpThreads: 1 }, () => undefined);
      const outputs = await session.run({
        A: { dtype: 'float32', data: Float32Array.from([1, 2, 3, 4, 5, 6]), dims: [2, 3] },
        B: { dtype: 'float32', data: Float32Array.from([1, 0, 0, 1, 1, 1]), dims: [3, 2] },
      });
      assert.deepEqual([...outputs.Y.data], [4, 5, 10, 11]);
      assert.deepEqual(outputs.Y.dims, [2, 2]);
      await session.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses non-positive sizes and counts 2mkn FLOPs', () => {
    assert.throws(() => matMulModel(0, 3, 2), RangeError);
    assert.equal(matMulFlops(2, 3, 4), 48);
  });

  it('measures a positive rate', async () => {
    const rate = await measureMatMulRate({ m: 32, k: 32, n: 32 }, { intraOpThreads: 1, budgetMs: 20 });
    assert.ok(rate.runs >= 5);
    assert.ok(rate.gflopsPerSecond > 0);
  });

  it('measures the same shape in a fresh process', async () => {
    const rate = await measureMatMulRateIsolated({ m: 32, k: 32, n: 32 }, { intraOpThreads: 1, budgetMs: 20 });
    assert.deepEqual(rate.shape, { m: 32, k: 32, n: 32 });
    assert.ok(rate.runs >= 5 && rate.gflopsPerSecond > 0);
  });
});
