import { createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomic-file';
import { resizeToRgb, rgbToPng } from '../documents/image-codec';
import { KEY_LABEL, VALUE_LABEL } from '../heads/key-value-pairs';
import { KeyValuePairs } from './dataset-types';
import { GoldLinks } from './funsd-links';

export const FORMAT_VERSION = 1;

/**
 * The key → value pairs of a page on each of its extract windows (docs/prepared-dataset.md): its QUESTION and
 * ANSWER entities as word ranges, and the links as indices into them. The trainer keeps the entities a window holds.
 */
export function keyValueTargets(gold: GoldLinks): KeyValuePairs {
  const kept = gold.entities.flatMap((entity, index) => (entity.label === KEY_LABEL || entity.label === VALUE_LABEL ? [index] : []));
  const position = new Map(kept.map((index, at) => [index, at]));
  return {
    pairEntities: kept.map((index) => ({ label: gold.entities[index].label, firstWord: gold.entities[index].wordIds[0], lastWord: gold.entities[index].wordIds.at(-1) as number })),
    pairLinks: gold.links.map(([key, value]) => [position.get(key) as number, position.get(value) as number]),
  };
}
const SPLITS = ['train', 'test'];

interface PageImages {
  image: string;
  original: string;
}

/**
 * Writes a prepared dataset (docs/prepared-dataset.md): page images once each, windows streamed to
 * `<split>.jsonl.partial`, renamed when complete; dataset.json is written last, so it only ever describes
 * complete files.
 */
export class PreparedDatasetWriter {
  private readonly streams = new Map<string, WriteStream>();
  private readonly pages = new Map<string, PageImages>();

  private constructor(
    private readonly out: string,
    private readonly imageSize: number,
  ) {}

  static async open(out: string, tokenizerPath: string, imageSize: number): Promise<PreparedDatasetWriter> {
    // Drop the old metadata first so a failed run never leaves dataset.json describing a half-written directory.
    await rm(join(out, 'dataset.json'), { force: true });
    await mkdir(join(out, 'images'), { recursive: true });
    await mkdir(join(out, 'originals'), { recursive: true });
    await copyFile(tokenizerPath, join(out, 'tokenizer.json'));
    return new PreparedDatasetWriter(out, imageSize);
  }

  /** The original page and its model-resolution copy, written on first use; `<docId>.png` for the first page. */
  async pageImages(docId: string, pageIndex: number, page: { png: Buffer }): Promise<PageImages> {
    const name = pageIndex === 0 ? `${docId}.png` : `${docId}-p${pageIndex + 1}.png`;
    const known = this.pages.get(name);
    if (known) return known;
    const paths = { image: `images/${name}`, original: `originals/${name}` };
    const resized = await rgbToPng(await resizeToRgb(page.png, this.imageSize), this.imageSize, this.imageSize);
    await writeFile(join(this.out, paths.original), page.png);
    await writeFile(join(this.out, paths.image), resized);
    this.pages.set(name, paths);
    return paths;
  }

  /** Starts a split's file; a split that is opened but gets no windows is written empty. */
  openSplit(split: string): void {
    if (!this.streams.has(split)) this.streams.set(split, createWriteStream(this.partialPath(split)));
  }

  async writeWindow(split: string, record: object): Promise<void> {
    this.openSplit(split);
    const stream = this.streams.get(split) as WriteStream;
    if (!stream.write(`${JSON.stringify(record)}\n`)) await once(stream, 'drain');
  }

  /** Completes every split file, removes split files of an earlier run that this one did not write, writes dataset.json. */
  async finish(metadata: object): Promise<void> {
    await this.closeStreams();
    for (const split of this.streams.keys()) await rename(this.partialPath(split), join(this.out, `${split}.jsonl`));
    for (const stale of SPLITS.filter((split) => !this.streams.has(split))) await rm(join(this.out, `${stale}.jsonl`), { force: true });
    await writeJsonAtomic(join(this.out, 'dataset.json'), { formatVersion: FORMAT_VERSION, ...metadata });
  }

  /** After a failure: closes the partial files, leaving no dataset.json. */
  async abort(): Promise<void> {
    await this.closeStreams();
  }

  private partialPath(split: string): string {
    return join(this.out, `${split}.jsonl.partial`);
  }

  private async closeStreams(): Promise<void> {
    await Promise.all(
      [...this.streams.values()].filter((stream) => !stream.closed).map(async (stream) => {
        stream.end();
        await once(stream, 'close');
      }),
    );
  }
}
