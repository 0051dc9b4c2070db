import { basename, extname, join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { toRgbPng } from '../documents/image-codec';
import { answerPositions, encodeQuestionPage, LayoutTokenizer, WordSpan } from '../layout';
import { locateAnswer, spanOfWordIds } from '../datasets/answer-locator';
import { DocumentPage, LoadPages } from './document-pages';
import { funsdQaPairs } from '../datasets/funsd-qa';
import { findFunsdSplits, readFunsdForm } from '../datasets/funsd-reader';
import { assertUniqueDocIds, SPLIT_NAMES } from '../datasets/jsonl-manifest';
import { PrepareArgs } from './prepare-args';
import { PreparedDatasetWriter } from '../datasets/prepared-writer';
import { QaExample, readQaManifest } from '../datasets/qa-reader';

export interface AskSplitSummary {
  documents: number;
  questions: number;
  windows: number;
  /** Windows whose start/end point at the answer (not [CLS]). */
  answerWindows: number;
  /** Questions the document does not answer (answer null or empty). */
  unanswerable: number;
  /** Questions whose answer text was not found among the words: kept, with no span in any window. */
  unlocated: number;
  /** Questions cut to --max-question-tokens. */
  truncatedQuestions: number;
}

interface DocumentQuestion {
  questionId: string;
  question: string;
  answers: string[];
  /** Where the answers are; the first that fits wholly in a window gives that window's start/end. */
  spans: Array<{ page: number; span: WordSpan }>;
}

interface AskDocument {
  docId: string;
  split: string;
  pages: DocumentPage[];
  questions: DocumentQuestion[];
}

export function formatAskSummary(split: string, s: AskSplitSummary): string {
  return (
    `${split}: ${s.documents} documents, ${s.questions} questions, ${s.windows} windows (${s.answerWindows} holding the answer), ` +
    `${s.unanswerable} unanswerable, ${s.unlocated} answers not found in the words, ${s.truncatedQuestions} questions truncated`
  );
}

function emptySummary(): AskSplitSummary {
  return { documents: 0, questions: 0, windows: 0, answerWindows: 0, unanswerable: 0, unlocated: 0, truncatedQuestions: 0 };
}

async function writeAskDocument(document: AskDocument, args: PrepareArgs, tokenizer: LayoutTokenizer, writer: PreparedDatasetWriter, summary: AskSplitSummary): Promise<void> {
  const pages = [];
  for (const { image, words } of document.pages) {
    const tokens = await tokenizer.tokenizeWords(words.map((word) => word.text));
    pages.push({ image, words, tokens, paths: await writer.pageImages(document.docId, image.index, image) });
  }
  for (const question of document.questions) {
    const questionIds = await tokenizer.tokenizeText(question.question);
    if (questionIds.length > args.maxQuestionTokens) summary.truncatedQuestions += 1;
    const keptIds = questionIds.slice(0, args.maxQuestionTokens);
    for (const { image, words, tokens, paths } of pages) {
      const encoded = encodeQuestionPage(keptIds, tokens, words, image, tokenizer.special, args);
      const pageSpans = question.spans.filter((answer) => answer.page === image.index).map((answer) => answer.span);
      for (const [windowIndex, window] of encoded.windows.entries()) {
        const positions = pageSpans.map((span) => answerPositions(window, encoded.tokenWordIds, span)).find((p) => p.startPosition > 0) ?? {
          startPosition: 0,
          endPosition: 0,
        };
        await writer.writeWindow(document.split, {
          docId: document.docId,
          page: image.index,
          window: windowIndex,
          ...window,
          words: words.map((word) => word.text),
          questionId: question.questionId,
          question: question.question,
          answers: question.answers,
          ...positions,
          ...paths,
          width: image.width,
          height: image.height,
        });
        summary.windows += 1;
        if (positions.startPosition > 0) summary.answerWindows += 1;
      }
    }
    summary.questions += 1;
    if (question.answers.length === 0) summary.unanswerable += 1;
  }
  summary.documents += 1;
}

/** A manifest entry's answer → its span: the given word ids (min..max), else the first text match on any page. */
function locateManifestAnswer(example: QaExample, pages: readonly DocumentPage[]): DocumentQuestion['spans'] | null {
  if (example.answerWordIds) {
    const page = pages[example.answerPage];
    if (!page) throw new Error(`${example.source}: answer_page: the document has ${pages.length} pages`);
    const outside = example.answerWordIds.find((id) => id >= page.words.length);
    if (outside !== undefined) throw new Error(`${example.source}: answer_word_ids: word ${outside} is not on page ${example.answerPage + 1} (${page.words.length} words)`);
    return [{ page: example.answerPage, span: spanOfWordIds(example.answerWordIds, page.words.length)! }];
  }
  for (const page of pages) {
    const span = locateAnswer(page.words.map((word) => word.text), example.answer as string);
    if (span) return [{ page: page.image.index, span }];
  }
  return null;
}

async function* manifestDocuments(args: PrepareArgs, loadPages: LoadPages, summaries: Record<string, AskSplitSummary>): AsyncGenerator<AskDocument> {
  const examples = await readQaManifest(args.input);
  assertUniqueDocIds(examples);
  const byImage = new Map<string, QaExample[]>();
  for (const example of examples) byImage.set(example.imagePath, [...(byImage.get(example.imagePath) ?? []), example]);
  for (const group of byImage.values()) {
    const [first] = group;
    const conflicting = group.find((example) => example.split !== first.split);
    if (conflicting) throw new Error(`${conflicting.source}: split: ${conflicting.split}, but ${first.source} puts the same image in ${first.split}`);
    // One page list per image: the first entry that carries words supplies them for all its questions.
    const worded = group.find((example) => example.words !== undefined) ?? first;
    const pages = await loadPages(first.imagePath, worded.words, worded.source);
    const questions = group.map((example): DocumentQuestion => {
      const base = { questionId: example.questionId, question: example.question };
      if (example.answer === null || example.answer.trim() === '') return { ...base, answers: [], spans: [] };
      const spans = locateManifestAnswer(example, pages);
      if (!spans) summaries[first.split].unlocated += 1;
      return { ...base, answers: [example.answer], spans: spans ?? [] };
    });
    yield { docId: first.docId, split: first.split, pages, questions };
  }
}

async function* funsdQaDocuments(args: PrepareArgs): AsyncGenerator<AskDocument> {
  for (const split of await findFunsdSplits(args.input)) {
    const imageByStem = new Map((await readdir(split.imagesDir)).map((name) => [basename(name, extname(name)), name]));
    for (const annotationName of (await readdir(split.annotationsDir)).filter((name) => name.endsWith('.json')).sort()) {
      const docId = basename(annotationName, '.json');
      const annotationPath = join(split.annotationsDir, annotationName);
      const imageName = imageByStem.get(docId);
      if (!imageName) throw new Error(`${annotationPath}: no image named ${docId}.* in ${split.imagesDir}`);
      const { words, entities } = await readFunsdForm(annotationPath);
      const image = { index: 0, ...(await toRgbPng(join(split.imagesDir, imageName))) };
      const questions = funsdQaPairs(docId, words, entities).map(({ answerSpans, ...pair }) => ({
        ...pair,
        spans: answerSpans.map((span) => ({ page: 0, span })),
      }));
      yield { docId, split: split.name, pages: [{ image, words }], questions };
    }
  }
}

/** Extractive QA: one line per question × page window, the question encoded first (docs/prepared-dataset.md). */
export async function prepareAsk(
  args: PrepareArgs,
  tokenizer: LayoutTokenizer,
  writer: PreparedDatasetWriter,
  loadPages: LoadPages,
  log: (line: string) => void,
): Promise<Record<string, AskSplitSummary>> {
  const summaries: Record<string, AskSplitSummary> = {};
  for (const split of SPLIT_NAMES) {
    writer.openSplit(split);
    summaries[split] = emptySummary();
  }
  const documents = args.format === 'funsd-qa' ? funsdQaDocuments(args) : manifestDocuments(args, loadPages, summaries);
  for await (const document of documents) await writeAskDocument(document, args, tokenizer, writer, summaries[document.split]);
  for (const split of SPLIT_NAMES) log(formatAskSummary(split, summaries[split]));
  await writer.finish({
    task: 'ask',
    source: args.format,
    labels: [],
    tokenizer: 'tokenizer.json',
    specialTokens: tokenizer.special,
    maxLength: args.maxLength,
    windowStride: args.stride,
    maxQuestionTokens: args.maxQuestionTokens,
    imageSize: args.imageSize,
    splits: Object.fromEntries(SPLIT_NAMES.map((split) => [split, { documents: summaries[split].documents, windows: summaries[split].windows, questions: summaries[split].questions }])),
  });
  return summaries;
}
