import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OCR_ENGINES, OcrEngineName } from '../ocr/ocr-engine';

/** Bad command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export const EVAL_USAGE =
  'usage: eval --dataset funsd|funsd-links|funsd-qa|funsd-ocr --split test|train [--funsd-dir <dir>] [--model <id>] [--mode gold|ocr|both | --ocr] [--ocr-engines tesseract,ppocr] [--limit N] [--json <out.json>]\n' +
  '       eval --dataset classify|qa --manifest <manifest.jsonl|qa.jsonl> --split test|train [--model <id>] [--mode gold|ocr | --ocr] [--limit N] [--json <out.json>]';
export const BENCH_USAGE =
  'usage: bench [--endpoints extract,classify,ask] [--concurrency 1,4,16] [--pages N] [--requests N] [--e2e-requests N] ' +
  '[--cell-seconds S] [--checkpoint task=path,…] [--eager-windows N] [--ocr-engines tesseract,ppocr] [--funsd-dir <dir>] [--json <out.json>] [--quick]';

export const MEMORY_USAGE = 'usage: memory [--endpoints extract,classify,ask] [--requests 100] [--pages 4] [--funsd-dir <dir>]';

export const EVAL_MODES = ['gold', 'ocr', 'both'] as const;
export type EvalMode = (typeof EVAL_MODES)[number];

export const EVAL_DATASETS = ['funsd', 'funsd-links', 'funsd-qa', 'funsd-ocr', 'classify', 'qa'] as const;
export type EvalDataset = (typeof EVAL_DATASETS)[number];

export const BENCH_ENDPOINTS = ['extract', 'classify', 'ask'] as const;
export type BenchEndpoint = (typeof BENCH_ENDPOINTS)[number];

/** FUNSD split name → its folder under the FUNSD root. */
export const FUNSD_SPLITS: Readonly<Record<string, string>> = { train: 'training_data', test: 'testing_data' };

export interface EvalArgs {
  dataset: EvalDataset;
  split: string;
  funsdDir: string;
  /** `classify`, `qa`: a JSONL manifest (render-documents writes manifest.jsonl and qa.jsonl; or any of that form). */
  manifest?: string;
  model?: string;
  /** gold: the dataset's words are sent as client words; ocr: the service reads the page itself. */
  mode: EvalMode;
  limit?: number;
  json?: string;
  /** Run the evaluation once per OCR engine (AETNET_OCR_ENGINE), in one process; absent = the configured engine. */
  ocrEngines?: OcrEngineName[];
}

export interface BenchArgs {
  endpoints: BenchEndpoint[];
  concurrency: number[];
  /** Distinct FUNSD test pages the requests cycle through. */
  pages: number;
  /** Requests per model-only cell. */
  requests: number;
  /** Requests per end-to-end (OCR) cell. */
  e2eRequests: number;
  /** No new request starts in a cell after this many seconds (those in flight finish). */
  cellSeconds: number;
  /** PyTorch checkpoints per task for the eager comparison, when the manifest names none. */
  checkpoints: Partial<Record<BenchEndpoint, string>>;
  /** Windows the eager run times. */
  eagerWindows: number;
  funsdDir: string;
  json?: string;
  quick: boolean;
  /** End-to-end cells once per OCR engine (the first also runs the model-only cells); absent = the configured one. */
  ocrEngines?: OcrEngineName[];
}

/** Full runs and `--quick` (a smoke run in well under two minutes on tiny bundles); explicit flags win. */
const BENCH_DEFAULTS = {
  full: { pages: 10, requests: 48, e2eRequests: 16, cellSeconds: 60, eagerWindows: 16 },
  quick: { pages: 2, requests: 8, e2eRequests: 2, cellSeconds: 5, eagerWindows: 2 },
};

/** The FUNSD copy shared beside the repository, used when --funsd-dir is not given. */
export function defaultFunsdDir(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'datasets', 'funsd');
}

export function parseEvalArgs(argv: string[], repoRoot: string): EvalArgs {
  const values = parseFlags(argv, ['dataset', 'split', 'funsd-dir', 'manifest', 'model', 'mode', 'limit', 'json', 'ocr-engines'], ['ocr'], EVAL_USAGE);
  const dataset = values.dataset as string | undefined;
  if (!dataset) throw new UsageError(`missing --dataset\n${EVAL_USAGE}`);
  if (!(EVAL_DATASETS as readonly string[]).includes(dataset)) {
    throw new UsageError(`unknown dataset '${dataset}' (supported: ${EVAL_DATASETS.join(', ')})`);
  }
  const split = values.split as string | undefined;
  if (!split) throw new UsageError(`missing --split\n${EVAL_USAGE}`);
  if (!(split in FUNSD_SPLITS)) throw new UsageError(`unknown split '${split}' for ${dataset} (supported: ${Object.keys(FUNSD_SPLITS).join(', ')})`);
  const manifest = nonEmpty(values.manifest as string | undefined, '--manifest');
  const needsManifest = dataset === 'classify' || dataset === 'qa';
  if (needsManifest && manifest === undefined) throw new UsageError(`--dataset ${dataset} needs --manifest <${dataset === 'qa' ? 'qa' : 'manifest'}.jsonl>\n${EVAL_USAGE}`);
  if (!needsManifest && manifest !== undefined) throw new UsageError(`--manifest applies to --dataset classify and qa only`);
  if (values.ocr === true && values.mode !== undefined) throw new UsageError('give --ocr or --mode, not both');
  const mode = values.ocr === true ? 'ocr' : ((values.mode as string | undefined) ?? (dataset === 'funsd' || dataset === 'funsd-links' ? 'both' : 'gold'));
  if (!(EVAL_MODES as readonly string[]).includes(mode)) throw new UsageError(`unknown --mode '${mode}' (supported: ${EVAL_MODES.join(', ')})`);
  const json = nonEmpty(values.json as string | undefined, '--json');
  const ocrEngines = values['ocr-engines'] === undefined ? undefined : ocrEngineList(values['ocr-engines'] as string);
  return {
    ...(ocrEngines === undefined ? {} : { ocrEngines }),
    dataset: dataset as EvalDataset,
    split,
    funsdDir: resolve((values['funsd-dir'] as string | undefined) ?? defaultFunsdDir(repoRoot)),
    ...(manifest === undefined ? {} : { manifest: resolve(manifest) }),
    model: nonEmpty(values.model as string | undefined, '--model'),
    mode: mode as EvalMode,
    limit: values.limit === undefined ? undefined : positiveInteger(values.limit as string, '--limit'),
    json: json === undefined ? undefined : resolve(json),
  };
}

