import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locateAnswer, normaliseAnswerText, spanOfWordIds } from './answer-locator';

describe('locateAnswer', () => {
  const words = ['Date:', '12/1/98', 'Total', 'Amount', 'Due', '$', '1,250.00', 'Total', 'Name:', 'Ann', 'Lee', '.'];

  it('finds single words and multi-word runs, ignoring case and spacing', () => {
    assert.deepEqual(locateAnswer(words, '12/1/98'), { firstWord: 1, lastWord: 1 });
    assert.deepEqual(locateAnswer(words, '  total\namount   DUE '), { firstWord: 2, lastWord: 4 });
    assert.deepEqual(locateAnswer(words, 'ann lee'), { firstWord: 9, lastWord: 10 });
  });

  it('matches a word without its surrounding punctuation, and punctuation-only tokens as they are', () => {
    assert.deepEqual(locateAnswer(words, 'date'), { firstWord: 0, lastWord: 0 });
    assert.deepEqual(locateAnswer(words, 'Name'), { firstWord: 8, lastWord: 8 });
    assert.deepEqual(locateAnswer(words, '$ 1,250.00'), { firstWord: 5, lastWord: 6 });
  });

  it('takes the first occurrence and needs whole words', () => {
    assert.deepEqual(locateAnswer(words, 'total'), { firstWord: 2, lastWord: 2 });
    assert.equal(locateAnswer(words, '1,250'), undefined);
    assert.equal(locateAnswer(words, 'Amount Total'), undefined);
    assert.equal(locateAnswer(words, 'Bob'), undefined);
  });

  it('skips blank words inside a run and finds nothing for a blank answer', () => {
    assert.deepEqual(locateAnswer(['a', ' ', 'b'], 'a b'), { firstWord: 0, lastWord: 2 });
    assert.equal(locateAnswer(words, '  '), undefined);
    assert.equal(normaliseAnswerText(' A\tB '), 'a b');
  });
});

describe('spanOfWordIds', () => {
  it('spans the given ids when all are on the page', () => {
    assert.deepEqual(spanOfWordIds([4, 3], 6), { firstWord: 3, lastWord: 4 });
    assert.equal(spanOfWordIds([9], 6), undefined);
    assert.equal(spanOfWordIds([], 6), undefined);
  });
});
