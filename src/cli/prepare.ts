import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { resizeToRgb, rgbToPng, toRgbPng } from '../documents/image-codec';
import { encodePage, LayoutOptions, LayoutTokenizer } from '../layout';
import { FUNSD_LABELS, readFunsdAnnotation } from './funsd-reader';

/**
 * `prepare`: a labelled dataset → the prepared dataset of docs/prepared-dataset.md, tokenized by src/layout so
 * training and serving share one encoder. dataset.json is written last: it only ever points at complete files.
 */

const USAGE =
  'usage: prepare --format funsd --input <dir> --out <dir> --tokenizer <tokenizer.json> [--max-length 512] [--stride 256] [--image-size 224]';
const SUPPORTED_FORMATS = ['funsd'];
const FORMAT_VERSION = 1;

export class UsageError extends Error {}

export interface PrepareArgs {
  format: string;
  input: string;
  out: string;
  tokenizer: string;
  maxLength: number;
  stride: number;
  imageSize: number;
}

interface SplitSource {
  name: string;
  imagesDir: string;
  annotationsDir: string;
}

export interface SplitSummary {
  documents: number;
  windows: number;
  tokens: number;
  maxTokensPerPage: number;
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
        format: { type: 'string' },
        input: { type: 'string' },
        out: { type: 'string' },
        tokenizer: { type: 'string' },
        'max-length': { type: 'string' },
        stride: { type: 'string' },
        'image-size': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  for (const flag of ['format', 'input', 'out', 'tokenizer']) {
    if (!values[flag]) throw new UsageError(`missing --${flag}\n${USAGE}`);
  }
  const format = values.format as string;
  if (!SUPPORTED_FORMATS.includes(format)) {
    throw new UsageError(`unknown --format '${format}' (supported: ${SUPPORTED_FORMATS.join(', ')})`);
  }
  const args: PrepareArgs = {
    format,
    input: values.input as string,
    out: values.out as string,
    tokenizer: values.tokenizer as string,
    maxLength: positiveInteger(values['max-length'], '--max-length', 512),
    stride: positiveInteger(values.stride, '--stride', 256),
    imageSize: positiveInteger(values['image-size'], '--image-size', 224),
  };
  if (args.maxLength < 3) throw new UsageError('--max-length must be at least 3');
  if (args.stride > args.maxLength - 2) throw new UsageError(`--stride must be at most --max-length − 2 (${args.maxLength - 2})`);
  return args;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

/** FUNSD root (training_data/, testing_data/) → train/test; a dir holding images/ and annotations/ → train only. */
async function findFunsdSplits(input: string): Promise<SplitSource[]> {
  const layouts: Array<[string, string]> = [
    ['train', 'training_data'],
    ['test', 'testing_data'],
  ];
  const splits: SplitSource[] = [];
  for (const [name, folder] of layouts) {
    const root = join(input, folder);
    if (await isDirectory(root)) splits.push({ name, imagesDir: join(root, 'images'), annotationsDir: join(root, 'annotations') });
  }
  if (splits.length === 0 && (await isDirectory(join(input, 'annotations')))) {
    splits.push({ name: 'train', imagesDir: join(input, 'images'), annotationsDir: join(input, 'annotations') });
  }
  if (splits.length === 0) {
    throw new Error(`${input}: expected training_data/ and testing_data/, or images/ and annotations/`);
  }
  for (const split of splits) {
    for (const dir of [split.imagesDir, split.annotationsDir]) {
      if (!(await isDirectory(dir))) throw new Error(`${dir}: directory not found`);
    }
  }
  return splits;
}

async function writeLine(stream: NodeJS.WritableStream, line: string): Promise<void> {
  if (!stream.write(line)) await once(stream, 'drain');
}

async function prepareSplit(
  split: SplitSource,
  args: PrepareArgs,
  tokenizer: LayoutTokenizer,
  seenDocIds: Set<string>,
): Promise<SplitSummary> {
  const options: LayoutOptions = { maxLength: args.maxLength, stride: args.stride };
  const annotationFiles = (await readdir(split.annotationsDir)).filter((name) => name.endsWith('.json')).sort();
  const imageByStem = new Map((await readdir(split.imagesDir)).map((name) => [basename(name, extname(name)), name]));
  const summary: SplitSummary = { documents: 0, windows: 0, tokens: 0, maxTokensPerPage: 0 };
  const finalPath = join(args.out, `${split.name}.jsonl`);
  const partialPath = `${finalPath}.partial`;
  const stream = createWriteStream(partialPath);
  try {
    for (const annotationName of annotationFiles) {
      const docId = basename(annotationName, '.json');
      const annotationPath = join(split.annotationsDir, annotationName);
      const imageName = imageByStem.get(docId);
      if (!imageName) throw new Error(`${annotationPath}: no image named ${docId}.* in ${split.imagesDir}`);
      if (seenDocIds.has(docId)) throw new Error(`${annotationPath}: document id ${docId} appears in more than one split`);
      seenDocIds.add(docId);

      const words = await readFunsdAnnotation(annotationPath);
      const original = await toRgbPng(join(split.imagesDir, imageName));
      const resized = await rgbToPng(await resizeToRgb(original.png, args.imageSize), args.imageSize, args.imageSize);
      const image = `images/${docId}.png`;
      const originalPath = `originals/${docId}.png`;
      await writeFile(join(args.out, originalPath), original.png);
      await writeFile(join(args.out, image), resized);

      const tokens = await tokenizer.tokenizeWords(words.map((word) => word.text));
      const page = encodePage(tokens, words, original, tokenizer.special, options);
      for (const [windowIndex, window] of page.windows.entries()) {
        const record = {
          docId,
          page: 0,
          window: windowIndex,
          tokenStart: window.tokenStart,
          inputIds: window.inputIds,
          bbox: window.bbox,
          wordBbox: window.wordBbox,
          labels: window.labels,
          wordIds: window.wordIds,
          image,
          original: originalPath,
          width: original.width,
          height: original.height,
        };
        await writeLine(stream, `${JSON.stringify(record)}\n`);
      }
      summary.documents += 1;
      summary.windows += page.windows.length;
      summary.tokens += page.tokenCount;
      summary.maxTokensPerPage = Math.max(summary.maxTokensPerPage, page.tokenCount);
    }
  } finally {
    stream.end();
    await once(stream, 'close');
  }
  await rename(partialPath, finalPath);
  return summary;
}

export function formatSummary(split: string, summary: SplitSummary): string {
  return `${split}: ${summary.documents} documents, ${summary.windows} windows, ${summary.tokens} tokens, max ${summary.maxTokensPerPage} tokens per page`;
}

export async function runPrepare(args: PrepareArgs, log: (line: string) => void = console.log): Promise<Record<string, SplitSummary>> {
  const tokenizer = await LayoutTokenizer.fromFile(args.tokenizer);
  const splits = await findFunsdSplits(args.input);

  // Drop the old metadata first so a failed run never leaves dataset.json describing a half-written directory.
  await rm(join(args.out, 'dataset.json'), { force: true });
  await mkdir(join(args.out, 'images'), { recursive: true });
  await mkdir(join(args.out, 'originals'), { recursive: true });
  await copyFile(args.tokenizer, join(args.out, 'tokenizer.json'));

  const summaries: Record<string, SplitSummary> = {};
  const seenDocIds = new Set<string>();
  for (const split of splits) {
    summaries[split.name] = await prepareSplit(split, args, tokenizer, seenDocIds);
    log(formatSummary(split.name, summaries[split.name]));
  }
  for (const stale of ['train', 'test'].filter((name) => !(name in summaries))) {
    await rm(join(args.out, `${stale}.jsonl`), { force: true });
  }

  const metadata = {
    formatVersion: FORMAT_VERSION,
    task: 'extract',
    source: args.format,
    labels: [...FUNSD_LABELS],
    tokenizer: 'tokenizer.json',
    specialTokens: tokenizer.special,
    maxLength: args.maxLength,
    windowStride: args.stride,
    imageSize: args.imageSize,
    splits: Object.fromEntries(Object.entries(summaries).map(([name, s]) => [name, { documents: s.documents, windows: s.windows }])),
  };
  const metadataPath = join(args.out, 'dataset.json');
  await writeFile(`${metadataPath}.partial`, `${JSON.stringify(metadata, null, 2)}\n`);
  await rename(`${metadataPath}.partial`, metadataPath);
  return summaries;
}

async function main(): Promise<void> {
  try {
    await runPrepare(parsePrepareArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(`prepare: ${(error as Error).message}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main();
}
