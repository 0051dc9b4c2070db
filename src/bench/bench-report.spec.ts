import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellMs, cellNumber, markdownTable } from './bench-report';
import { eagerPageMs } from './eager-bench';

describe('bench report', () => {
  it('right-aligns numeric columns and escapes pipes', () => {
    assert.deepEqual(markdownTable(['endpoint', 'p50 ms'], [['a|b', '12.5'], ['ask', 'n/a']]), [
      '| endpoint | p50 ms |',
      '| --- | ---: |',
      '| a\\|b | 12.5 |',
      '| ask | n/a |',
    ]);
  });

  it('formats milliseconds and ratios', () => {
    assert.equal(cellMs(1234.56), '1235');
    assert.equal(cellMs(12.345), '12.3');
    assert.equal(cellMs(Number.NaN), 'n/a');
    assert.equal(cellNumber(2.3456, '×'), '2.35×');
    assert.equal(cellNumber(1234.5), '1235');
    assert.equal(cellNumber(Number.POSITIVE_INFINITY), 'n/a');
  });
});

describe('eagerPageMs', () => {
  const timings = { imageMs: 10, textMs: 2, fullMs: 11 };
  it('encodes the image once for split bundles and per window otherwise', () => {
    assert.equal(eagerPageMs(timings, 3, true), 16);
    assert.equal(eagerPageMs(timings, 3, false), 33);
    assert.equal(eagerPageMs(timings, 0, true), 0);
  });
});
