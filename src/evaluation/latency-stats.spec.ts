import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs, percentile, summarizeLatencies } from './latency-stats';

describe('percentile', () => {
  it('interpolates between closest ranks like numpy', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([10, 1, 5], 50), 5);
    assert.ok(Math.abs(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) - 9.55) < 1e-12);
    assert.equal(percentile([7], 95), 7);
  });

  it('gives the extremes at 0 and 100 and NaN for no values', () => {
    assert.equal(percentile([3, 1, 2], 0), 1);
    assert.equal(percentile([3, 1, 2], 100), 3);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('rejects a percentile outside 0–100', () => {
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });

  it('does not reorder the caller array', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe('summarizeLatencies', () => {
  it('reports count, median, p95, p99 and mean', () => {
    const summary = summarizeLatencies([4, 2, 6]);
    assert.deepEqual({ ...summary, p95: undefined, p99: undefined }, { count: 3, median: 4, p95: undefined, p99: undefined, mean: 4 });
    assert.ok(Math.abs(summary.p95 - 5.8) < 1e-12);
    assert.ok(Math.abs(summary.p99 - 5.96) < 1e-12);
  });

  it('formats a missing measurement as n/a', () => {
    assert.equal(formatMs(summarizeLatencies([]).median), 'n/a');
    assert.equal(formatMs(12.345), '12.3 ms');
  });
});
