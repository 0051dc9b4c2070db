import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { joinWords, tokenWordIndex } from './token-alignment';

describe('joinWords', () => {
  it('joins non-blank words with single spaces and records each character owner', () => {
    const joined = joinWords(['ab', '', 'c'], false);
    assert.equal(joined.text, 'ab c');
    assert.deepEqual([...joined.wordAtChar], [0, 0, -1, 2]);
  });

  it('counts code points, not UTF-16 units, and can lead with a space', () => {
    const joined = joinWords(['a😀', 'b'], true);
    assert.equal(joined.text, ' a😀 b');
    assert.deepEqual([...joined.wordAtChar], [-1, 0, 0, -1, 1]);
  });
});

describe('tokenWordIndex', () => {
  const wordAtChar = Int32Array.from([-1, 0, 0, -1, 1, 1, 1]); // " ab cde"

  it('maps a token to the word owning its first non-separator character', () => {
    assert.deepEqual(tokenWordIndex([[0, 3], [3, 5], [5, 7]], wordAtChar), [0, 1, 1]);
  });

  it('gives a separator-only token to the next word', () => {
    assert.deepEqual(tokenWordIndex([[0, 1], [1, 3], [3, 4], [4, 7]], wordAtChar), [0, 0, 1, 1]);
  });

  it('handles zero-width tokens', () => {
    assert.deepEqual(tokenWordIndex([[2, 2]], wordAtChar), [0]);
  });
});
