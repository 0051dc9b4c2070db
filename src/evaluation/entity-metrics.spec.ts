import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boxIou, EntityCounter } from './entity-metrics';

describe('EntityCounter.addSpans (seqeval semantics)', () => {
  it('counts only exact label + word-set matches', () => {
    const counter = new EntityCounter();
    counter.addSpans(
      [
        { label: 'QUESTION', wordIds: [0, 1] },
        { label: 'ANSWER', wordIds: [2] },
      ],
      [
        { label: 'QUESTION', wordIds: [0, 1] },
        { label: 'ANSWER', wordIds: [2, 3] },
        { label: 'HEADER', wordIds: [4] },
      ],
    );
    const { micro, perLabel } = counter.scores();
    assert.equal(micro.correct, 1);
    assert.equal(micro.precision, 1 / 3);
    assert.equal(micro.recall, 1 / 2);
    assert.ok(Math.abs(micro.f1 - 0.4) < 1e-12);
    assert.equal(perLabel.QUESTION.f1, 1);
    assert.equal(perLabel.ANSWER.f1, 0);
    assert.equal(perLabel.HEADER.support, 0);
  });

  it('does not count one gold entity twice', () => {
    const counter = new EntityCounter();
    counter.addSpans([{ label: 'ANSWER', wordIds: [1] }], [{ label: 'ANSWER', wordIds: [1] }, { label: 'ANSWER', wordIds: [1] }]);
    assert.equal(counter.scores().micro.correct, 1);
  });
});

describe('EntityCounter.addBoxes', () => {
  it('matches one-to-one by label and IoU ≥ 0.5', () => {
    const counter = new EntityCounter();
    counter.addBoxes(
      [{ label: 'ANSWER', box: [0, 0, 10, 10] }],
      [
        { label: 'ANSWER', box: [0, 0, 10, 8] },
        { label: 'ANSWER', box: [0, 0, 10, 9] },
        { label: 'QUESTION', box: [0, 0, 10, 10] },
      ],
    );
    const { micro } = counter.scores();
    assert.equal(micro.correct, 1);
    assert.equal(micro.support, 1);
    assert.equal(micro.predicted, 3);
  });

  it('rejects a low-overlap box', () => {
    const counter = new EntityCounter();
    counter.addBoxes([{ label: 'ANSWER', box: [0, 0, 10, 10] }], [{ label: 'ANSWER', box: [6, 0, 16, 10] }]);
    assert.equal(counter.scores().micro.correct, 0);
  });
});

describe('boxIou', () => {
  it('is 1 for equal boxes, 0 for disjoint ones, 1/3 for half-overlapping squares', () => {
    assert.equal(boxIou([0, 0, 2, 2], [0, 0, 2, 2]), 1);
    assert.equal(boxIou([0, 0, 1, 1], [2, 2, 3, 3]), 0);
    assert.ok(Math.abs(boxIou([0, 0, 2, 2], [1, 0, 3, 2]) - 1 / 3) < 1e-12);
  });
});