export function parseBenchArgs(argv: string[], repoRoot: string): BenchArgs {
  const values = parseFlags(
    argv,
    ['endpoints', 'concurrency', 'pages', 'requests', 'e2e-requests', 'cell-seconds', 'checkpoint', 'eager-windows', 'funsd-dir', 'json', 'ocr-engines'],
    ['quick'],
    BENCH_USAGE,
  );
  const quick = values.quick === true;
  const defaults = quick ? BENCH_DEFAULTS.quick : BENCH_DEFAULTS.full;
  const count = (flag: string, fallback: number) => (values[flag] === undefined ? fallback : positiveInteger(values[flag] as string, `--${flag}`));
  const json = nonEmpty(values.json as string | undefined, '--json');
  return {
    endpoints: values.endpoints === undefined ? [...BENCH_ENDPOINTS] : endpointList(values.endpoints as string),
    concurrency: values.concurrency === undefined ? [1, 4, 16] : integerList(values.concurrency as string, '--concurrency'),
    pages: count('pages', defaults.pages),
    requests: count('requests', defaults.requests),
    e2eRequests: count('e2e-requests', defaults.e2eRequests),
    cellSeconds: count('cell-seconds', defaults.cellSeconds),
    checkpoints: values.checkpoint === undefined ? {} : checkpointMap(values.checkpoint as string),
    eagerWindows: count('eager-windows', defaults.eagerWindows),
    funsdDir: resolve((values['funsd-dir'] as string | undefined) ?? defaultFunsdDir(repoRoot)),
    json: json === undefined ? undefined : resolve(json),
    quick,
    ...(values['ocr-engines'] === undefined ? {} : { ocrEngines: ocrEngineList(values['ocr-engines'] as string) }),
  };
}

export interface MemoryArgs {
  /** The requests cycle through these endpoints (all three: every head loaded and used). */
  endpoints: BenchEndpoint[];
  requests: number;
  pages: number;
  funsdDir: string;
}

export function parseMemoryArgs(argv: string[], repoRoot: string): MemoryArgs {
  const values = parseFlags(argv, ['endpoints', 'requests', 'pages', 'funsd-dir'], [], MEMORY_USAGE);
  const count = (flag: string, fallback: number) => (values[flag] === undefined ? fallback : positiveInteger(values[flag] as string, `--${flag}`));
  return {
    endpoints: endpointList((values.endpoints as string | undefined) ?? 'extract'),
    requests: count('requests', 100),
    pages: count('pages', 4),
    funsdDir: resolve((values['funsd-dir'] as string | undefined) ?? defaultFunsdDir(repoRoot)),
  };
}

function endpointList(raw: string): BenchEndpoint[] {
  const names = [...new Set(raw.split(',').map((name) => name.trim()).filter(Boolean))];
  if (names.length === 0) throw new UsageError('--endpoints must name at least one endpoint');
  const unknown = names.find((name) => !(BENCH_ENDPOINTS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new UsageError(`unknown endpoint '${unknown}' (supported: ${BENCH_ENDPOINTS.join(', ')})`);
  return names as BenchEndpoint[];
}

function integerList(raw: string, flag: string): number[] {
  const values = raw.split(',').map((item) => positiveInteger(item.trim(), flag));
  return [...new Set(values)].sort((a, b) => a - b);
}

/** `extract=runs/a/best.pt,ask=runs/b/last.pt` → paths resolved against the working directory. */
function checkpointMap(raw: string): Partial<Record<BenchEndpoint, string>> {
  const result: Partial<Record<BenchEndpoint, string>> = {};
  for (const item of raw.split(',').filter((part) => part.trim() !== '')) {
    const [task, path] = item.split('=', 2).map((part) => part.trim());
    if (!(BENCH_ENDPOINTS as readonly string[]).includes(task) || !path) {
      throw new UsageError(`--checkpoint items are task=path with task one of ${BENCH_ENDPOINTS.join(', ')}, got '${item}'`);
    }
    result[task as BenchEndpoint] = resolve(path);
  }
  return result;
}

function parseFlags(argv: string[], stringFlags: string[], booleanFlags: string[], usage: string): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(stringFlags.map((flag) => [flag, { type: 'string' as const }])),
        ...Object.fromEntries(booleanFlags.map((flag) => [flag, { type: 'boolean' as const }])),
      },
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | boolean | undefined>;
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

function ocrEngineList(value: string): OcrEngineName[] {
  const engines = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = engines.filter((engine) => !(OCR_ENGINES as readonly string[]).includes(engine));
  if (engines.length === 0 || unknown.length > 0) throw new UsageError(`--ocr-engines takes a list of ${OCR_ENGINES.join(', ')}; got '${value}'`);
  return engines as OcrEngineName[];
}
