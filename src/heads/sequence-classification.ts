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
