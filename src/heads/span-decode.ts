import type { PixelBox } from '../common/document-types';
import { unionBox } from '../layout/boxes';
import { isBlankWord } from '../layout/token-alignment';

/**
 * Extractive question answering: start/end logits of every window of every page → the best word spans of the
 * document. A candidate starts and ends inside the window's context part (not the question, not special tokens),
 * start ≤ end, at most `maxAnswerTokens` long; its score is start + end logit. Overlapping windows propose the same
 * words more than once, so candidates are compared as word spans (the best score wins). Confidence is a softmax
 * over all candidate scores plus the no-answer score ([CLS] start + end), as the trainer's evaluation decodes.
 */

export interface SpanWindow {
  /** Which page the window belongs to (the caller's page index). */
  page: number;
  /** Per position of the window's input (padding after the window's length is ignored). */
  startLogits: Float32Array;
  endLogits: Float32Array;
  /** Position of the window's first context token. */
  contextStart: number;
  /** Word index (in the page's word list) of each context token of the window, in order. */
  contextWordIds: ArrayLike<number>;
}

export interface SpanDecodeOptions {
  maxAnswerTokens: number;
  /** Candidates returned, best first. */
  topK: number;
  /** Start and end positions considered per window (the usual n-best pruning; keeps decoding linear in windows). */
  bestPerWindow?: number;
}

export interface SpanCandidate {
  page: number;
  /** First and last word (inclusive) of the answer in the page's word list. */
  firstWord: number;
  lastWord: number;
  score: number;
  confidence: number;
}

export interface SpanDecoding {
  /** Unique word spans, best first, at most topK. */
  candidates: SpanCandidate[];
  /** Lowest no-answer score over the windows: the window most convinced the answer is somewhere. */
  noAnswerScore: number;
  noAnswerConfidence: number;
}

const DEFAULT_BEST_PER_WINDOW = 20;

/** Positions in [from, to) with the n largest values, largest first. */
function bestPositions(logits: Float32Array, from: number, to: number, n: number): number[] {
  const positions: number[] = [];
  for (let position = from; position < to; position++) positions.push(position);
  return positions.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, n);
}

export function decodeSpans(windows: readonly SpanWindow[], options: SpanDecodeOptions): SpanDecoding {
  const bestPerWindow = options.bestPerWindow ?? DEFAULT_BEST_PER_WINDOW;
  const bestBySpan = new Map<string, Omit<SpanCandidate, 'confidence'>>();
  let noAnswerScore = Number.POSITIVE_INFINITY;

  for (const window of windows) {
    noAnswerScore = Math.min(noAnswerScore, window.startLogits[0] + window.endLogits[0]);
    const contextEnd = Math.min(window.contextStart + window.contextWordIds.length, window.startLogits.length, window.endLogits.length);
    if (contextEnd <= window.contextStart) continue;
    const starts = bestPositions(window.startLogits, window.contextStart, contextEnd, bestPerWindow);
    const ends = bestPositions(window.endLogits, window.contextStart, contextEnd, bestPerWindow);
    for (const start of starts) {
      for (const end of ends) {
        if (end < start || end - start + 1 > options.maxAnswerTokens) continue;
        const score = window.startLogits[start] + window.endLogits[end];
        const firstWord = window.contextWordIds[start - window.contextStart];
        const lastWord = window.contextWordIds[end - window.contextStart];
        const key = `${window.page}:${firstWord}:${lastWord}`;
        const known = bestBySpan.get(key);
        if (!known || score > known.score) bestBySpan.set(key, { page: window.page, firstWord, lastWord, score });
      }
    }
  }
  if (windows.length === 0) noAnswerScore = 0;

  const spans = [...bestBySpan.values()].sort((a, b) => b.score - a.score || a.page - b.page || a.firstWord - b.firstWord);
  // log-sum-exp over every candidate and the no-answer score, shifted by the maximum for stability.
  const maxScore = Math.max(noAnswerScore, spans[0]?.score ?? Number.NEGATIVE_INFINITY);
  let total = Math.exp(noAnswerScore - maxScore);
  for (const span of spans) total += Math.exp(span.score - maxScore);
  const confidenceOf = (score: number) => Math.exp(score - maxScore) / total;

  return {
    candidates: spans.slice(0, options.topK).map((span) => ({ ...span, confidence: confidenceOf(span.score) })),
    noAnswerScore,
    noAnswerConfidence: confidenceOf(noAnswerScore),
  };
}

/** No answer: no candidate, the best is under the confidence threshold, or "no answer" itself is more likely. */
export function isNoAnswer(decoding: SpanDecoding, minConfidence: number): boolean {
  const best = decoding.candidates[0];
  return best === undefined || best.confidence < minConfidence || decoding.noAnswerConfidence > best.confidence;
}

export interface AnswerWord {
  text: string;
  box: PixelBox;
}

export interface AnswerSpan {
  /** The span's words joined by single spaces. */
  text: string;
  /** Pixel union of the words' boxes. */
  box: PixelBox;
  words: AnswerWord[];
}

/** A candidate's words on its page (whole words, blanks skipped) → answer text and box. */
export function spanAnswer(pageWords: readonly AnswerWord[], span: { firstWord: number; lastWord: number }): AnswerSpan {
  const words = pageWords
    .slice(span.firstWord, span.lastWord + 1)
    .filter((word) => !isBlankWord(word.text))
    .map((word) => ({ text: word.text, box: [...word.box] as PixelBox }));
  if (words.length === 0) throw new Error(`words ${span.firstWord}–${span.lastWord} hold no text`);
  return { text: words.map((word) => word.text).join(' '), box: words.map((word) => word.box).reduce(unionBox), words };
}
