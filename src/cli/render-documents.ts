import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { toRgbPng } from '../documents/image-codec';
import { findFunsdSplits, readFunsdAnnotation } from './funsd-reader';
import { composePage, DOCUMENT_KINDS, pageSvg, pageWords, seededRandom } from './synthetic-pages';

/**
 * `render-documents`: a classification set this project can build honestly without downloads — synthetic pages
 * of several document kinds (rendered from SVG, word boxes from the layout) plus, optionally, FUNSD's real forms
 * as class `form` — written as the JSONL manifest `prepare --task classify --format jsonl` reads.
 */

const USAGE = 'usage: render-documents --out <dir> [--per-class 40] [--seed 1] [--funsd <FUNSD root>]';

export interface RenderArgs {
  out: string;
  perClass: number;
  seed: number;
  funsd?: string;
}

export interface ManifestEntry {
  image: string;
  label: string;
  words: Array<{ text: string; box: [number, number, number, number]; segment: number }>;
  split?: string;
}

export class RenderUsageError extends Error {}

export function parseRenderArgs(argv: string[]): RenderArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, 'per-class': { type: 'string' }, seed: { type: 'string' }, funsd: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new RenderUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.out) throw new RenderUsageError(`missing --out\n${USAGE}`);
  const perClass = Number(values['per-class'] ?? 40);
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(perClass) || perClass < 1) throw new RenderUsageError(`--per-class must be a positive integer, got '${values['per-class']}'`);
  if (!Number.isInteger(seed) || seed < 0) throw new RenderUsageError(`--seed must be a non-negative integer, got '${values.seed}'`);
  return { out: values.out, perClass, seed, funsd: values.funsd };
}

/** The generator seed of one page: independent of how many pages other kinds get. */
export function pageSeed(seed: number, kind: string, index: number): number {
  return createHash('sha256').update(`${seed}/${kind}/${index}`).digest().readUInt32BE(0);
}

/** Synthetic pages: PNGs under images/<kind>/ and their manifest entries (split by hash of the image path). */
export async function renderSyntheticPages(args: RenderArgs): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const kind of DOCUMENT_KINDS) {
    await mkdir(join(args.out, 'images', kind), { recursive: true });
    for (let index = 0; index < args.perClass; index++) {
      const page = composePage(kind, seededRandom(pageSeed(args.seed, kind, index)));
      const image = `images/${kind}/${kind}-${String(index).padStart(4, '0')}.png`;
      await writeFile(join(args.out, image), (await toRgbPng(Buffer.from(pageSvg(page)))).png);
      entries.push({ image, label: kind, words: pageWords(page) });
    }
  }
  return entries;
}

/** FUNSD forms as class `form`, with their annotated words, clipped to the page, and FUNSD's own split. */
export async function funsdFormEntries(root: string, out: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  await mkdir(join(out, 'images', 'form'), { recursive: true });
  for (const split of await findFunsdSplits(root)) {
    for (const name of (await readdir(split.imagesDir)).sort()) {
      const docId = basename(name, extname(name));
      const page = await toRgbPng(join(split.imagesDir, name));
      const words = await readFunsdAnnotation(join(split.annotationsDir, `${docId}.json`));
      const image = `images/form/${docId}.png`;
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
        split: split.name,
      });
    }
  }
  return entries;
}

export async function runRender(args: RenderArgs, log: (line: string) => void = console.log): Promise<ManifestEntry[]> {
  const entries = await renderSyntheticPages(args);
  if (args.funsd) entries.push(...(await funsdFormEntries(args.funsd, args.out)));
  await writeFile(join(args.out, 'manifest.jsonl'), entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.label, (counts.get(entry.label) ?? 0) + 1);
  log(`${entries.length} pages → ${join(args.out, 'manifest.jsonl')} (${[...counts].map(([label, n]) => `${label} ${n}`).join(', ')})`);
  return entries;
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
