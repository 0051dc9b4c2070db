import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { linearHeadLogits, meanProbabilities, toClassScores, windowProbabilities } from './sequence-classification';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);

describe('windowProbabilities', () => {
  it('applies a softmax to each window row', () => {
    const rows = windowProbabilities(new Float32Array([0, Math.log(3), 5, 5]), 2);
    assert.equal(rows.length, 2);
    close(rows[0][0], 0.25);
    close(rows[0][1], 0.75);
    close(rows[1][0], 0.5);
  });

  it('rejects logits that are not whole rows', () => {
    assert.throws(() => windowProbabilities(new Float32Array(5), 2), /rows of 2/);
  });
});

describe('meanProbabilities', () => {
  it('averages windows of a page, then pages of a document', () => {
    const page1 = meanProbabilities([[1, 0], [0.5, 0.5]], 2);
    close(page1[0], 0.75);
    const page2 = meanProbabilities([[0.25, 0.75]], 2);
    const document = meanProbabilities([page1, page2], 2);
    close(document[0], 0.5);
    close(document[1], 0.5);
  });

  it('refuses an empty list and mismatched rows', () => {
    assert.throws(() => meanProbabilities([], 2), /nothing/);
    assert.throws(() => meanProbabilities([[1]], 2), /expected 2/);
  });
});

describe('toClassScores', () => {
  it('names the most probable label and keeps every score', () => {
    const result = toClassScores([0.2, 0.7, 0.1], ['invoice', 'letter', 'form']);
    assert.equal(result.label, 'letter');
    close(result.confidence, 0.7);
    assert.deepEqual(Object.keys(result.scores), ['invoice', 'letter', 'form']);
    close(result.scores.form, 0.1);
  });

  it('breaks ties towards the first label', () => {
    assert.equal(toClassScores([0.5, 0.5], ['a', 'b']).label, 'a');
  });
});

describe('linearHeadLogits', () => {
  it('averages each output over the word tokens, concatenates, and applies the weights', () => {
    // Three tokens: [CLS] (word −1), two word tokens; outputs of width 2 and 1.
    const first = { data: Float32Array.from([9, 9, 1, 2, 3, 4]), width: 2 };
    const second = { data: Float32Array.from([9, 10, 20]), width: 1 };
    const logits = linearHeadLogits({ weight: [[1, 0, 0], [0, 1, 1]], bias: [0, -1] }, [first, second], [-1, 0, 0]);
    assert.deepEqual(Array.from(logits), [2, 3 + 15 - 1]);
  });

  it('ignores padded rows and falls back to every token of a window without words', () => {
    const output = { data: Float32Array.from([2, 4, 100, 100]), width: 1 };
    assert.deepEqual(Array.from(linearHeadLogits({ weight: [[1]], bias: [0] }, [output], [-1, -1])), [3]);
  });
});

describe('linearHeadLogits on the golden cases the trainer also checks', () => {
  const golden = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'linear-head', 'golden.json'), 'utf8')) as {
    cases: Array<{ outputs: Array<{ width: number; data: number[] }>; wordIds: number[]; weight: number[][]; bias: number[]; logits: number[] }>;
  };
  it('gives the trainer classify_head pooling and weights', () => {
    assert.ok(golden.cases.length >= 3);
    for (const { outputs, wordIds, weight, bias, logits } of golden.cases) {
      const actual = linearHeadLogits({ weight, bias }, outputs.map(({ width, data }) => ({ width, data: Float32Array.from(data) })), wordIds);
      assert.equal(actual.length, logits.length);
      actual.forEach((value, index) => assert.ok(Math.abs(value - logits[index]) < 1e-4, `${value} ≠ ${logits[index]}`));
    }
  });
});
