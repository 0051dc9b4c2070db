import { boxIou } from './entity-metrics';
import { levenshtein } from './qa-metrics';

/**
 * Word-level OCR scores against gold words (docs/evaluation.md, `--dataset funsd-ocr`), pure. A recognised word
 * matches a gold word when their boxes overlap with IoU ≥ 0.5 (one to one, best overlaps first); it is also a text
 * match when both texts are equal after trimming punctuation at either end and folding case. CER is the edit
 * distance over the gold length, averaged over box-matched pairs.
 */

export const WORD_IOU_THRESHOLD = 0.5;

export interface OcrWord {
  text: string;
  box: [number, number, number, number];
}

export interface OcrWordCounts {
  gold: number;
  predicted: number;
  boxMatches: number;
  textMatches: number;
  /** Sum over box-matched pairs of edit distance / gold length (after normalisation). */
  cerSum: number;
}

export interface OcrWordScores {
  box: { precision: number; recall: number; f1: number };
  text: { precision: number; recall: number; f1: number };
  /** Mean character error rate of box-matched words; null when none matched. */
  cer: number | null;
  counts: OcrWordCounts;
}

/** Trims punctuation and symbols at both ends and folds case: "Date:" → "date", "(336)" → "336". */
export function normaliseWordText(text: string): string {
  return text.trim().replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '').toLowerCase();
}

export function matchOcrWords(gold: readonly OcrWord[], predicted: readonly OcrWord[]): OcrWordCounts {
  const pairs: Array<{ g: number; p: number; iou: number }> = [];
  gold.forEach((goldWord, g) => {
    predicted.forEach((predictedWord, p) => {
      const iou = boxIou(goldWord.box, predictedWord.box);
      if (iou >= WORD_IOU_THRESHOLD) pairs.push({ g, p, iou });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou || a.g - b.g || a.p - b.p);
  const usedGold = new Set<number>();
  const usedPredicted = new Set<number>();
  const counts: OcrWordCounts = { gold: gold.length, predicted: predicted.length, boxMatches: 0, textMatches: 0, cerSum: 0 };
  for (const { g, p } of pairs) {
    if (usedGold.has(g) || usedPredicted.has(p)) continue;
    usedGold.add(g);
    usedPredicted.add(p);
    const goldText = normaliseWordText(gold[g].text);
    const predictedText = normaliseWordText(predicted[p].text);
    counts.boxMatches += 1;
    if (goldText === predictedText) counts.textMatches += 1;
    counts.cerSum += goldText.length === 0 ? (predictedText.length === 0 ? 0 : 1) : levenshtein(goldText, predictedText) / goldText.length;
  }
  return counts;
}

export function addOcrCounts(a: OcrWordCounts, b: OcrWordCounts): OcrWordCounts {
  return {
    gold: a.gold + b.gold,
    predicted: a.predicted + b.predicted,
    boxMatches: a.boxMatches + b.boxMatches,
    textMatches: a.textMatches + b.textMatches,
    cerSum: a.cerSum + b.cerSum,
  };
}

function prf(correct: number, predicted: number, gold: number) {
  const precision = predicted === 0 ? 0 : correct / predicted;
  const recall = gold === 0 ? 0 : correct / gold;
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}

export function ocrWordScores(counts: OcrWordCounts): OcrWordScores {
  return {
    box: prf(counts.boxMatches, counts.predicted, counts.gold),
    text: prf(counts.textMatches, counts.predicted, counts.gold),
    cer: counts.boxMatches === 0 ? null : counts.cerSum / counts.boxMatches,
    counts,
  };
}
