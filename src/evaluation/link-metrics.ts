/**
 * Key–value link scoring on FUNSD (the relation-extraction setting: question → answer links), pure. A predicted
 * link counts when both its entities match gold entities that are linked; entities are matched by the entity
 * matchers of entity-metrics.ts (exact word sets with gold words, label + box IoU with OCR).
 */

export interface LinkScores {
  precision: number;
  recall: number;
  f1: number;
  gold: number;
  predicted: number;
  correct: number;
}

/** The [key, value] links of a served page's pairs (keys left without a value are not links). */
export function pairLinks(pairs: ReadonlyArray<{ keyIndex: number; valueIndex: number | null }>): Array<[number, number]> {
  return pairs.flatMap((pair) => (pair.valueIndex === null ? [] : [[pair.keyIndex, pair.valueIndex] as [number, number]]));
}

/** Accumulates link counts over documents. */
export class LinkCounter {
  private gold = 0;
  private predicted = 0;
  private correct = 0;

  /**
   * `predicted`: [key, value] as indices into the predicted entities; `matched`: predicted entity index → gold
   * entity index (entity-metrics matchSpans / matchBoxes; the identity when the entities are the gold ones).
   */
  add(gold: ReadonlyArray<readonly [number, number]>, predicted: ReadonlyArray<readonly [number, number]>, matched: (index: number) => number | undefined = (index) => index): void {
    const goldKeys = new Set(gold.map(([key, value]) => `${key}>${value}`));
    const seen = new Set<string>();
    for (const [key, value] of predicted) {
      const [goldKey, goldValue] = [matched(key), matched(value)];
      const link = `${goldKey}>${goldValue}`;
      if (goldKey !== undefined && goldValue !== undefined && goldKeys.has(link) && !seen.has(link)) {
        seen.add(link);
        this.correct++;
      }
    }
    this.gold += gold.length;
    this.predicted += predicted.length;
  }

  scores(): LinkScores {
    const precision = this.predicted === 0 ? 0 : this.correct / this.predicted;
    const recall = this.gold === 0 ? 0 : this.correct / this.gold;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, gold: this.gold, predicted: this.predicted, correct: this.correct };
  }
}

export function formatLinkScores(title: string, scores: LinkScores): string {
  const pct = (value: number) => (100 * value).toFixed(2).padStart(6);
  return `${title.padEnd(58)} P ${pct(scores.precision)}  R ${pct(scores.recall)}  F1 ${pct(scores.f1)}  (${scores.correct}/${scores.predicted} predicted, ${scores.gold} gold)`;
}
