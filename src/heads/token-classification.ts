import type { TensorData } from '../model/onnx-session';

/**
 * Token-classification head: a page's windows → one padded batch of model inputs, and the page's token
 * logits → one label and confidence per word.
 */

/** What the batch needs of a layout window (src/layout LayoutWindow). */
export interface ModelWindow {
  inputIds: readonly number[];
  /** Segment-level boxes, 0–1000. */
  bbox: ReadonlyArray<readonly number[]>;
}

export interface BatchOptions {
  padId: number;
  /** Graph inputs to build (the bundle manifest's `inputs`); others are left out. */
  inputNames: readonly string[];
  /** The page's CHW pixel values, shared by every window of the page. */
  pixelValues: Float32Array;
  imageSize: number;
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
  if (options.inputNames.includes('pixel_values')) {
    const pixelValues = new Float32Array(batch * options.pixelValues.length);
    for (let row = 0; row < batch; row++) pixelValues.set(options.pixelValues, row * options.pixelValues.length);
    feeds.pixel_values = { dtype: 'float32', data: pixelValues, dims: [batch, 3, options.imageSize, options.imageSize] };
  }
  return Object.fromEntries(Object.entries(feeds).filter(([name]) => options.inputNames.includes(name)));
}

export interface WordPrediction {
  labelIndex: number;
  label: string;
  /** Softmax probability of the chosen label on the word's first sub-token. */
  confidence: number;
}

/** Numerically stable softmax of one row, in place into `out`. */
export function softmaxInto(row: Float32Array, out: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of row) max = Math.max(max, value);
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    out[i] = Math.exp(row[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < row.length; i++) out[i] /= sum;
}

/**
 * Labels each word from its first sub-token (the training target sits there: docs/prepared-dataset.md).
 * A word without tokens (its text tokenized to nothing) gets the outside label with confidence 0.
 * @param logits row-major [tokenCount × labels.length]
 * @param tokenWordIds word index of each page token
 */
export function classifyWords(
  logits: Float32Array,
  tokenWordIds: ArrayLike<number>,
  wordCount: number,
  labels: readonly string[],
): WordPrediction[] {
  const numLabels = labels.length;
  const outsideIndex = Math.max(0, labels.indexOf('O'));
  const predictions: WordPrediction[] = Array.from({ length: wordCount }, () => ({
    labelIndex: outsideIndex,
    label: labels[outsideIndex],
    confidence: 0,
  }));
  const seen = new Uint8Array(wordCount);
  const probabilities = new Float64Array(numLabels);
  for (let token = 0; token < tokenWordIds.length; token++) {
    const word = tokenWordIds[token];
    if (word < 0 || word >= wordCount || seen[word]) continue;
    seen[word] = 1;
    softmaxInto(logits.subarray(token * numLabels, (token + 1) * numLabels), probabilities);
    let best = 0;
    for (let label = 1; label < numLabels; label++) if (probabilities[label] > probabilities[best]) best = label;
    predictions[word] = { labelIndex: best, label: labels[best], confidence: probabilities[best] };
  }
  return predictions;
}
