import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { furthestNamedPage, pageBeyondDocument, parseClientWords } from './client-words';

const PAGES = [
  { index: 0, width: 100, height: 50 },
  { index: 1, width: 200, height: 80 },
];

function invalidWords(value: unknown, expected: Record<string, unknown>, maxWords = 10): void {
  assert.throws(
    () => parseClientWords(value, PAGES, maxWords),
    (error: DomainError) => {
      assert.equal(error.code, 'INVALID_WORDS');
      for (const [key, want] of Object.entries(expected)) assert.equal(error.details?.[key], want, `${key} in ${error.message}`);
      return true;
    },
  );
}

describe('parseClientWords', () => {
  it('reads per-page entries with confidence 1 and default segments', () => {
    const words = parseClientWords(
      [
        { page: 2, words: [{ text: 'Total', box: [0, 0, 40, 20] }, { text: '12', box: [50, 0, 70, 20], segment: 7 }] },
        { page: 1, words: [{ text: 'Name', box: [1, 2, 30, 12.5] }] },
      ],
      PAGES,
      10,
    );
    assert.deepEqual(words, [
      [{ text: 'Name', box: [1, 2, 30, 12.5], confidence: 1, segment: 0 }],
      [
        { text: 'Total', box: [0, 0, 40, 20], confidence: 1, segment: 0 },
        { text: '12', box: [50, 0, 70, 20], confidence: 1, segment: 7 },
      ],
    ]);
  });

  it('defaults page numbers to the entry position and leaves missing pages empty', () => {
    const words = parseClientWords([{ words: [{ text: 'a', box: [0, 0, 1, 1] }] }], PAGES, 10);
    assert.deepEqual(words.map((page) => page.length), [1, 0]);
  });

  it('accepts a flat word array as page 1', () => {
    const words = parseClientWords([{ text: 'a', box: [0, 0, 100, 50] }], PAGES, 10);
    assert.deepEqual(words.map((page) => page.length), [1, 0]);
  });

  it('rejects an empty or non-array value', () => {
    invalidWords([], { field: 'words' });
    invalidWords({ text: 'a' }, { field: 'words' });
  });

  it('rejects malformed boxes naming the word', () => {
    invalidWords([{ words: [{ text: 'ok', box: [0, 0, 1, 1] }, { text: 'b', box: [0, 0, 1] }] }], { page: 1, index: 1, field: 'box' });
    invalidWords([{ text: 'a', box: [0, 0, Number.NaN, 1] }], { index: 0, field: 'box' });
    invalidWords([{ text: 'a', box: ['0', 0, 1, 1] }], { field: 'box' });
    invalidWords([{ text: 'a', box: [5, 0, 1, 1] }], { field: 'box' });
  });

  it('rejects boxes outside the page', () => {
    invalidWords([{ text: 'a', box: [0, 0, 101, 10] }], { page: 1, field: 'box' });
    invalidWords([{ page: 2, words: [{ text: 'a', box: [0, 0, 150, 81] }] }], { page: 2, field: 'box' });
    invalidWords([{ text: 'a', box: [-1, 0, 10, 10] }], { field: 'box' });
  });

  it('rejects empty text, bad segments and non-objects', () => {
    invalidWords([{ text: '  ', box: [0, 0, 1, 1] }], { index: 0, field: 'text' });
    invalidWords([{ text: 'a', box: [0, 0, 1, 1], segment: 1.5 }], { field: 'segment' });
    invalidWords(['a'], { index: 0, field: 'word' });
  });

  it('rejects bad or duplicate page numbers and mixed shapes', () => {
    invalidWords([{ page: 0, words: [] }], { index: 0, field: 'page' });
    invalidWords([{ page: 1.5, words: [] }], { index: 0, field: 'page' });
    invalidWords([{ page: 1, words: [] }, { page: 1, words: [] }], { index: 1, field: 'page' });
    invalidWords([{ words: [] }, { text: 'a', box: [0, 0, 1, 1] }], { field: 'words' });
    invalidWords([{ words: 'nope' }], { field: 'words' });
  });

  it('matches entries to selected pages by document page number, ignoring the pages not selected', () => {
    // Pages 2 and 4 of a document, as a "2,4" selector decodes them.
    const selected = [
      { index: 1, width: 100, height: 50 },
      { index: 3, width: 200, height: 80 },
    ];
    const words = parseClientWords(
      [
        { page: 4, words: [{ text: 'four', box: [0, 0, 150, 80] }] },
        { page: 3, words: [{ text: 'unchecked', box: 'not a box' }] },
      ],
      selected,
      10,
    );
    assert.deepEqual(words.map((page) => page.map((word) => word.text)), [[], ['four']]);
    assert.deepEqual(parseClientWords([{ text: 'a', box: [0, 0, 1, 1] }], selected, 10), [[], []], 'the flat shorthand is page 1');
    const defaulted = parseClientWords([{ words: [] }, { words: [{ text: 'two', box: [0, 0, 1, 1] }] }], selected, 10);
    assert.deepEqual(defaulted.map((page) => page.length), [1, 0], 'an entry without a page is the page at its position');
  });

  it('rejects a page past the document when the caller knows its page count', () => {
    assert.throws(
      () => parseClientWords([{ page: 3, words: [] }], PAGES, 10, 2),
      (error: DomainError) => error.code === 'INVALID_WORDS' && error.details?.documentPageCount === 2 && error.details?.index === 0,
    );
    assert.deepEqual(parseClientWords([{ page: 3, words: [] }], PAGES, 10).map((page) => page.length), [0, 0], 'unknown count: ignored');
  });

  it('names the furthest page the words mention', () => {
    assert.equal(furthestNamedPage([{ page: 2, words: [] }, { page: 7, words: [] }, { words: [] }]), 7);
    assert.equal(furthestNamedPage([{ words: [] }, { words: [] }, { page: 'x', words: [] }]), 2);
    assert.equal(furthestNamedPage([{ text: 'a', box: [0, 0, 1, 1] }]), 1);
    assert.equal(furthestNamedPage('nope'), 0);
    const error = pageBeyondDocument(5, 3);
    assert.equal(error.code, 'INVALID_WORDS');
    assert.deepEqual(error.details, { field: 'page', page: 5, documentPageCount: 3 });
  });

  it('rejects more words than the per-page limit', () => {
    const many = Array.from({ length: 3 }, () => ({ text: 'w', box: [0, 0, 1, 1] }));
    invalidWords(many, { field: 'words', maxWordsPerPage: 2 }, 2);
  });
});
