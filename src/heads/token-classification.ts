/** Token-classification head: a page's token logits → one label and confidence per word. */

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
