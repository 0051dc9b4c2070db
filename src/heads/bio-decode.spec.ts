import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PixelBox } from '../common/document-types';
import { decodeBio, LabelledWord } from './bio-decode';

function word(text: string, label: string, confidence = 1, box: PixelBox = [0, 0, 10, 10]): LabelledWord {
  return { text, label, confidence, box };
}

describe('decodeBio', () => {
  it('groups B- then I- of the same type into one entity', () => {
    const entities = decodeBio([
      word('Date', 'B-QUESTION', 0.9, [10, 20, 40, 30]),
      word('of', 'I-QUESTION', 0.7, [45, 18, 60, 32]),
      word('birth:', 'I-QUESTION', 0.8, [65, 20, 100, 31]),
      word('12/03/1990', 'B-ANSWER', 0.6, [110, 20, 200, 30]),
    ]);
    assert.equal(entities.length, 2);
    assert.equal(entities[0].label, 'QUESTION');
    assert.equal(entities[0].text, 'Date of birth:');
    assert.ok(Math.abs(entities[0].confidence - 0.8) < 1e-12);
    assert.deepEqual(entities[0].box, [10, 18, 100, 32]);
    assert.deepEqual(entities[0].words, [0, 1, 2]);
    assert.deepEqual(entities[1], { label: 'ANSWER', text: '12/03/1990', confidence: 0.6, box: [110, 20, 200, 30], words: [3] });
  });

  it('skips O words and lets O close an entity', () => {
    const entities = decodeBio([word('a', 'B-HEADER'), word('x', 'O'), word('b', 'I-HEADER')]);
    assert.deepEqual(
      entities.map((e) => [e.label, e.words]),
      [
        ['HEADER', [0]],
        ['HEADER', [2]],
      ],
    );
  });

  it('starts a new entity on an I- without a matching B-', () => {
    const entities = decodeBio([word('a', 'I-ANSWER'), word('b', 'I-ANSWER'), word('c', 'I-QUESTION')]);
    assert.deepEqual(
      entities.map((e) => [e.label, e.text]),
      [
        ['ANSWER', 'a b'],
        ['QUESTION', 'c'],
      ],
    );
  });

  it('splits consecutive B- of the same type', () => {
    const entities = decodeBio([word('a', 'B-ANSWER'), word('b', 'B-ANSWER')]);
    assert.equal(entities.length, 2);
  });

  it('returns nothing for no words or only O', () => {
    assert.deepEqual(decodeBio([]), []);
    assert.deepEqual(decodeBio([word('a', 'O')]), []);
  });
});
