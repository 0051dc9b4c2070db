import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locateAnswer, spanOfWordIds } from './answer-span';

describe('locateAnswer', () => {
  const words = ['Date:', '2024-01-05', 'Name:', 'Ann', 'Lee', '.'];

  it('finds a multi-word answer ignoring case and edge punctuation', () => {
    assert.deepEqual(locateAnswer(words, 'ann lee'), { firstWord: 3, lastWord: 4 });
    assert.deepEqual(locateAnswer(words, '2024-01-05'), { firstWord: 1, lastWord: 1 });
    assert.deepEqual(locateAnswer(words, 'date'), { firstWord: 0, lastWord: 0 });
  });

  it('is undefined for an answer that is not on the page or is empty', () => {
    assert.equal(locateAnswer(words, 'Bob'), undefined);
    assert.equal(locateAnswer(words, ' ... '), undefined);
  });
});

describe('spanOfWordIds', () => {
  it('spans the given ids when all are on the page', () => {
    assert.deepEqual(spanOfWordIds([4, 3], 6), { firstWord: 3, lastWord: 4 });
    assert.equal(spanOfWordIds([9], 6), undefined);
    assert.equal(spanOfWordIds([], 6), undefined);
  });
});
