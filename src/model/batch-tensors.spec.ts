import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canMerge, Feeds, mergeFeeds, rowCount, splitOutputs } from './batch-tensors';

const ids = (rows: number[][]): Feeds['x'] => ({
  dtype: 'int64',
  data: BigInt64Array.from(rows.flat().map(BigInt)),
  dims: [rows.length, rows[0].length],
});

/** A page request: ids, mask of ones, one box per token, and a 1×2×2 "image" per row. */
function request(rows: number[][], pixel: number): Feeds {
  const length = rows[0].length;
  return {
    input_ids: ids(rows),
    attention_mask: ids(rows.map(() => Array(length).fill(1))),
    bbox: { dtype: 'int64', data: BigInt64Array.from(rows.flat().flatMap((id) => [id, id, id, id].map(BigInt))), dims: [rows.length, length, 4] },
    pixel_values: { dtype: 'float32', data: new Float32Array(rows.length * 4).fill(pixel), dims: [rows.length, 1, 2, 2] },
  };
}

const options = { sequenceInputs: new Set(['input_ids', 'attention_mask', 'bbox']), padValues: { input_ids: 9 } };
const numbers = (tensor: Feeds['x']) => Array.from(tensor.data as ArrayLike<number | bigint>, Number);

describe('mergeFeeds', () => {
  it('pads sequence inputs to the longest request: pad id, mask 0, box 0', () => {
    const merged = mergeFeeds([request([[1, 2, 3]], 0.5), request([[4], [5]], -1)], options);
    assert.deepEqual(merged.rows, [1, 2]);
    assert.deepEqual(merged.lengths, [3, 1]);
    assert.equal(merged.sequenceLength, 3);
    assert.deepEqual(merged.feeds.input_ids.dims, [3, 3]);
    assert.deepEqual(numbers(merged.feeds.input_ids), [1, 2, 3, 4, 9, 9, 5, 9, 9]);
    assert.deepEqual(numbers(merged.feeds.attention_mask), [1, 1, 1, 1, 0, 0, 1, 0, 0]);
    assert.deepEqual(merged.feeds.bbox.dims, [3, 3, 4]);
    assert.deepEqual(numbers(merged.feeds.bbox).slice(12, 24), [4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(merged.feeds.pixel_values.dims, [3, 1, 2, 2]);
    assert.deepEqual(numbers(merged.feeds.pixel_values), [...Array(4).fill(0.5), ...Array(8).fill(-1)]);
  });

  it('refuses requests that cannot share a run', () => {
    const small = request([[1]], 0);
    const otherImage: Feeds = { ...small, pixel_values: { dtype: 'float32', data: new Float32Array(9), dims: [1, 1, 3, 3] } };
    assert.equal(canMerge(small, otherImage), false);
    assert.equal(canMerge(small, { input_ids: small.input_ids }), false);
    assert.equal(canMerge(small, request([[1, 2], [3, 4]], 1)), true);
    assert.throws(() => mergeFeeds([small, otherImage], options));
    const fixedAxis = { sequenceInputs: new Set<string>(), padValues: {} };
    assert.throws(() => mergeFeeds([request([[1]], 0), request([[1, 2]], 0)], fixedAxis), /axis 1/);
  });

  it('counts rows on axis 0', () => {
    assert.equal(rowCount(request([[1], [2], [3]], 0)), 3);
  });
});

describe('splitOutputs', () => {
  const batch = { rows: [1, 2], lengths: [3, 1], sequenceLength: 3 };

  it('un-pads [batch, seq, C] token logits per request', () => {
    const logits = { dtype: 'float32' as const, data: Float32Array.from({ length: 18 }, (_, i) => i), dims: [3, 3, 2] };
    const [first, second] = splitOutputs({ logits }, batch, new Set(['logits']));
    assert.deepEqual(first.logits.dims, [1, 3, 2]);
    assert.deepEqual(numbers(first.logits), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(second.logits.dims, [2, 1, 2]);
    assert.deepEqual(numbers(second.logits), [6, 7, 12, 13]);
    assert.notEqual(first.logits.data.buffer, second.logits.data.buffer, 'each piece owns its buffer');
  });

  it('un-pads [batch, seq] start/end logits', () => {
    const start = { dtype: 'float32' as const, data: Float32Array.from({ length: 9 }, (_, i) => i), dims: [3, 3] };
    const [first, second] = splitOutputs({ start_logits: start }, batch, new Set(['start_logits']));
    assert.deepEqual(numbers(first.start_logits), [0, 1, 2]);
    assert.deepEqual(second.start_logits.dims, [2, 1]);
    assert.deepEqual(numbers(second.start_logits), [3, 6]);
  });

  it('splits [batch, C] outputs by rows only, even when C equals the padded length', () => {
    const logits = { dtype: 'float32' as const, data: Float32Array.from({ length: 9 }, (_, i) => i), dims: [3, 3] };
    const [first, second] = splitOutputs({ logits }, batch, new Set());
    assert.deepEqual(first.logits.dims, [1, 3]);
    assert.deepEqual(numbers(second.logits), [3, 4, 5, 6, 7, 8]);
  });

  it('round-trips one unpadded request unchanged', () => {
    const single = mergeFeeds([request([[1, 2]], 0)], options);
    const [piece] = splitOutputs({ ids: single.feeds.input_ids }, single, new Set(['ids']));
    assert.deepEqual(numbers(piece.ids), [1, 2]);
  });

  it('rejects outputs whose rows do not match the batch', () => {
    const logits = { dtype: 'float32' as const, data: new Float32Array(4), dims: [2, 2] };
    assert.throws(() => splitOutputs({ logits }, batch, new Set()), /rows/);
  });
});
