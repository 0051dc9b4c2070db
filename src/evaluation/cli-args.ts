import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Bad command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export const EVAL_USAGE =
  'usage: eval --dataset funsd --split test|train [--funsd-dir <dir>] [--model <id>] [--mode gold|ocr|both] [--limit N] [--json <out.json>]';
export const BENCH_USAGE = 'usage: bench [--pages N (default 10)] [--funsd-dir <dir>] [--model <id>]';

export const EVAL_MODES = ['gold', 'ocr', 'both'] as const;
export type EvalMode = (typeof EVAL_MODES)[number];

/** FUNSD split name → its folder under the FUNSD root. */
export const FUNSD_SPLITS: Readonly<Record<string, string>> = { train: 'training_data', test: 'testing_data' };
const DATASETS = ['funsd'];

export interface EvalArgs {
  dataset: string;
  split: string;
  funsdDir: string;
  model?: string;
  mode: EvalMode;
  limit?: number;
  json?: string;
}

export interface BenchArgs {
  pages: number;
  funsdDir: string;
  model?: string;
}

/** The FUNSD copy shared beside the repository, used when --funsd-dir is not given. */
export function defaultFunsdDir(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'datasets', 'funsd');
}

export function parseEvalArgs(argv: string[], repoRoot: string): EvalArgs {
  const values = parseFlags(argv, ['dataset', 'split', 'funsd-dir', 'model', 'mode', 'limit', 'json'], EVAL_USAGE);
  if (!values.dataset) throw new UsageError(`missing --dataset\n${EVAL_USAGE}`);
  if (!DATASETS.includes(values.dataset)) throw new UsageError(`unknown dataset '${values.dataset}' (supported: ${DATASETS.join(', ')})`);
  if (!values.split) throw new UsageError(`missing --split\n${EVAL_USAGE}`);
  if (!(values.split in FUNSD_SPLITS)) {
    throw new UsageError(`unknown split '${values.split}' for ${values.dataset} (supported: ${Object.keys(FUNSD_SPLITS).join(', ')})`);
  }
  const mode = values.mode ?? 'both';
  if (!(EVAL_MODES as readonly string[]).includes(mode)) throw new UsageError(`unknown --mode '${mode}' (supported: ${EVAL_MODES.join(', ')})`);
  return {
    dataset: values.dataset,
    split: values.split,
    funsdDir: resolve(values['funsd-dir'] ?? defaultFunsdDir(repoRoot)),
    model: nonEmpty(values.model, '--model'),
    mode: mode as EvalMode,
    limit: values.limit === undefined ? undefined : positiveInteger(values.limit, '--limit'),
    json: values.json === undefined ? undefined : resolve(nonEmpty(values.json, '--json') as string),
  };
}

export function parseBenchArgs(argv: string[], repoRoot: string): BenchArgs {
  const values = parseFlags(argv, ['pages', 'funsd-dir', 'model'], BENCH_USAGE);
  return {
    pages: values.pages === undefined ? 10 : positiveInteger(values.pages, '--pages'),
    funsdDir: resolve(values['funsd-dir'] ?? defaultFunsdDir(repoRoot)),
    model: nonEmpty(values.model, '--model'),
  };
}

function parseFlags(argv: string[], flags: string[], usage: string): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: Object.fromEntries(flags.map((flag) => [flag, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | undefined>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
}

function positiveInteger(raw: string, flag: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer, got '${raw}'`);
  return value;
}

function nonEmpty(raw: string | undefined, flag: string): string | undefined {
  if (raw === '') throw new UsageError(`${flag} must not be empty`);
  return raw;
}
