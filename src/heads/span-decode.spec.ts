import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSpans, isNoAnswer, spanAnswer, SpanWindow } from './span-decode';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);

/** A window `[CLS] q q [SEP] c0 c1 c2 c3 [SEP]` (context from position 4) with the given logits. */
function window(start: number[], end: number[], contextWordIds = [0, 1, 1, 2], page = 0): SpanWindow {
  return { page, startLogits: new Float32Array(start), endLogits: new Float32Array(end), contextStart: 4, contextWordIds };
}

const LOW = -20;

describe('decodeSpans', () => {
  it('finds the best span inside the context and maps it to whole words', () => {
    // Start on c1 (word 1), end on c3 (word 2); the question tokens score high but are not allowed.
    const decoding = decodeSpans(
      [window([0, 9, 9, LOW, LOW, 5, LOW, LOW, LOW], [0, 9, 9, LOW, LOW, LOW, LOW, 5, LOW])],
      { maxAnswerTokens: 30, topK: 3 },
    );
    const [best] = decoding.candidates;
    assert.deepEqual([best.page, best.firstWord, best.lastWord], [0, 1, 2]);
    close(best.score, 10);
    assert.ok(best.confidence > 0.99);
    assert.ok(!isNoAnswer(decoding, 0.1));
  });

  it('never lets an answer end before it starts or run past maxAnswerTokens', () => {
    // Best start on c3, best end on c0: invalid; next best pairs must respect both rules.
    const start = [0, LOW, LOW, LOW, 1, LOW, LOW, 8, LOW];
    const end = [0, LOW, LOW, LOW, 8, LOW, LOW, 2, LOW];
    const decoding = decodeSpans([window(start, end)], { maxAnswerTokens: 2, topK: 10 });
    for (const candidate of decoding.candidates) assert.ok(candidate.firstWord <= candidate.lastWord);
    // c0..c3 is 4 tokens: over the limit, so the span (word 0 → word 2) is absent.
    assert.ok(!decoding.candidates.some((c) => c.firstWord === 0 && c.lastWord === 2));
    const [best] = decoding.candidates;
    assert.deepEqual([best.firstWord, best.lastWord], [2, 2]);
  });

  it('computes confidence as a softmax over candidates and the no-answer score', () => {
    // One context token only: exactly one candidate, score 0 + 0; no-answer 0 + 0 → 50/50.
    const decoding = decodeSpans([window([0, LOW, LOW, LOW, 0], [0, LOW, LOW, LOW, 0], [7])], { maxAnswerTokens: 30, topK: 3 });
    assert.equal(decoding.candidates.length, 1);
    close(decoding.candidates[0].confidence, 0.5);
    close(decoding.noAnswerConfidence, 0.5);
    assert.equal(decoding.candidates[0].firstWord, 7);
  });

  it('reports no answer when [CLS] wins or the best is under the threshold', () => {
    const confident = decodeSpans([window([10, LOW, LOW, LOW, 0], [10, LOW, LOW, LOW, 0], [0])], { maxAnswerTokens: 30, topK: 3 });
    assert.ok(isNoAnswer(confident, 0));
    const flat = decodeSpans([window([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0])], { maxAnswerTokens: 30, topK: 3 });
    assert.ok(isNoAnswer(flat, 0.5));
    assert.ok(isNoAnswer(decodeSpans([], { maxAnswerTokens: 30, topK: 3 }), 0));
  });

  it('spans windows and pages: the same words from overlapping windows count once, with the best score', () => {
    const first = window([0, LOW, LOW, LOW, LOW, LOW, 3, LOW], [0, LOW, LOW, LOW, LOW, LOW, 3, LOW], [4, 5, 6], 0);
    // Second window of page 0 overlaps: its c0 is word 6 again, scored higher.
    const second = window([0, LOW, LOW, LOW, 4, LOW, LOW, LOW], [0, LOW, LOW, LOW, 4, LOW, LOW, LOW], [6, 7, 8], 0);
    const otherPage = window([0, LOW, LOW, LOW, 2, LOW, LOW, LOW], [0, LOW, LOW, LOW, 2, LOW, LOW, LOW], [0, 1, 2], 1);
    const decoding = decodeSpans([first, second, otherPage], { maxAnswerTokens: 30, topK: 2 });
    assert.equal(decoding.candidates.length, 2);
    assert.deepEqual(
      decoding.candidates.map((c) => [c.page, c.firstWord, c.lastWord, c.score]),
      [
        [0, 6, 6, 8],
        [1, 0, 0, 4],
      ],
    );
  });

  it('ignores padding after the context', () => {
    // contextWordIds has 2 tokens; positions 6+ are [SEP] and padding with huge logits.
    const decoding = decodeSpans([window([0, LOW, LOW, LOW, 1, 1, 50, 50], [0, LOW, LOW, LOW, 1, 1, 50, 50], [0, 1])], {
      maxAnswerTokens: 30,
      topK: 5,
    });
    for (const candidate of decoding.candidates) assert.ok(candidate.lastWord <= 1);
  });
});

describe('spanAnswer', () => {
  const words = [
    { text: 'Date:', box: [10, 10, 60, 30] as [number, number, number, number] },
    { text: '12/03/1990', box: [70, 12, 180, 32] as [number, number, number, number] },
    { text: 'City:', box: [10, 50, 60, 70] as [number, number, number, number] },
  ];

  it('joins whole words and unions their boxes', () => {
    assert.deepEqual(spanAnswer(words, { firstWord: 0, lastWord: 1 }), {
      text: 'Date: 12/03/1990',
      box: [10, 10, 180, 32],
      words: words.slice(0, 2),
    });
    assert.equal(spanAnswer(words, { firstWord: 1, lastWord: 1 }).text, '12/03/1990');
  });
});
