import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../common/domain-error';
import { normaliseBox, segmentBoxes, unionBox } from './boxes';

describe('normaliseBox', () => {
  it('scales to 0–1000 with floor', () => {
    assert.deepEqual(normaliseBox([292, 91, 376, 175], { width: 762, height: 1000 }), [383, 91, 493, 175]);
    assert.deepEqual(normaliseBox([1, 1, 2, 2], { width: 3, height: 3 }), [333, 333, 666, 666]);
  });

  it('clips coordinates outside the page', () => {
    assert.deepEqual(normaliseBox([-5, -1, 120, 300], { width: 100, height: 200 }), [0, 0, 1000, 1000]);
  });

  it('rejects malformed and inverted boxes and empty pages', () => {
    const page = { width: 10, height: 10 };
    assert.throws(() => normaliseBox([1, 2, 3] as never, page), (error: DomainError) => error.code === 'INVALID_WORDS');
    assert.throws(() => normaliseBox([1, 2, Number.NaN, 4], page), /4 finite numbers/);
    assert.throws(() => normaliseBox([5, 0, 4, 1], page), /x0 ≤ x1/);
    assert.throws(() => normaliseBox([0, 0, 1, 1], { width: 0, height: 10 }), /page size/);
  });
});

describe('unionBox / segmentBoxes', () => {
  it('unions two boxes', () => {
    assert.deepEqual(unionBox([10, 20, 30, 40], [5, 25, 35, 38]), [5, 20, 35, 40]);
  });

  it('unions the boxes of each segment', () => {
    const boxes = segmentBoxes([
      { box: [10, 10, 20, 20], segment: 7 },
      { box: [30, 5, 40, 15], segment: 7 },
      { box: [0, 50, 5, 60], segment: 2 },
    ]);
    assert.deepEqual([...boxes.entries()], [
      [7, [10, 5, 40, 20]],
      [2, [0, 50, 5, 60]],
    ]);
  });
});
