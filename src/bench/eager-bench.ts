import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppConfig } from '../config/app-config';

const run = promisify(execFile);

/** What `python -m aetnet_trainer.bench_eager` prints: median ms per forward at batch 1. */
export interface EagerTimings {
  checkpoint: string;
  task: string;
  preset: string;
  model: Record<string, unknown>;
  plain: boolean;
  torch: string;
  threads: number;
  length: number;
  windows: number;
  /** Image side alone (a split bundle runs it once per page). */
  imageMs: number;
  /** Text side given image embeddings (a split bundle, per window). */
  textMs: number;
  /** The whole model (a single-graph bundle, per window). */
  fullMs: number;
}

/**
 * Times the checkpoint's PyTorch eager forward in the trainer's environment (a child process of the trainer's
 * Python), with torch's thread count set to ONNX Runtime's, at `length` tokens per window.
 */
export async function runEagerBench(
  config: Pick<AppConfig, 'pythonPath' | 'trainerDir'>,
  options: { checkpoint: string; windows: number; length: number; threads: number; timeoutMs: number },
): Promise<EagerTimings> {
  const args = ['-m', 'aetnet_trainer.bench_eager', '--checkpoint', options.checkpoint, '--windows', String(options.windows), '--length', String(options.length), '--threads', String(options.threads)];
  const { stdout } = await run(config.pythonPath, args, {
    env: { ...process.env, PYTHONPATH: join(config.trainerDir, 'src') },
    timeout: options.timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as EagerTimings;
}

/** Eager time of a page as the service would run it: image side once + text side per window (split), else whole model per window. */
export function eagerPageMs(timings: Pick<EagerTimings, 'imageMs' | 'textMs' | 'fullMs'>, windows: number, splitImageEncoder: boolean): number {
  if (windows === 0) return 0;
  return splitImageEncoder ? timings.imageMs + windows * timings.textMs : windows * timings.fullMs;
}
