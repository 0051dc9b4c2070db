import type { TensorData } from './onnx-session';

/**
 * Windows of one or more pages → one padded batch of model inputs, shared by every head. The image side is one
 * row per page (pixel values, or image-encoder embeddings in a split bundle), repeated for each of its windows.
 */

/** What the batch needs of a layout window (src/layout LayoutWindow / QuestionWindow). */
export interface ModelWindow {
  inputIds: readonly number[];
  /** Segment-level boxes, 0–1000. */
  bbox: ReadonlyArray<readonly number[]>;
}

/** One image-side input row: e.g. `pixel_values` [3, S, S] or `image_embeddings` [patches, hidden]. */
export interface ImageRow {
  name: string;
  data: Float32Array;
  /** Dims of one row (no batch axis). */
  dims: readonly number[];
}

export interface BatchOptions {
  padId: number;
  /** Graph inputs to build (the bundle manifest's `inputs`); others are left out. */
  inputNames: readonly string[];
  /** The image row of each window (the same object for windows of one page). */
  images?: readonly ImageRow[];
}

/** Pads windows to the longest: pad id, attention mask 0, box [0,0,0,0]. */
export function buildWindowBatch(windows: readonly ModelWindow[], options: BatchOptions): Record<string, TensorData> {
  const batch = windows.length;
  const sequence = Math.max(...windows.map((window) => window.inputIds.length));
  const inputIds = new BigInt64Array(batch * sequence).fill(BigInt(options.padId));
  const attentionMask = new BigInt64Array(batch * sequence);
  const bbox = new BigInt64Array(batch * sequence * 4);
  windows.forEach((window, row) => {
    window.inputIds.forEach((id, position) => {
      inputIds[row * sequence + position] = BigInt(id);
      attentionMask[row * sequence + position] = 1n;
      for (let k = 0; k < 4; k++) bbox[(row * sequence + position) * 4 + k] = BigInt(window.bbox[position][k]);
    });
  });
  const feeds: Record<string, TensorData> = {
    input_ids: { dtype: 'int64', data: inputIds, dims: [batch, sequence] },
    attention_mask: { dtype: 'int64', data: attentionMask, dims: [batch, sequence] },
    bbox: { dtype: 'int64', data: bbox, dims: [batch, sequence, 4] },
  };
  const images = options.images ?? [];
  if (images.length > 0 && options.inputNames.includes(images[0].name)) {
    if (images.length !== batch) throw new Error(`${images.length} image rows for ${batch} windows`);
    feeds[images[0].name] = stackRows(images);
  }
  return Object.fromEntries(Object.entries(feeds).filter(([name]) => options.inputNames.includes(name)));
}

function stackRows(rows: readonly ImageRow[]): TensorData {
  const rowSize = rows[0].data.length;
  const data = new Float32Array(rows.length * rowSize);
  rows.forEach((row, index) => {
    if (row.data.length !== rowSize || row.name !== rows[0].name) throw new Error('image rows of one batch must match');
    data.set(row.data, index * rowSize);
  });
  return { dtype: 'float32', data, dims: [rows.length, ...rows[0].dims] };
}
