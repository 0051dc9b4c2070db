import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createModelSession } from '../model/onnx-session';
import { matMulFlops, matMulModel } from './matmul-graph';
import { percentile } from '../evaluation/latency-stats';

export interface MatMulRate {
  shape: { m: number; k: number; n: number };
  intraOpThreads: number;
  runs: number;
  medianMs: number;
  gflopsPerSecond: number;
}

/**
 * Times `[m, k] × [k, n]` in ONNX Runtime (CPU, the service's intra-op thread setting) for about `budgetMs` after
 * a warm-up; the median run gives the machine's sustained matmul rate at that shape.
 */
export async function measureMatMulRate(
  shape: { m: number; k: number; n: number },
  options: { intraOpThreads: number; budgetMs: number; minRuns?: number },
): Promise<MatMulRate> {
  const { m, k, n } = shape;
  const dir = await mkdtemp(join(tmpdir(), 'aetnet-matmul-'));
  try {
    const path = join(dir, 'matmul.onnx');
    await writeFile(path, matMulModel(m, k, n));
    const session = await createModelSession(path, { executionProviders: ['cpu'], intraOpThreads: options.intraOpThreads }, () => undefined);
    try {
      const fill = (size: number) => Float32Array.from({ length: size }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
      const a = fill(m * k);
      const b = fill(k * n);
      // Fresh copies each run: the session adapter may hand buffers to ORT.
      const run = () => session.run({ A: { dtype: 'float32', data: a.slice(), dims: [m, k] }, B: { dtype: 'float32', data: b.slice(), dims: [k, n] } });
      await run();
      const times: number[] = [];
      const started = performance.now();
      while (times.length < (options.minRuns ?? 5) || performance.now() - started < options.budgetMs) {
        const runStarted = performance.now();
        await run();
        times.push(performance.now() - runStarted);
        if (times.length >= 10_000) break;
      }
      const medianMs = percentile(times, 50);
      return { shape, intraOpThreads: options.intraOpThreads, runs: times.length, medianMs, gflopsPerSecond: matMulFlops(m, k, n) / (medianMs * 1e6) };
    } finally {
      await session.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The same measurement in a fresh Node process. The bench measures after its apps have run, and their leftover
 * threads in the bench's own process cut the rate by up to 2.5× (47 vs 118 GFLOP/s here), which put model times
 * "under" their FLOP limit.
 */
export function measureMatMulRateIsolated(
  shape: { m: number; k: number; n: number },
  options: { intraOpThreads: number; budgetMs: number; minRuns?: number },
): Promise<MatMulRate> {
  const script = `require(${JSON.stringify(__filename)}).measureMatMulRate(${JSON.stringify(shape)}, ${JSON.stringify(options)})` +
    '.then((rate) => process.stdout.write(JSON.stringify(rate)), (error) => { console.error(error); process.exit(1); })';
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: 120_000 + options.budgetMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`matmul rate child failed: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as MatMulRate);
    });
  });
}
