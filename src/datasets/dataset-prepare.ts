import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomic-file';
import { resizeToRgb, rgbToPng } from '../documents/image-codec';
import { answerPositions, DEFAULT_MAX_QUESTION_TOKENS, encodePage, encodeQuestionPage, LayoutTokenizer } from '../layout';
import { locateAnswer, spanOfWordIds } from './answer-locator';
import { DatasetRecord, SplitName, StoredDocument, StoredPage } from './dataset-types';

/**
 * A stored dataset → the prepared dataset of docs/prepared-dataset.md, tokenized by src/layout with the tokenizer
 * of the model about to be tuned. dataset.json is written last, so it only ever describes complete files.
 */

export interface PrepareOptions {
  maxLength: number;
  stride: number;
  imageSize: number;
}

const FORMAT_VERSION = 1;
const SPLITS: SplitName[] = ['train', 'test'];

type WindowLine = Record<string, unknown>;

interface PageFiles {
  image: string;
  original: string;
}

function pageFileName(docId: string, pageIndex: number): string {
  return pageIndex === 0 ? `${docId}.png` : `${docId}-p${pageIndex + 1}.png`;
}

async function writePageImages(datasetDir: string, outDir: string, docId: string, pageIndex: number, page: StoredPage, imageSize: number): Promise<PageFiles> {
  const name = pageFileName(docId, pageIndex);
  const files = { image: `images/${name}`, original: `originals/${name}` };
  const source = await readFile(join(datasetDir, page.image));
  await writeFile(join(outDir, files.original), source);
  await writeFile(join(outDir, files.image), await rgbToPng(await resizeToRgb(source, imageSize), imageSize, imageSize));
  return files;
}

/** The window lines of one page for the dataset's task. */
async function pageLines(
  record: DatasetRecord,
  document: StoredDocument,
  pageIndex: number,
  files: PageFiles,
  tokenizer: LayoutTokenizer,
  options: PrepareOptions,
): Promise<WindowLine[]> {
  const page = document.pages[pageIndex];
  const common = { docId: document.id, page: pageIndex, image: files.image, original: files.original, width: page.width, height: page.height };
  const tokens = await tokenizer.tokenizeWords(page.words.map((word) => word.text));
  const layout = { maxLength: options.maxLength, stride: options.stride };
  if (record.task !== 'ask') {
    const encoded = encodePage(tokens, page.words, page, tokenizer.special, layout);
    return encoded.windows.map((window, index) => {
      const { labels, ...unlabelled } = window;
      const base = { ...common, window: index, ...unlabelled };
      return record.task === 'extract' ? { ...base, labels } : { ...base, classLabel: document.classLabel };
    });
  }
  const texts = page.words.map((word) => word.text);
  const lines: WindowLine[] = [];
  for (const question of document.questions ?? []) {
    const questionIds = (await tokenizer.tokenizeText(question.question)).slice(0, DEFAULT_MAX_QUESTION_TOKENS);
    if (questionIds.length === 0) continue;
    const encoded = encodeQuestionPage(questionIds, tokens, page.words, page, tokenizer.special, { ...layout, maxQuestionTokens: DEFAULT_MAX_QUESTION_TOKENS });
    const span =
      question.answerWordIds && pageIndex === 0
        ? spanOfWordIds(question.answerWordIds, texts.length)
        : question.answers.map((answer) => locateAnswer(texts, answer)).find(Boolean);
    encoded.windows.forEach((window, index) => {
      const positions = span ? answerPositions(window, encoded.tokenWordIds, span) : { startPosition: 0, endPosition: 0 };
      lines.push({ ...common, window: index, ...window, words: texts, questionId: question.id, question: question.question, answers: question.answers, ...positions });
    });
  }
  return lines;
}

async function writeSplit(
  split: SplitName,
  documents: StoredDocument[],
  datasetDir: string,
  record: DatasetRecord,
  tokenizer: LayoutTokenizer,
  options: PrepareOptions,
  outDir: string,
): Promise<{ documents: number; windows: number }> {
  const finalPath = join(outDir, `${split}.jsonl`);
  const stream = createWriteStream(`${finalPath}.partial`);
  let windows = 0;
  try {
    for (const document of documents) {
      for (const [pageIndex, page] of document.pages.entries()) {
        const files = await writePageImages(datasetDir, outDir, document.id, pageIndex, page, options.imageSize);
        for (const line of await pageLines(record, document, pageIndex, files, tokenizer, options)) {
          if (!stream.write(`${JSON.stringify(line)}\n`)) await once(stream, 'drain');
          windows += 1;
        }
      }
    }
  } finally {
    stream.end();
    await once(stream, 'close');
  }
  await rename(`${finalPath}.partial`, finalPath);
  return { documents: documents.length, windows };
}

/** The training windows the prepared dataset would hold (what a tuning job's duration estimate counts); nothing is written. */
export async function countTrainingWindows(record: DatasetRecord, documents: StoredDocument[], tokenizerPath: string, options: PrepareOptions): Promise<number> {
  const tokenizer = await LayoutTokenizer.fromFile(tokenizerPath);
  let windows = 0;
  for (const document of documents.filter((candidate) => candidate.split === 'train')) {
    for (const pageIndex of document.pages.keys()) {
      windows += (await pageLines(record, document, pageIndex, { image: '', original: '' }, tokenizer, options)).length;
    }
  }
  return windows;
}

/** Writes the prepared dataset into `outDir` (created; an older dataset.json there is dropped first). */
export async function writePreparedDataset(
  datasetDir: string,
  record: DatasetRecord,
  documents: StoredDocument[],
  tokenizerPath: string,
  options: PrepareOptions,
  outDir: string,
): Promise<void> {
  const tokenizer = await LayoutTokenizer.fromFile(tokenizerPath);
  await rm(join(outDir, 'dataset.json'), { force: true });
  await mkdir(join(outDir, 'images'), { recursive: true });
  await mkdir(join(outDir, 'originals'), { recursive: true });
  await copyFile(tokenizerPath, join(outDir, 'tokenizer.json'));

  const splits: Partial<Record<SplitName, { documents: number; windows: number }>> = {};
  for (const split of SPLITS) {
    const inSplit = documents.filter((document) => document.split === split);
    if (inSplit.length > 0) splits[split] = await writeSplit(split, inSplit, datasetDir, record, tokenizer, options, outDir);
    else await rm(join(outDir, `${split}.jsonl`), { force: true });
  }
  const metadata = {
    formatVersion: FORMAT_VERSION,
    task: record.task,
    source: `dataset:${record.id}`,
    labels: record.labels,
    tokenizer: 'tokenizer.json',
    specialTokens: tokenizer.special,
    maxLength: options.maxLength,
    windowStride: options.stride,
    imageSize: options.imageSize,
    ...(record.task === 'ask' ? { maxQuestionTokens: DEFAULT_MAX_QUESTION_TOKENS } : {}),
    splits,
  };
  await writeJsonAtomic(join(outDir, 'dataset.json'), metadata);
}
