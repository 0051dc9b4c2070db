import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { parseClientWords } from './client-words';

const PAGES = [
  { width: 100, height: 50 },
  { width: 200, height: 80 },
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
    invalidWords([{ page: 3, words: [] }], { index: 0, field: 'page' });
    invalidWords([{ page: 1, words: [] }, { page: 1, words: [] }], { index: 1, field: 'page' });
    invalidWords([{ words: [] }, { text: 'a', box: [0, 0, 1, 1] }], { field: 'words' });
    invalidWords([{ words: 'nope' }], { field: 'words' });
  });

  it('rejects more words than the per-page limit', () => {
    const many = Array.from({ length: 3 }, () => ({ text: 'w', box: [0, 0, 1, 1] }));
    invalidWords(many, { field: 'words', maxWordsPerPage: 2 }, 2);
  });
});
