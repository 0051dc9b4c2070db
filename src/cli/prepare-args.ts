import { parseArgs } from 'node:util';

export const USAGE = [
  'usage: prepare [--task extract] --format funsd --input <dir> --out <dir> --tokenizer <tokenizer.json> [--words gold|ocr] [options]',
  '       prepare --task classify --format folders|jsonl --input <dir|manifest.jsonl> --out <dir> --tokenizer <file> [--labels a,b,c] [options]',
  '       prepare --task ask --format jsonl|funsd-qa --input <qa.jsonl|funsd root> --out <dir> --tokenizer <file> [--max-question-tokens 64] [options]',
  'options: [--max-length 512] [--stride 256] [--image-size 224] [--ocr-workers 1]',
].join('\n');

export const FORMATS_BY_TASK = {
  extract: ['funsd'],
  classify: ['folders', 'jsonl'],
  ask: ['jsonl', 'funsd-qa'],
} as const;

export type PrepareTask = keyof typeof FORMATS_BY_TASK;

export class UsageError extends Error {}

export interface PrepareArgs {
  task: PrepareTask;
  format: string;
  input: string;
  out: string;
  tokenizer: string;
  maxLength: number;
  stride: number;
  imageSize: number;
  /** OCR engines (AETNET_OCR_ENGINE) for documents without words. */
  ocrWorkers: number;
  maxQuestionTokens: number;
  /** extract: the annotation's words (gold), or our OCR's with the annotation carried onto them (ocr). */
  words: 'gold' | 'ocr';
  /** Allowed class names in this order (classify); absent → the sorted labels found. */
  labels?: string[];
}

function positiveInteger(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer, got '${raw}'`);
  return value;
}

export function parsePrepareArgs(argv: string[]): PrepareArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        task: { type: 'string' },
        format: { type: 'string' },
        input: { type: 'string' },
        out: { type: 'string' },
        tokenizer: { type: 'string' },
        'max-length': { type: 'string' },
        stride: { type: 'string' },
        'image-size': { type: 'string' },
        'ocr-workers': { type: 'string' },
        'max-question-tokens': { type: 'string' },
        labels: { type: 'string' },
        words: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const task = values.task ?? 'extract';
  if (!(task in FORMATS_BY_TASK)) throw new UsageError(`unknown --task '${task}' (supported: ${Object.keys(FORMATS_BY_TASK).join(', ')})`);
  for (const flag of ['format', 'input', 'out', 'tokenizer']) {
    if (!values[flag]) throw new UsageError(`missing --${flag}\n${USAGE}`);
  }
  const format = values.format as string;
  const formats: readonly string[] = FORMATS_BY_TASK[task as PrepareTask];
  if (!formats.includes(format)) throw new UsageError(`unknown --format '${format}' for --task ${task} (supported: ${formats.join(', ')})`);
  const labels = values.labels?.split(',').map((label) => label.trim()).filter(Boolean);
  if (labels !== undefined && task !== 'classify') throw new UsageError('--labels applies to --task classify only');
  if (labels !== undefined && (labels.length === 0 || new Set(labels).size !== labels.length)) {
    throw new UsageError('--labels must list distinct class names separated by commas');
  }
  const words = values.words ?? 'gold';
  if (words !== 'gold' && words !== 'ocr') throw new UsageError(`unknown --words '${words}' (supported: gold, ocr)`);
  if (values.words !== undefined && task !== 'extract') throw new UsageError('--words applies to --task extract only');
  const args: PrepareArgs = {
    task: task as PrepareTask,
    format,
    input: values.input as string,
    out: values.out as string,
    tokenizer: values.tokenizer as string,
    maxLength: positiveInteger(values['max-length'], '--max-length', 512),
    stride: positiveInteger(values.stride, '--stride', 256),
    imageSize: positiveInteger(values['image-size'], '--image-size', 224),
    ocrWorkers: positiveInteger(values['ocr-workers'], '--ocr-workers', 1),
    maxQuestionTokens: positiveInteger(values['max-question-tokens'], '--max-question-tokens', 64),
    labels,
    words,
  };
  if (args.maxLength < 3) throw new UsageError('--max-length must be at least 3');
  if (args.stride > args.maxLength - 2) throw new UsageError(`--stride must be at most --max-length − 2 (${args.maxLength - 2})`);
  if (task === 'ask' && args.maxQuestionTokens > args.maxLength - 4) {
    throw new UsageError(`--max-question-tokens must leave room for context: at most --max-length − 4 (${args.maxLength - 4})`);
  }
  return args;
}
