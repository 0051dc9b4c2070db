import { readFile } from 'node:fs/promises';
import { funsdQaPairs } from '../datasets/funsd-qa';
import { readFunsdForm } from '../datasets/funsd-reader';
import { readImageInfo } from '../documents/image-codec';
import { encodePage, encodeQuestionPage, LayoutWord } from '../layout';
import { RegisteredModel } from '../registry/registry.service';
import { BenchEndpoint } from '../evaluation/cli-args';
import { listFunsdDocuments } from '../evaluation/funsd-documents';
import { toClientWords } from '../evaluation/funsd-entities';
import { askQuestionLimit, taskHead } from '../registry/bundle-manifest';
import { fitQuestion } from '../evaluation/qa-evaluation';
import { DocumentUpload } from '../evaluation/service-client';

/** Questions sent with each page to /v1/ask: a typical "ask a few things about this form" request. */
export const ASK_QUESTIONS_PER_PAGE = 4;
const FALLBACK_QUESTIONS = ['What is the date?', 'Who is it to?', 'What is the subject?', 'Who is it from?'];

/** One FUNSD test page as the bench sends it. */
export interface BenchPage {
  id: string;
  imagePath: string;
  image: Buffer;
  width: number;
  height: number;
  words: LayoutWord[];
  /** Its FUNSD-QA questions (first phrasing of each question entity), for /v1/ask. */
  questions: string[];
}

export async function loadBenchPages(funsdDir: string, count: number): Promise<BenchPage[]> {
  const pages: BenchPage[] = [];
  for (const listed of await listFunsdDocuments(funsdDir, 'test', count)) {
    const [image, form] = await Promise.all([readFile(listed.imagePath), readFunsdForm(listed.annotationPath)]);
    const { width, height } = await readImageInfo(image);
    const questions = funsdQaPairs(listed.id, form.words, form.entities)
      .filter((pair) => pair.questionId.endsWith(':plain'))
      .map((pair) => pair.question);
    pages.push({ id: listed.id, imagePath: listed.imagePath, image, width, height, words: form.words, questions });
  }
  return pages;
}

/** The page's questions for an ask model: its own FUNSD-QA questions (or generic ones), cut to the model's token limit. */
export async function askQuestions(model: RegisteredModel, page: BenchPage): Promise<string[]> {
  const chosen = [...page.questions, ...FALLBACK_QUESTIONS].slice(0, ASK_QUESTIONS_PER_PAGE);
  const limit = askQuestionLimit(model.manifest);
  return Promise.all(chosen.map(async (question) => (await fitQuestion(model.tokenizer, question, limit)).text));
}

/** The request for one page: model-only sends the annotation's words (no OCR), end-to-end sends the image alone. */
export function benchUpload(endpoint: BenchEndpoint, page: BenchPage, withWords: boolean, questions: string[]): DocumentUpload {
  return {
    file: page.image,
    fileName: `${page.id}.png`,
    ...(withWords ? { words: toClientWords(page.words) } : {}),
    ...(endpoint === 'ask' ? { questions } : {}),
  };
}

/**
 * Tokens of every window the service runs for the page with its words (special tokens included), encoded as the
 * inference services do: per page for extract, classify and ask by key lookup (one extraction pass answers every
 * question), per question × page window for a span head.
 */
export async function windowLengths(model: RegisteredModel, endpoint: BenchEndpoint, page: BenchPage, questions: readonly string[]): Promise<number[]> {
  const { manifest, tokenizer } = model;
  const tokens = await tokenizer.tokenizeWords(page.words.map((word) => word.text));
  if (tokens.ids.length === 0) return [];
  const size = { width: page.width, height: page.height };
  const layout = { maxLength: manifest.maxLength, stride: manifest.windowStride };
  if (endpoint !== 'ask' || taskHead(manifest, 'ask').keyLookup) return encodePage(tokens, page.words, size, manifest.tokenizer, layout).windows.map((window) => window.inputIds.length);
  const lengths: number[] = [];
  for (const question of questions) {
    const ids = await tokenizer.tokenizeText(question);
    const encoded = encodeQuestionPage(ids, tokens, page.words, size, manifest.tokenizer, { ...layout, maxQuestionTokens: askQuestionLimit(manifest) });
    lengths.push(...encoded.windows.map((window) => window.inputIds.length));
  }
  return lengths;
}
