/**
 * Entity-level precision / recall / F1, pure. Two matchers:
 * - exact spans (seqeval semantics: an entity counts when its label and its exact word set match a gold entity),
 * - boxes (OCR words differ from gold words, so an entity counts when its label matches and box IoU ≥ threshold),
 *   matched one-to-one, best IoU first.
 */
export interface SpanEntity {
  label: string;
  wordIds: number[];
}

export interface BoxEntity {
  label: string;
  box: [number, number, number, number];
}

export interface LabelScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  predicted: number;
  correct: number;
}

export interface EntityScores {
  micro: LabelScore;
  perLabel: Record<string, LabelScore>;
}

/** Accumulates counts over documents; `scores()` at the end. */
export class EntityCounter {
  private readonly gold = new Map<string, number>();
  private readonly predicted = new Map<string, number>();
  private readonly correct = new Map<string, number>();

  addSpans(gold: SpanEntity[], predicted: SpanEntity[]): void {
    for (const g of matchSpans(gold, predicted).values()) this.bump(this.correct, gold[g].label);
    this.count(gold, predicted);
  }

  addBoxes(gold: BoxEntity[], predicted: BoxEntity[], iouThreshold = 0.5): void {
    for (const g of matchBoxes(gold, predicted, iouThreshold).values()) this.bump(this.correct, gold[g].label);
    this.count(gold, predicted);
  }

  scores(): EntityScores {
    const labels = [...new Set([...this.gold.keys(), ...this.predicted.keys()])].sort();
    const perLabel: Record<string, LabelScore> = {};
    let g = 0;
    let p = 0;
    let c = 0;
    for (const label of labels) {
      const gl = this.gold.get(label) ?? 0;
      const pl = this.predicted.get(label) ?? 0;
      const cl = this.correct.get(label) ?? 0;
      perLabel[label] = score(gl, pl, cl);
      g += gl;
      p += pl;
      c += cl;
    }
    return { micro: score(g, p, c), perLabel };
  }

  private count(gold: { label: string }[], predicted: { label: string }[]): void {
    for (const e of gold) this.bump(this.gold, e.label);
    for (const e of predicted) this.bump(this.predicted, e.label);
  }

  private bump(map: Map<string, number>, label: string): void {
    map.set(label, (map.get(label) ?? 0) + 1);
  }
}

/** Predicted index → gold index, one-to-one: same label and the same word set. */
export function matchSpans(gold: readonly SpanEntity[], predicted: readonly SpanEntity[]): Map<number, number> {
  const key = (e: SpanEntity) => `${e.label}|${[...e.wordIds].sort((a, b) => a - b).join(',')}`;
  const goldByKey = new Map<string, number[]>();
  gold.forEach((e, index) => goldByKey.set(key(e), [...(goldByKey.get(key(e)) ?? []), index]));
  const matched = new Map<number, number>();
  predicted.forEach((e, index) => {
    const left = goldByKey.get(key(e));
    if (left && left.length > 0) matched.set(index, left.shift() as number);
  });
  return matched;
}

/** Predicted index → gold index, one-to-one: same label and box IoU ≥ threshold, best IoU first. */
export function matchBoxes(gold: readonly BoxEntity[], predicted: readonly BoxEntity[], iouThreshold = 0.5): Map<number, number> {
  const pairs: Array<{ g: number; p: number; iou: number }> = [];
  gold.forEach((g, gi) =>
    predicted.forEach((p, pi) => {
      if (g.label !== p.label) return;
      const iou = boxIou(g.box, p.box);
      if (iou >= iouThreshold) pairs.push({ g: gi, p: pi, iou });
    }),
  );
  pairs.sort((a, b) => b.iou - a.iou);
  const usedGold = new Set<number>();
  const matched = new Map<number, number>();
  for (const { g, p } of pairs) {
    if (usedGold.has(g) || matched.has(p)) continue;
    usedGold.add(g);
    matched.set(p, g);
  }
  return matched;
}

function score(gold: number, predicted: number, correct: number): LabelScore {
  const precision = predicted === 0 ? 0 : correct / predicted;
  const recall = gold === 0 ? 0 : correct / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, support: gold, predicted, correct };
}

export function boxIou(a: [number, number, number, number], b: [number, number, number, number]): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const area = (r: number[]) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const union = area(a) + area(b) - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Fixed-width table of per-label and micro scores, in percent. */
export function formatScores(title: string, scores: EntityScores): string {
  const rows = [...Object.entries(scores.perLabel), ['micro', scores.micro] as const];
  const pct = (x: number) => (100 * x).toFixed(2).padStart(7);
  const lines = [title, `${'label'.padEnd(10)} ${'P'.padStart(7)} ${'R'.padStart(7)} ${'F1'.padStart(7)} ${'support'.padStart(8)}`];
  for (const [label, s] of rows) lines.push(`${label.padEnd(10)} ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)} ${String(s.support).padStart(8)}`);
  return lines.join('\n');
}
