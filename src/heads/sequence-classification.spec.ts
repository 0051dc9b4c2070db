import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { meanProbabilities, toClassScores, windowProbabilities } from './sequence-classification';

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
