/**
 * Sliding windows overlap, so a token can have logits from several windows. A token near a window's edge sees
 * little context on one side; taking each token's logits from the window where it sits most centrally gives the
 * best-informed prediction (the usual stride-merging rule for long documents).
 */

export interface WindowLogits {
  /** Index of the window's first content token in the page's token sequence. */
  tokenStart: number;
  /** Content tokens in the window (sequence length without [CLS]/[SEP] and padding). */
  contentLength: number;
  /** Row-major [sequence × numLabels]; position 0 is [CLS], so content token i sits at position i + 1. */
  logits: Float32Array;
}

/** Reassembles per-token logits for the whole page: Float32Array [tokenCount × numLabels]. */
export function mergeWindowLogits(windows: readonly WindowLogits[], tokenCount: number, numLabels: number): Float32Array {
  const merged = new Float32Array(tokenCount * numLabels);
  const bestDistance = new Float64Array(tokenCount).fill(Number.POSITIVE_INFINITY);
  for (const window of windows) {
    const centre = (window.contentLength - 1) / 2;
    for (let offset = 0; offset < window.contentLength; offset++) {
      const token = window.tokenStart + offset;
      if (token < 0 || token >= tokenCount) continue;
      const distance = Math.abs(offset - centre);
      // Strict comparison: on a tie the earlier window keeps the token, so the result is deterministic.
      if (distance >= bestDistance[token]) continue;
      bestDistance[token] = distance;
      const source = (offset + 1) * numLabels;
      merged.set(window.logits.subarray(source, source + numLabels), token * numLabels);
    }
  }
  const missing = bestDistance.findIndex((distance) => distance === Number.POSITIVE_INFINITY);
  if (missing !== -1) throw new Error(`token ${missing} is covered by no window`);
  return merged;
}
