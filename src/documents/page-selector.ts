import { DomainError } from '../common/domain-error';

/** An inclusive 1-based page range; `last` undefined means "to the end of the document" (`3-`). */
export interface PageRange {
  first: number;
  last?: number;
}

const RANGE = /^(\d+)(?:\s*(-)\s*(\d+)?)?$/;

function invalid(selector: string, why: string): DomainError {
  return new DomainError('INVALID_PAGES', `pages "${selector}": ${why}; expected 1-based pages and ranges such as "1-3,5"`, {
    field: 'pages',
    pages: selector,
  });
}

/** Parses a selector such as `1-3,5,8-` (syntax only; the page count is not known yet). */
export function parsePageSelector(selector: string): PageRange[] {
  const parts = selector.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) throw invalid(selector, 'empty');
  return parts.map((part) => {
    const match = RANGE.exec(part);
    if (!match) throw invalid(selector, `"${part}" is not a page or a range`);
    const first = Number(match[1]);
    const last = match[2] ? (match[3] === undefined ? undefined : Number(match[3])) : first;
    if (first < 1) throw invalid(selector, 'pages start at 1');
    if (last !== undefined && last < first) throw invalid(selector, `"${part}" runs backwards`);
    return { first, last };
  });
}

/**
 * 0-based indices of the selected pages, in document order without repeats. No selector selects every
 * page. Over the limit → 413 before any page is decoded.
 */
export function selectPages(selector: string | undefined, pageCount: number, maxPages: number): number[] {
  if (pageCount === 0) throw new DomainError('EMPTY_DOCUMENT', 'The document has no pages');
  const ranges = selector === undefined || selector.trim() === '' ? [{ first: 1, last: pageCount }] : parsePageSelector(selector);
  const selected = new Set<number>();
  for (const { first, last = pageCount } of ranges) {
    if (first > pageCount || last > pageCount) {
      throw new DomainError('PAGES_OUT_OF_RANGE', `pages "${selector}": the document has ${pageCount} page(s)`, {
        field: 'pages',
        pages: selector,
        pageCount,
      });
    }
    for (let page = first; page <= last; page++) selected.add(page - 1);
  }
  if (selected.size > maxPages) {
    const what = selector ? `${selected.size} pages are selected` : `The document has ${pageCount} pages`;
    throw new DomainError('TOO_MANY_PAGES', `${what}; the limit is ${maxPages} (select fewer with "pages")`, {
      pages: selected.size,
      maxPages,
    });
  }
  return [...selected].sort((a, b) => a - b);
}
