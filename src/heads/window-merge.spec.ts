import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeWindowLogits } from './window-merge';

/** One label per position whose logit encodes (window id, content offset): window*100 + offset; CLS = -1. */
function windowLogits(windowId: number, tokenStart: number, contentLength: number) {
  const logits = new Float32Array(contentLength + 2).fill(-1);
  for (let offset = 0; offset < contentLength; offset++) logits[offset + 1] = windowId * 100 + offset;
  return { tokenStart, contentLength, logits };
}

describe('mergeWindowLogits', () => {
  it('copies a single window without the special tokens', () => {
    const merged = mergeWindowLogits([windowLogits(0, 0, 3)], 3, 1);
    assert.deepEqual(Array.from(merged), [0, 1, 2]);
  });

  it('takes each token from the window where it is most central', () => {
    // Window 0 covers tokens 0..5 (centre 2.5), window 1 covers tokens 4..9 (centre 6.5).
    const merged = mergeWindowLogits([windowLogits(0, 0, 6), windowLogits(1, 4, 6)], 10, 1);
    // Token 4: offset 4 in w0 (distance 1.5) vs offset 0 in w1 (distance 2.5) → w0. Token 5: 2.5 vs 1.5 → w1.
    assert.deepEqual(Array.from(merged), [0, 1, 2, 3, 4, 101, 102, 103, 104, 105]);
  });

  it('keeps the earlier window on ties', () => {
    // Token 2 sits at distance 1 in both windows (w0: offset 2, centre 1; w1: offset 0, centre 1).
    const merged = mergeWindowLogits([windowLogits(0, 0, 3), windowLogits(1, 2, 3)], 5, 1);
    assert.equal(merged[2], 2);
  });

  it('copies every label of a token, with padded rows', () => {
    const logits = new Float32Array([9, 9, 1, 2, 3, 4, 9, 9, 0, 0]); // CLS, t0, t1, SEP, PAD
    const merged = mergeWindowLogits([{ tokenStart: 0, contentLength: 2, logits }], 2, 2);
    assert.deepEqual(Array.from(merged), [1, 2, 3, 4]);
  });

  it('refuses a page with uncovered tokens', () => {
    assert.throws(() => mergeWindowLogits([windowLogits(0, 0, 2)], 3, 1), /token 2/);
  });
});
