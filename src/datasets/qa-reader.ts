import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { documentIdFromPath, entrySplit, ManifestFormatError, parseJsonl, SplitName } from './jsonl-manifest';

/** One question about a document, as written in a QA manifest. */
export interface QaExample {
  docId: string;
  imagePath: string;
  questionId: string;
  question: string;
  /** null or '' = the document does not answer the question. */
  answer: string | null;
  /** Indices into the words of `answerPage` (their min..max is the answer span); absent → located by text. */
  answerWordIds?: number[];
  /** 0-based page of `answerWordIds`. */
  answerPage: number;
  /** Client words as in the `words` field of the API (validated once the pages are decoded); absent → OCR. */
  words?: unknown;
  split: SplitName;
  source: string;
}

/**
 * `{image, question, answer, answer_word_ids?, answer_page?, words?, split?}` per line; image paths are relative to
 * the manifest; `answer_page` is 1-based (default 1) and only meaningful with `answer_word_ids`.
 */
export function parseQaManifest(text: string, file: string): QaExample[] {
  const baseDir = dirname(resolve(file));
  return parseJsonl(text, file).map((entry): QaExample => {
    const fail = (field: string, problem: string) => new ManifestFormatError(file, entry.line, field, problem);
    const { image, question, answer, words } = entry.value;
    const answerWordIds = entry.value.answer_word_ids;
    const answerPage = entry.value.answer_page ?? 1;
    if (typeof image !== 'string' || image.trim() === '') throw fail('image', 'expected a non-empty path');
    if (typeof question !== 'string' || question.trim() === '') throw fail('question', 'expected a non-empty string');
    if (answer !== undefined && answer !== null && typeof answer !== 'string') throw fail('answer', 'expected a string or null');
    if (answerWordIds !== undefined) {
      if (!Array.isArray(answerWordIds) || answerWordIds.length === 0 || !answerWordIds.every((id) => Number.isInteger(id) && id >= 0)) {
        throw fail('answer_word_ids', 'expected a non-empty array of word indices (integers ≥ 0)');
      }
      if (typeof answer !== 'string' || answer.trim() === '') throw fail('answer_word_ids', 'given for a question without an answer');
    }
    if (!Number.isInteger(answerPage) || (answerPage as number) < 1) throw fail('answer_page', 'expected an integer ≥ 1');
    if (words !== undefined && !Array.isArray(words)) throw fail('words', 'expected an array');
    const docId = documentIdFromPath(image);
    return {
      docId,
      imagePath: resolve(baseDir, image),
      questionId: `${docId}:${entry.line}`,
      question: question.trim(),
      answer: typeof answer === 'string' ? answer : null,
      answerWordIds: answerWordIds as number[] | undefined,
      answerPage: (answerPage as number) - 1,
      words,
      split: entrySplit(entry, file, image),
      source: `${file}:${entry.line}`,
    };
  });
}

export async function readQaManifest(file: string): Promise<QaExample[]> {
  return parseQaManifest(await readFile(file, 'utf8'), file);
}
