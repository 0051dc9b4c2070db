import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classificationScores } from './classify-metrics';

describe('classificationScores (same definitions as trainer classify_metrics.py)', () => {
  it('gives accuracy, per-class P/R/F1, macro F1 and the confusion matrix', () => {
    const scores = classificationScores(
      [
        ['form', 'form'],
        ['form', 'letter'],
        ['letter', 'letter'],
        ['memo', 'letter'],
      ],
      ['form', 'letter', 'memo'],
    );
    assert.equal(scores.accuracy, 0.5);
    assert.deepEqual(scores.confusion, [
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(scores.perLabel.form, { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    assert.equal(scores.perLabel.letter.precision, 1 / 3);
    assert.equal(scores.perLabel.letter.recall, 1);
    assert.deepEqual(scores.perLabel.memo, { precision: 0, recall: 0, f1: 0, support: 1 });
    assert.ok(Math.abs(scores.macroF1 - (2 / 3 + 0.5 + 0) / 3) < 1e-12);
    assert.equal(scores.documents, 4);
  });

  it('is all zeros with no documents and refuses unknown classes', () => {
    assert.equal(classificationScores([], ['a']).accuracy, 0);
    assert.throws(() => classificationScores([['a', 'b']], ['a']), RangeError);
  });
});
