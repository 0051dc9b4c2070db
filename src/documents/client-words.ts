import { DomainError } from '../common/domain-error';
import { PageWord, PixelBox } from '../common/document-types';

/**
 * Client-supplied OCR (`words`) replaces the service's OCR for the whole document. One schema, per page;
 * this description is also the OpenAPI text for the `words` field.
 */
export const CLIENT_WORDS_DESCRIPTION =
  'Optional client OCR, replacing server OCR: `[{ "page"?: 1-based number, "words": [{ "text": string, "box": [x0, y0, x1, y1] ' +
  '(pixels of the orientation-corrected page, x0≤x1 ≤ width, y0≤y1 ≤ height), "segment"?: integer (words sharing it share a ' +
  'segment box; default: the word\'s own index) }] }]`. `page` is the page number in the document (default: the entry\'s ' +
  'position), also with a `pages` selector: entries for pages that are not selected are ignored. A flat array of words is ' +
  'shorthand for page 1. Pages without an entry get no words.';

export interface PageSize {
  width: number;
  height: number;
}

/** A decoded page as the words are matched to it: by its position in the document. */
export interface SelectedPage extends PageSize {
  /** 0-based page index within the document. */
  index: number;
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

/** INVALID_WORDS for an entry naming a page the document does not have. */
export function pageBeyondDocument(page: number, documentPageCount?: number): DomainError {
  const known = documentPageCount === undefined ? '' : `; it has ${documentPageCount}`;
  return invalid(`words: page ${page} is beyond the document${known}`, { field: 'page', page, ...(documentPageCount === undefined ? {} : { documentPageCount }) });
}

/** The page numbers a words value names (the flat shorthand names page 1); entries without a usable number are skipped. */
function namedPages(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) return [];
  if (!value.every((entry) => isObject(entry) && 'words' in entry)) return [1];
  return value.map((entry: Record<string, unknown>, position) => entry.page ?? position + 1).filter((page): page is number => Number.isInteger(page));
}

/**
 * The furthest page the words name (0 when none): a caller that decoded only the selected pages checks with it
 * that the page exists in the document.
 */
export function furthestNamedPage(value: unknown): number {
  return Math.max(0, ...namedPages(value));
}

/**
 * Validates client words against the decoded (selected) pages → one word list per page of `pages`, in order
 * (INVALID_WORDS on the first problem). `page` numbers are document pages; entries for pages not among `pages` are
 * ignored. A page past `documentPageCount`, when the caller knows it, is an error.
 */
export function parseClientWords(value: unknown, pages: SelectedPage[], maxWordsPerPage: number, documentPageCount?: number): PageWord[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('words: expected a non-empty array of pages [{ page?, words: [...] }]', { field: 'words' });
  }
  const result: PageWord[][] = pages.map(() => []);
  const positionOf = new Map(pages.map((page, position) => [page.index + 1, position]));
  const isPageList = value.every((entry) => isObject(entry) && 'words' in entry);
  if (!isPageList) {
    if (value.some((entry) => isObject(entry) && 'words' in entry)) {
      throw invalid('words: mixes page entries and words; use [{ page?, words: [...] }]', { field: 'words' });
    }
    const position = positionOf.get(1);
    if (position !== undefined) result[position] = parsePageWords(value, pages[position], 1, 'words', maxWordsPerPage);
    return result;
  }

  const seen = new Set<number>();
  value.forEach((entry: Record<string, unknown>, index) => {
    const pageNumber = entry.page ?? index + 1;
    if (!Number.isInteger(pageNumber) || (pageNumber as number) < 1) {
      throw invalid(`words[${index}].page: expected a page number from 1`, { index, field: 'page' });
    }
    const page = pageNumber as number;
    if (documentPageCount !== undefined && page > documentPageCount) {
      throw invalid(`words[${index}].page: the document has ${documentPageCount} page(s)`, { index, field: 'page', page, documentPageCount });
    }
    if (seen.has(page)) throw invalid(`words[${index}].page: page ${page} appears twice`, { index, field: 'page' });
    seen.add(page);
    const position = positionOf.get(page);
    if (position !== undefined) result[position] = parsePageWords(entry.words, pages[position], page, `words[${index}].words`, maxWordsPerPage);
  });
  return result;
}
