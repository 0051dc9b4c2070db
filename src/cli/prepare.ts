import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { loadAppConfig } from '../config/app-config';
import { toRgbPng } from '../documents/image-codec';
import { encodePage, LayoutTokenizer } from '../layout';
import { loadDocumentPages } from './document-pages';
import { bioLabels, tagType } from '../datasets/entity-labels';
import { keyValueTargets } from '../datasets/prepared-writer';
import { funsdGoldLinks } from '../datasets/funsd-links';
import { findFunsdSplits, FunsdSplit, labelledWords, readFunsdForm } from '../datasets/funsd-reader';
import { createOcrRecognizer, OcrRecognizer, Recognize } from './ocr-recognizer';
import { funsdFormOnWords } from '../datasets/funsd-on-words';
import { prepareAsk } from './prepare-ask';
import { PrepareArgs, parsePrepareArgs, UsageError } from './prepare-args';
import { prepareClassify } from './prepare-classify';
import { PreparedDatasetWriter } from '../datasets/prepared-writer';

export { PrepareArgs, parsePrepareArgs, UsageError } from './prepare-args';

/**
 * `prepare`: a labelled dataset → the prepared dataset of docs/prepared-dataset.md, tokenized by src/layout so
 * training and serving share one encoder. Tasks: extract (FUNSD), classify (folders, JSONL), ask (JSONL, FUNSD-QA).
 */

export interface SplitSummary {
  documents: number;
  windows: number;
  tokens: number;
  maxTokensPerPage: number;
  /** Pages with at least one key → value link (their windows carry the pairs). */
  linkedPages: number;
}

async function prepareExtractSplit(
  split: FunsdSplit,
  args: PrepareArgs,
  tokenizer: LayoutTokenizer,
  writer: PreparedDatasetWriter,
  seenDocIds: Set<string>,
  labels: readonly string[],
  recognize: () => Recognize,
): Promise<SplitSummary> {
  const annotationFiles = (await readdir(split.annotationsDir)).filter((name) => name.endsWith('.json')).sort();
  const imageByStem = new Map((await readdir(split.imagesDir)).map((name) => [basename(name, extname(name)), name]));
  const summary: SplitSummary = { documents: 0, windows: 0, tokens: 0, maxTokensPerPage: 0, linkedPages: 0 };
  writer.openSplit(split.name);
  for (const annotationName of annotationFiles) {
    const docId = basename(annotationName, '.json');
    const annotationPath = join(split.annotationsDir, annotationName);
    const imageName = imageByStem.get(docId);
    if (!imageName) throw new Error(`${annotationPath}: no image named ${docId}.* in ${split.imagesDir}`);
    if (seenDocIds.has(docId)) throw new Error(`${annotationPath}: document id ${docId} appears in more than one split`);
    seenDocIds.add(docId);

    const annotated = await readFunsdForm(annotationPath);
    const original = await toRgbPng(join(split.imagesDir, imageName));
    const form = args.words === 'ocr' ? funsdFormOnWords(annotated, await recognize()({ ...original, index: 0 })) : annotated;
    const words = labelledWords(form, annotationPath, labels);
    const targets = keyValueTargets(funsdGoldLinks(form));
    const pairs = targets.pairLinks.length > 0 ? targets : {};
    if (targets.pairLinks.length > 0) summary.linkedPages += 1;
    const paths = await writer.pageImages(docId, 0, original);
    const tokens = await tokenizer.tokenizeWords(words.map((word) => word.text));
    const page = encodePage(tokens, words, original, tokenizer.special, args);
    for (const [windowIndex, window] of page.windows.entries()) {
      await writer.writeWindow(split.name, {
        docId,
        page: 0,
        window: windowIndex,
        ...window,
        ...paths,
        width: original.width,
        height: original.height,
        ...pairs,
      });
    }
    summary.documents += 1;
    summary.windows += page.windows.length;
    summary.tokens += page.tokenCount;
    summary.maxTokensPerPage = Math.max(summary.maxTokensPerPage, page.tokenCount);
  }
  return summary;
}

export function formatSummary(split: string, summary: SplitSummary): string {
  return `${split}: ${summary.documents} documents, ${summary.windows} windows, ${summary.tokens} tokens, max ${summary.maxTokensPerPage} tokens per page`;
}

/** The label set of the entity types used across all splits (FUNSD's own seven for FUNSD). */
async function funsdLabelSet(splits: readonly FunsdSplit[]): Promise<string[]> {
  const types = new Set<string>();
  for (const split of splits) {
    for (const name of (await readdir(split.annotationsDir)).filter((file) => file.endsWith('.json'))) {
      for (const tag of (await readFunsdForm(join(split.annotationsDir, name))).tags) {
        const type = tagType(tag);
        if (type !== null) types.add(type);
      }
    }
  }
  return bioLabels(types);
}

async function prepareExtract(args: PrepareArgs, tokenizer: LayoutTokenizer, writer: PreparedDatasetWriter, recognize: () => Recognize, log: (line: string) => void): Promise<Record<string, SplitSummary>> {
  const splits = await findFunsdSplits(args.input);
  const labels = await funsdLabelSet(splits);
  const summaries: Record<string, SplitSummary> = {};
  const seenDocIds = new Set<string>();
  for (const split of splits) {
    summaries[split.name] = await prepareExtractSplit(split, args, tokenizer, writer, seenDocIds, labels, recognize);
    log(formatSummary(split.name, summaries[split.name]));
  }
  await writer.finish({
    task: 'extract',
    source: args.format,
    ...(args.words === 'ocr' ? { words: 'ocr' } : {}),
    labels,
    // Windows carry pairEntities / pairLinks (FUNSD links): the trainer adds the key-value head.
    ...(Object.values(summaries).some((summary) => summary.linkedPages > 0) ? { pairs: true } : {}),
    tokenizer: 'tokenizer.json',
    specialTokens: tokenizer.special,
    maxLength: args.maxLength,
    windowStride: args.stride,
    imageSize: args.imageSize,
    splits: Object.fromEntries(Object.entries(summaries).map(([name, s]) => [name, { documents: s.documents, windows: s.windows }])),
  });
  return summaries;
}

/** Runs one task; the summaries are keyed by split. OCR starts only if some document has no words. */
export async function runPrepare(args: PrepareArgs, log: (line: string) => void = console.log): Promise<Record<string, object>> {
  const tokenizer = await LayoutTokenizer.fromFile(args.tokenizer);
  const writer = await PreparedDatasetWriter.open(args.out, args.tokenizer, args.imageSize);
  let ocr: OcrRecognizer | undefined;
  const recognize = () => (ocr ??= createOcrRecognizer(args.ocrWorkers, loadAppConfig(process.env))).recognize;
  const loadPages = (imagePath: string, words: unknown, source: string) => loadDocumentPages(imagePath, words, source, recognize);
  try {
    if (args.task === 'classify') return await prepareClassify(args, tokenizer, writer, loadPages, log);
    if (args.task === 'ask') return await prepareAsk(args, tokenizer, writer, loadPages, log);
    return await prepareExtract(args, tokenizer, writer, recognize, log);
  } finally {
    await writer.abort();
    await ocr?.close();
  }
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
