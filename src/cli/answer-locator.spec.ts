import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locateAnswer, normaliseAnswerText } from './answer-locator';

describe('locateAnswer', () => {
  const words = ['Date:', '12/1/98', 'Total', 'Amount', 'Due', '$', '1,250.00', 'Total'];

  it('finds single words and multi-word runs, ignoring case and spacing', () => {
    assert.deepEqual(locateAnswer(words, '12/1/98'), { firstWord: 1, lastWord: 1 });
    assert.deepEqual(locateAnswer(words, '  total\namount   DUE '), { firstWord: 2, lastWord: 4 });
    assert.deepEqual(locateAnswer(words, '$ 1,250.00'), { firstWord: 5, lastWord: 6 });
  });

  it('takes the first occurrence and needs whole words', () => {
    assert.deepEqual(locateAnswer(words, 'total'), { firstWord: 2, lastWord: 2 });
    assert.equal(locateAnswer(words, '1,250'), null);
    assert.equal(locateAnswer(words, 'Amount Total'), null);
  });

  it('skips blank words inside a run and finds nothing for a blank answer', () => {
    assert.deepEqual(locateAnswer(['a', ' ', 'b'], 'a b'), { firstWord: 0, lastWord: 2 });
    assert.equal(locateAnswer(words, '  '), null);
    assert.equal(normaliseAnswerText(' A\tB '), 'a b');
  });
});
