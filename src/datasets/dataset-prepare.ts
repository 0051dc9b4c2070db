import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerPositions, DEFAULT_MAX_QUESTION_TOKENS, encodePage, encodeQuestionPage, LayoutTokenizer } from '../layout';
import { locateAnswer, spanOfWordIds } from './answer-locator';
import { DatasetRecord, SplitName, StoredDocument } from './dataset-types';
import { PreparedDatasetWriter } from './prepared-writer';

/**
 * A stored dataset → the prepared dataset of docs/prepared-dataset.md, tokenized by src/layout with the tokenizer
 * of the model about to be tuned, written by the same PreparedDatasetWriter as the CLI's `prepare` (dataset.json
 * last, so it only ever describes complete files).
 */

export interface PrepareOptions {
  maxLength: number;
  stride: number;
  imageSize: number;
}

const SPLITS: SplitName[] = ['train', 'test'];

type WindowLine = Record<string, unknown>;

interface PageFiles {
  image: string;
  original: string;
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
      if (record.task !== 'extract') return { ...base, classLabel: document.classLabel };
      return { ...base, labels, ...(document.pairs && pageIndex === 0 ? document.pairs : {}) };
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
  const writer = await PreparedDatasetWriter.open(outDir, tokenizerPath, options.imageSize);
  const splits: Partial<Record<SplitName, { documents: number; windows: number }>> = {};
  try {
    for (const split of SPLITS) {
      const inSplit = documents.filter((document) => document.split === split);
      if (inSplit.length === 0) continue;
      writer.openSplit(split);
      let windows = 0;
      for (const document of inSplit) {
        for (const [pageIndex, page] of document.pages.entries()) {
          const files = await writer.pageImages(document.id, pageIndex, { png: await readFile(join(datasetDir, page.image)) });
          for (const line of await pageLines(record, document, pageIndex, files, tokenizer, options)) {
            await writer.writeWindow(split, line);
            windows += 1;
          }
        }
      }
      splits[split] = { documents: inSplit.length, windows };
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.finish({
    task: record.task,
    source: `dataset:${record.id}`,
    labels: record.labels,
    tokenizer: 'tokenizer.json',
    specialTokens: tokenizer.special,
    maxLength: options.maxLength,
    windowStride: options.stride,
    imageSize: options.imageSize,
    ...(record.task === 'ask' ? { maxQuestionTokens: DEFAULT_MAX_QUESTION_TOKENS } : {}),
    // Links on any document: the trainer tunes the key-value head with the rest (a base bundle's head is kept).
    ...(record.task === 'extract' && documents.some((document) => document.pairs) ? { pairs: true } : {}),
    splits,
  });
}
