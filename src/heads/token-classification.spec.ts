import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyWords, softmaxInto } from './token-classification';

const LABELS = ['O', 'B-QUESTION', 'I-QUESTION'];

describe('softmaxInto', () => {
  it('sums to one and survives large logits', () => {
    const out = new Float64Array(3);
    softmaxInto(new Float32Array([1000, 1000, 1000]), out);
    for (const p of out) assert.ok(Math.abs(p - 1 / 3) < 1e-12);
    softmaxInto(new Float32Array([0, Math.log(3), -Infinity]), out);
    assert.ok(Math.abs(out[0] - 0.25) < 1e-6 && Math.abs(out[1] - 0.75) < 1e-6 && out[2] === 0);
  });
});

describe('classifyWords', () => {
  it('labels each word from its first sub-token with that token’s probability', () => {
    // Tokens: word0 (2 sub-tokens), word1 (1 sub-token).
    const logits = new Float32Array([
      0, Math.log(3), 0, //  word0 first sub-token → B-QUESTION, p = 3/5
      9, 0, 0, //            word0 continuation: ignored
      0, 0, Math.log(8), // word1 → I-QUESTION, p = 8/10
    ]);
    const words = classifyWords(logits, [0, 0, 1], 2, LABELS);
    assert.equal(words[0].label, 'B-QUESTION');
    assert.equal(words[0].labelIndex, 1);
    assert.ok(Math.abs(words[0].confidence - 0.6) < 1e-6);
    assert.equal(words[1].label, 'I-QUESTION');
    assert.ok(Math.abs(words[1].confidence - 0.8) < 1e-6);
  });

  it('decodes the page as valid BIO: an I- the argmax would give after O becomes a B-, with that label\'s probability', () => {
    const logits = new Float32Array([
      5, 0, 0, //            word0 → O
      0, 0, Math.log(4), // word1: I-QUESTION by argmax (p = 4/6), but nothing opened it; B-QUESTION p = 1/6
      0, 0, Math.log(4), // word2 → I-QUESTION, continuing word1's entity
    ]);
    const words = classifyWords(logits, [0, 1, 2], 3, LABELS);
    assert.deepEqual(words.map((word) => word.label), ['O', 'B-QUESTION', 'I-QUESTION']);
    assert.ok(Math.abs(words[1].confidence - 1 / 6) < 1e-6);
  });

  it('gives a word without tokens the outside label and zero confidence', () => {
    const words = classifyWords(new Float32Array([0, 5, 0]), [1], 2, LABELS);
    assert.deepEqual(words[0], { labelIndex: 0, label: 'O', confidence: 0 });
    assert.equal(words[1].label, 'B-QUESTION');
  });
});
