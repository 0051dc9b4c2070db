import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../common/domain-error';
import { LayoutWord } from './layout-encoder';
import { answerPositions, encodeQuestionPage } from './question-encoder';

const page = { width: 100, height: 200 };
const special = { clsId: 101, sepId: 102 };
const words: LayoutWord[] = [
  { text: 'Date:', box: [10, 20, 30, 40], segment: 1 },
  { text: '12/1/98', box: [40, 20, 60, 40], segment: 2 },
  { text: 'Total', box: [10, 60, 30, 80], segment: 3 },
  { text: '$5', box: [40, 60, 50, 80], segment: 4 },
];
/** "date" ":" | "12" "/" "1" | "total" | "$" "5" */
const tokens = { ids: [11, 12, 13, 14, 15, 16, 17, 18], wordIndex: [0, 0, 1, 1, 1, 2, 3, 3] };
const question = [7, 8];

describe('encodeQuestionPage', () => {
  it('puts the question first with empty boxes, then the context with its boxes', () => {
    const encoded = encodeQuestionPage(question, tokens, words, page, special, { maxLength: 16, stride: 8 });
    assert.equal(encoded.questionLength, 2);
    assert.equal(encoded.tokenCount, 8);
    assert.equal(encoded.windows.length, 1);
    const [window] = encoded.windows;
    assert.equal(window.tokenStart, 0);
    assert.equal(window.contextStart, 4);
    assert.deepEqual(window.inputIds, [101, 7, 8, 102, 11, 12, 13, 14, 15, 16, 17, 18, 102]);
    assert.deepEqual(window.wordIds, [-1, -1, -1, -1, 0, 0, 1, 1, 1, 2, 3, 3, -1]);
    assert.deepEqual(window.bbox.slice(0, 4), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    assert.deepEqual(window.bbox[4], [100, 100, 300, 200]);
    assert.deepEqual(window.wordBbox[6], [400, 100, 600, 200]);
    assert.deepEqual(window.bbox[12], [0, 0, 0, 0]);
  });

  it('cuts the context into windows of maxLength − 3 − question tokens, every stride', () => {
    const encoded = encodeQuestionPage(question, tokens, words, page, special, { maxLength: 9, stride: 2 });
    // 4 context tokens per window over 8 tokens: starts 0, 2, 4.
    assert.deepEqual(encoded.windows.map((w) => w.tokenStart), [0, 2, 4]);
    assert.deepEqual(encoded.windows[1].inputIds, [101, 7, 8, 102, 13, 14, 15, 16, 102]);
    for (const window of encoded.windows) {
      assert.ok(window.inputIds.length <= 9);
      assert.equal(window.bbox.length, window.inputIds.length);
      assert.equal(window.wordIds.length, window.inputIds.length);
    }
  });

  it('shrinks the stride when a long question leaves less context than the stride', () => {
    const encoded = encodeQuestionPage([1, 2, 3, 4], tokens, words, page, special, { maxLength: 10, stride: 8 });
    assert.deepEqual(encoded.windows.map((w) => w.tokenStart), [0, 3, 5]);
  });

  it('gives a page without words one window holding only the question', () => {
    const encoded = encodeQuestionPage(question, { ids: [], wordIndex: [] }, [], page, special, { maxLength: 16, stride: 8 });
    assert.deepEqual(encoded.windows.map((w) => w.inputIds), [[101, 7, 8, 102, 102]]);
  });

  it('rejects an empty or too long question with INVALID_REQUEST naming the limit', () => {
    const tooLong = Array.from({ length: 65 }, (_, i) => i + 1);
    assert.throws(
      () => encodeQuestionPage(tooLong, tokens, words, page, special, { maxLength: 512, stride: 128 }),
      (error: DomainError) => error.code === 'INVALID_REQUEST' && /65 tokens; the limit is 64/.test(error.message),
    );
    assert.throws(
      () => encodeQuestionPage([1, 2, 3], tokens, words, page, special, { maxLength: 512, stride: 128, maxQuestionTokens: 2 }),
      /the limit is 2/,
    );
    assert.throws(() => encodeQuestionPage([], tokens, words, page, special, { maxLength: 16, stride: 8 }), /empty/);
    assert.throws(() => encodeQuestionPage([1, 2], tokens, words, page, special, { maxLength: 5, stride: 1 }), /no room for context/);
  });
});

describe('answerPositions', () => {
  const encoded = encodeQuestionPage(question, tokens, words, page, special, { maxLength: 9, stride: 2 });

  it('points at the first and last token of the answer words inside the window', () => {
    // "12/1/98" = page tokens 2–4; window 0 holds tokens 0–3, window 1 tokens 2–5.
    assert.deepEqual(answerPositions(encoded.windows[1], encoded.tokenWordIds, { firstWord: 1, lastWord: 1 }), { startPosition: 4, endPosition: 6 });
    assert.deepEqual(answerPositions(encoded.windows[0], encoded.tokenWordIds, { firstWord: 1, lastWord: 1 }), { startPosition: 0, endPosition: 0 });
    assert.deepEqual(answerPositions(encoded.windows[2], encoded.tokenWordIds, { firstWord: 2, lastWord: 3 }), { startPosition: 5, endPosition: 7 });
  });

  it('gives 0/0 for an answer without tokens', () => {
    assert.deepEqual(answerPositions(encoded.windows[0], [0, 2], { firstWord: 1, lastWord: 1 }), { startPosition: 0, endPosition: 0 });
  });
});
