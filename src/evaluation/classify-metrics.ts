/** Document classification scores, the same definitions as the trainer's `classify_metrics.py`. */

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationScores {
  accuracy: number;
  macroF1: number;
  perLabel: Record<string, ClassScores>;
  /** `confusion[g][p]`: documents of class g predicted as p, in `labels` order. */
  confusion: number[][];
  documents: number;
}

/** pairs: (gold, predicted) class names per document; `labels` fixes the order (unknown names are an error). */
export function classificationScores(pairs: ReadonlyArray<readonly [string, string]>, labels: readonly string[]): ClassificationScores {
  const index = new Map(labels.map((label, i) => [label, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  for (const [gold, predicted] of pairs) {
    const g = index.get(gold);
    const p = index.get(predicted);
    if (g === undefined || p === undefined) throw new RangeError(`class '${g === undefined ? gold : predicted}' is not one of ${labels.join(', ')}`);
    confusion[g][p] += 1;
  }
  const perLabel: Record<string, ClassScores> = {};
  labels.forEach((label, i) => {
    const correct = confusion[i][i];
    const predicted = confusion.reduce((sum, row) => sum + row[i], 0);
    const support = confusion[i].reduce((sum, n) => sum + n, 0);
    const precision = predicted ? correct / predicted : 0;
    const recall = support ? correct / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel[label] = { precision, recall, f1, support };
  });
  const hits = labels.reduce((sum, _, i) => sum + confusion[i][i], 0);
  return {
    accuracy: pairs.length ? hits / pairs.length : 0,
    macroF1: labels.length ? Object.values(perLabel).reduce((sum, s) => sum + s.f1, 0) / labels.length : 0,
    perLabel,
    confusion,
    documents: pairs.length,
  };
}
