import { softmaxInto } from './token-classification';

/**
 * Sequence-classification head: one logit row per window → class probabilities per page (mean of its windows'
 * softmaxes) and per document (mean of its pages'), so a long page or a long document is not decided by one window.
 */

export interface ClassScores {
  label: string;
  /** Probability of `label`. */
  confidence: number;
  /** Probability of every label, in the manifest's label order. */
  scores: Record<string, number>;
}

/** Softmax of each row of a row-major [rows × numLabels] logit matrix. */
export function windowProbabilities(logits: Float32Array, numLabels: number): Float64Array[] {
  if (numLabels < 1 || logits.length % numLabels !== 0) {
    throw new Error(`${logits.length} logits do not split into rows of ${numLabels}`);
  }
  const rows: Float64Array[] = [];
  for (let start = 0; start < logits.length; start += numLabels) {
    const probabilities = new Float64Array(numLabels);
    softmaxInto(logits.subarray(start, start + numLabels), probabilities);
    rows.push(probabilities);
  }
  return rows;
}

/** Element-wise mean of probability vectors (windows of a page, or pages of a document). */
export function meanProbabilities(rows: readonly ArrayLike<number>[], numLabels: number): Float64Array {
  if (rows.length === 0) throw new Error('nothing to average');
  const mean = new Float64Array(numLabels);
  for (const row of rows) {
    if (row.length !== numLabels) throw new Error(`expected ${numLabels} probabilities, got ${row.length}`);
    for (let label = 0; label < numLabels; label++) mean[label] += row[label] / rows.length;
  }
  return mean;
}

/** The most probable label (the first on a tie) with every label's probability. */
export function toClassScores(probabilities: ArrayLike<number>, labels: readonly string[]): ClassScores {
  if (probabilities.length !== labels.length) throw new Error(`expected ${labels.length} probabilities, got ${probabilities.length}`);
  let best = 0;
  for (let label = 1; label < labels.length; label++) if (probabilities[label] > probabilities[best]) best = label;
  const scores = Object.fromEntries(labels.map((label, i) => [label, probabilities[i]]));
  return { label: labels[best], confidence: probabilities[best], scores };
}

/**
 * A manifest `linear` head's logits for one window: each per-token output ([tokens × width], row-major, padded rows
 * allowed) averaged over the window's word tokens (`wordIds` ≥ 0; every real token when it has none), concatenated,
 * then weight · features + bias. The trainer pools the same way (classify_head.pool_window).
 */
export function linearHeadLogits(
  head: { weight: readonly (readonly number[])[]; bias: readonly number[] },
  outputs: ReadonlyArray<{ data: Float32Array; width: number }>,
  wordIds: readonly number[],
): Float32Array {
  const wordTokens = wordIds.flatMap((word, token) => (word >= 0 ? [token] : []));
  const tokens = wordTokens.length > 0 ? wordTokens : wordIds.map((_, token) => token);
  const features: number[] = [];
  for (const { data, width } of outputs) {
    const mean = new Float64Array(width);
    for (const token of tokens) for (let i = 0; i < width; i++) mean[i] += data[token * width + i];
    for (let i = 0; i < width; i++) features.push(mean[i] / tokens.length);
  }
  return Float32Array.from(head.weight, (row, label) => row.reduce((sum, weight, i) => sum + weight * features[i], head.bias[label]));
}
