import { DomainError } from '../common/domain-error';
import { PageWord, PixelBox } from '../common/document-types';

/**
 * Client-supplied OCR (`words`) replaces the service's OCR for the whole document. One schema, per page;
 * this description is also the OpenAPI text for the `words` field.
 */
export const CLIENT_WORDS_DESCRIPTION =
  'Optional client OCR, replacing server OCR: `[{ "page"?: 1-based number, "words": [{ "text": string, "box": [x0, y0, x1, y1] ' +
  '(pixels of the orientation-corrected page, x0≤x1 ≤ width, y0≤y1 ≤ height), "segment"?: integer (words sharing it share a ' +
  'segment box; default: the word\'s own index) }] }]`. A flat array of words is shorthand for page 1. Pages without an entry get no words.';

export interface PageSize {
  width: number;
  height: number;
}

function invalid(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('INVALID_WORDS', message, details);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseBox(value: unknown, page: PageSize, where: Record<string, unknown>, path: string): PixelBox {
  const fail = (reason: string) => invalid(`${path}.box: ${reason}`, { ...where, field: 'box', reason });
  if (!Array.isArray(value) || value.length !== 4) throw fail('expected [x0, y0, x1, y1]');
  if (!value.every((n) => typeof n === 'number' && Number.isFinite(n))) throw fail('expected 4 finite numbers');
  const [x0, y0, x1, y1] = value as number[];
  if (x0 > x1 || y0 > y1) throw fail('expected x0 ≤ x1 and y0 ≤ y1');
  if (x0 < 0 || y0 < 0 || x1 > page.width || y1 > page.height) {
    throw fail(`outside the ${page.width}×${page.height} page`);
  }
  return [x0, y0, x1, y1];
}

function parseWord(value: unknown, index: number, page: PageSize, pageNumber: number, path: string): PageWord {
  const where = { page: pageNumber, index };
  if (!isObject(value)) throw invalid(`${path}: expected an object { text, box }`, { ...where, field: 'word' });
  if (typeof value.text !== 'string' || value.text.trim() === '') {
    throw invalid(`${path}.text: expected a non-empty string`, { ...where, field: 'text' });
  }
  const box = parseBox(value.box, page, where, path);
  let segment = index;
  if (value.segment !== undefined) {
    if (!Number.isInteger(value.segment) || (value.segment as number) < 0) {
      throw invalid(`${path}.segment: expected a non-negative integer`, { ...where, field: 'segment' });
    }
    segment = value.segment as number;
  }
  return { text: value.text, box, confidence: 1, segment };
}

function parsePageWords(value: unknown, page: PageSize, pageNumber: number, path: string, maxWordsPerPage: number): PageWord[] {
  if (!Array.isArray(value)) throw invalid(`${path}: expected an array of words`, { page: pageNumber, field: 'words' });
  if (value.length > maxWordsPerPage) {
    throw invalid(`${path}: ${value.length} words; the limit is ${maxWordsPerPage} per page`, {
      page: pageNumber,
      field: 'words',
      maxWordsPerPage,
    });
  }
  return value.map((word, i) => parseWord(word, i, page, pageNumber, `${path}[${i}]`));
}

/** Validates client words against the decoded pages → one word list per page (INVALID_WORDS on the first problem). */
export function parseClientWords(value: unknown, pages: PageSize[], maxWordsPerPage: number): PageWord[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('words: expected a non-empty array of pages [{ page?, words: [...] }]', { field: 'words' });
  }
  const isPageList = value.every((entry) => isObject(entry) && 'words' in entry);
  if (!isPageList) {
    if (value.some((entry) => isObject(entry) && 'words' in entry)) {
      throw invalid('words: mixes page entries and words; use [{ page?, words: [...] }]', { field: 'words' });
    }
    const result: PageWord[][] = pages.map(() => []);
    result[0] = parsePageWords(value, pages[0], 1, 'words', maxWordsPerPage);
    return result;
  }

  const result: PageWord[][] = pages.map(() => []);
  const seen = new Set<number>();
  value.forEach((entry: Record<string, unknown>, position) => {
    const pageNumber = entry.page ?? position + 1;
    if (!Number.isInteger(pageNumber) || (pageNumber as number) < 1 || (pageNumber as number) > pages.length) {
      throw invalid(`words[${position}].page: expected an integer from 1 to ${pages.length}`, { index: position, field: 'page' });
    }
    const page = pageNumber as number;
    if (seen.has(page)) throw invalid(`words[${position}].page: page ${page} appears twice`, { index: position, field: 'page' });
    seen.add(page);
    result[page - 1] = parsePageWords(entry.words, pages[page - 1], page, `words[${position}].words`, maxWordsPerPage);
  });
  return result;
}
