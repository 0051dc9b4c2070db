import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildWindowBatch, ImageRow } from './window-batch';

describe('buildWindowBatch', () => {
  const windows = [
    { inputIds: [101, 7, 8, 102], bbox: [[0, 0, 0, 0], [1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 0, 0]] },
    { inputIds: [101, 9, 102], bbox: [[0, 0, 0, 0], [9, 9, 9, 9], [0, 0, 0, 0]] },
  ];
  const pixels: ImageRow = { name: 'pixel_values', data: new Float32Array(3 * 2 * 2).map((_, i) => i), dims: [3, 2, 2] };

  it('pads to the longest window with pad id, mask 0 and empty boxes', () => {
    const feeds = buildWindowBatch(windows, {
      padId: 0,
      inputNames: ['input_ids', 'attention_mask', 'bbox', 'pixel_values'],
      images: [pixels, pixels],
    });
    assert.deepEqual(feeds.input_ids.dims, [2, 4]);
    assert.deepEqual(Array.from(feeds.input_ids.data, Number), [101, 7, 8, 102, 101, 9, 102, 0]);
    assert.deepEqual(Array.from(feeds.attention_mask.data, Number), [1, 1, 1, 1, 1, 1, 1, 0]);
    assert.deepEqual(feeds.bbox.dims, [2, 4, 4]);
    assert.deepEqual(Array.from(feeds.bbox.data, Number).slice(16), [0, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(feeds.pixel_values.dims, [2, 3, 2, 2]);
    assert.deepEqual(Array.from(feeds.pixel_values.data as Float32Array).slice(12), Array.from(pixels.data));
  });

  it('stacks a different image row per window (windows of several pages)', () => {
    const embeddings = (value: number): ImageRow => ({ name: 'image_embeddings', data: new Float32Array(6).fill(value), dims: [2, 3] });
    const feeds = buildWindowBatch(windows, {
      padId: 0,
      inputNames: ['input_ids', 'image_embeddings'],
      images: [embeddings(1), embeddings(2)],
    });
    assert.deepEqual(feeds.image_embeddings.dims, [2, 2, 3]);
    assert.deepEqual(Array.from(feeds.image_embeddings.data as Float32Array), [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    assert.throws(() => buildWindowBatch(windows, { padId: 0, inputNames: ['image_embeddings'], images: [embeddings(1)] }), /1 image rows/);
  });

  it('builds only the inputs the graph declares, with a non-zero pad id', () => {
    const feeds = buildWindowBatch(windows, { padId: 1, inputNames: ['input_ids', 'attention_mask'], images: [pixels, pixels] });
    assert.deepEqual(Object.keys(feeds).sort(), ['attention_mask', 'input_ids']);
    assert.equal(feeds.input_ids.data[7], 1n);
  });
});
