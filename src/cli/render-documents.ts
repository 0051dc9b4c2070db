import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { toRgbPng } from '../documents/image-codec';
import { DOCUMENT_TYPES, DocumentType, parseDocumentTypes, UnknownDocumentTypeError } from '../synthetic/document-types';
import { createPageRenderer } from '../synthetic/page-canvas';
import { documentQuestions } from '../synthetic/questions';
import { derivedSeed, seededRandom } from '../synthetic/random';
import { generateDocument } from '../synthetic/synthetic-document';
import { findFunsdSplits, readFunsdAnnotation } from '../datasets/funsd-reader';

/**
 * `render-documents`: a document set this project can build without downloads (docs/synthetic-documents.md) —
 * pages of the 16 RVL-CDIP types with scan-like degradation, each word's box and each written field recorded —
 * as two manifests: `manifest.jsonl` for `prepare --task classify --format jsonl` and `qa.jsonl` (questions
 * generated from the fields) for `prepare --task ask --format jsonl`. Optionally FUNSD's real forms join as `form`.
 */

const USAGE = 'usage: render-documents --out <dir> [--per-class 40] [--seed 1] [--types a,b,…] [--test-share 0.2] [--clean] [--funsd <FUNSD root>]';

export interface RenderArgs {
  out: string;
  perClass: number;
  seed: number;
  types: DocumentType[];
  testShare: number;
  /** No degradation: the pages as laid out. */
  clean: boolean;
  funsd?: string;
}

type ManifestWord = { text: string; box: [number, number, number, number]; segment: number };

export interface ManifestEntry {
  image: string;
  label: string;
  words: ManifestWord[];
  split: 'train' | 'test';
  fields?: Array<{ name: string; value: string; wordIds: number[]; box: [number, number, number, number] }>;
}

export interface QaManifestEntry {
  image: string;
  question: string;
  answer: string | null;
  answer_word_ids?: number[];
  field: string;
  words: ManifestWord[];
  split: 'train' | 'test';
}

export class RenderUsageError extends Error {}

export function parseRenderArgs(argv: string[]): RenderArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' }, 'per-class': { type: 'string' }, seed: { type: 'string' }, types: { type: 'string' },
        'test-share': { type: 'string' }, clean: { type: 'boolean' }, funsd: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new RenderUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (typeof values.out !== 'string') throw new RenderUsageError(`missing --out\n${USAGE}`);
  const perClass = Number(values['per-class'] ?? 40);
  const seed = Number(values.seed ?? 1);
  const testShare = Number(values['test-share'] ?? 0.2);
  if (!Number.isInteger(perClass) || perClass < 1) throw new RenderUsageError(`--per-class must be a positive integer, got '${values['per-class']}'`);
  if (!Number.isInteger(seed) || seed < 0) throw new RenderUsageError(`--seed must be a non-negative integer, got '${values.seed}'`);
  if (!(testShare >= 0 && testShare < 1)) throw new RenderUsageError(`--test-share must be in [0, 1), got '${values['test-share']}'`);
  let types: DocumentType[];
  try {
    types = values.types === undefined ? [...DOCUMENT_TYPES] : parseDocumentTypes(String(values.types));
  } catch (error) {
    if (error instanceof UnknownDocumentTypeError) throw new RenderUsageError(error.message);
    throw error;
  }
  if (types.length === 0) throw new RenderUsageError(`--types is empty: expected some of ${DOCUMENT_TYPES.join(', ')}`);
  return { out: values.out, perClass, seed, types, testShare, clean: values.clean === true, funsd: values.funsd as string | undefined };
}

/** The split of one document: a hash of (seed, type, index), so adding documents never moves others. */
export function documentSplit(seed: number, type: string, index: number, testShare: number): 'train' | 'test' {
  return derivedSeed('split', seed, type, index) / 2 ** 32 < testShare ? 'test' : 'train';
}

/** Synthetic documents: images under images/<type>/, their manifest entries and their questions. */
export async function renderSyntheticDocuments(args: RenderArgs): Promise<{ entries: ManifestEntry[]; questions: QaManifestEntry[] }> {
  const renderer = createPageRenderer();
  const entries: ManifestEntry[] = [];
  const questions: QaManifestEntry[] = [];
  for (const type of args.types) {
    await mkdir(join(args.out, 'images', type), { recursive: true });
    for (let index = 0; index < args.perClass; index++) {
      const document = await generateDocument(type, derivedSeed(args.seed, type, index), renderer, { clean: args.clean });
      const image = `images/${type}/${type}-${String(index).padStart(4, '0')}.${document.format === 'png' ? 'png' : 'jpg'}`;
      await writeFile(join(args.out, image), document.image);
      const split = documentSplit(args.seed, type, index, args.testShare);
      entries.push({ image, label: type, words: document.words, split, fields: document.fields });
      for (const generated of documentQuestions(document.fields, seededRandom(derivedSeed('questions', args.seed, type, index)))) {
        questions.push({
          image,
          question: generated.question,
          answer: generated.answer,
          ...(generated.answerWordIds ? { answer_word_ids: generated.answerWordIds } : {}),
          field: generated.field,
          words: document.words,
          split,
        });
      }
    }
  }
  return { entries, questions };
}

/** FUNSD forms as class `form`, with their annotated words, clipped to the page, and FUNSD's own split. */
export async function funsdFormEntries(root: string, out: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  await mkdir(join(out, 'images', 'funsd'), { recursive: true });
  for (const split of await findFunsdSplits(root)) {
    for (const name of (await readdir(split.imagesDir)).sort()) {
      const docId = basename(name, extname(name));
      const page = await toRgbPng(join(split.imagesDir, name));
      const words = await readFunsdAnnotation(join(split.annotationsDir, `${docId}.json`));
      const image = `images/funsd/${docId}.png`;
      await writeFile(join(out, image), page.png);
      const clip = (value: number, limit: number) => Math.min(Math.max(value, 0), limit);
      entries.push({
        image,
        label: 'form',
        words: words.map(({ text, box, segment }) => ({
          text,
          box: [clip(box[0], page.width), clip(box[1], page.height), clip(box[2], page.width), clip(box[3], page.height)],
          segment,
        })),
        split: split.name === 'test' ? 'test' : 'train',
      });
    }
  }
  return entries;
}

const jsonl = (rows: readonly unknown[]) => rows.map((row) => JSON.stringify(row)).join('\n') + '\n';

export async function runRender(args: RenderArgs, log: (line: string) => void = console.log): Promise<{ entries: ManifestEntry[]; questions: QaManifestEntry[] }> {
  const { entries, questions } = await renderSyntheticDocuments(args);
  if (args.funsd) entries.push(...(await funsdFormEntries(args.funsd, args.out)));
  await writeFile(join(args.out, 'manifest.jsonl'), jsonl(entries));
  await writeFile(join(args.out, 'qa.jsonl'), jsonl(questions));
  const count = (rows: ReadonlyArray<{ split: string }>, split: string) => rows.filter((row) => row.split === split).length;
  log(`${entries.length} pages (${count(entries, 'train')} train, ${count(entries, 'test')} test) → ${join(args.out, 'manifest.jsonl')}`);
  log(`${questions.length} questions (${questions.filter((q) => q.answer === null).length} unanswerable; ${count(questions, 'train')} train, ${count(questions, 'test')} test) → ${join(args.out, 'qa.jsonl')}`);
  return { entries, questions };
}

async function main(): Promise<void> {
  try {
    await runRender(parseRenderArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(`render-documents: ${(error as Error).message}`);
    process.exitCode = error instanceof RenderUsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main();
}
