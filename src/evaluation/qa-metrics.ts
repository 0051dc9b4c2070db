/**
 * Extractive document VQA scores, the same definitions as the trainer's `qa_metrics.py` (so served and trained
 * numbers compare): answers are lower-cased and whitespace-collapsed, ANLS is the best 1 − normalised Levenshtein
 * over the acceptable answers with scores under 0.5 counted as 0, and a question without answers is right only
 * when the prediction is empty ("no answer").
 */

export const ANLS_THRESHOLD = 0.5;

export function normaliseAnswer(text: string): string {
  return text.toLowerCase().split(/\s+/).filter(Boolean).join(' ');
}

/** Edit distance over UTF-16 code units (Python compares code points; equal for the BMP text of FUNSD). */
export function levenshtein(first: string, second: string): number {
  let previous = Array.from({ length: second.length + 1 }, (_, i) => i);
  for (let row = 1; row <= first.length; row++) {
    const current = [row];
    for (let column = 1; column <= second.length; column++) {
      const substitution = previous[column - 1] + (first[row - 1] === second[column - 1] ? 0 : 1);
      current.push(Math.min(previous[column] + 1, current[column - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[second.length];
}

export function anls(prediction: string, answers: readonly string[], threshold = ANLS_THRESHOLD): number {
  const predicted = normaliseAnswer(prediction);
  if (answers.length === 0) return predicted === '' ? 1 : 0;
  let best = 0;
  for (const answer of answers) {
    const gold = normaliseAnswer(answer);
    const longest = Math.max(gold.length, predicted.length);
    const similarity = longest === 0 ? 1 : 1 - levenshtein(gold, predicted) / longest;
    best = Math.max(best, similarity >= threshold ? similarity : 0);
  }
  return best;
}

export function exactMatch(prediction: string, answers: readonly string[]): number {
  const predicted = normaliseAnswer(prediction);
  if (answers.length === 0) return predicted === '' ? 1 : 0;
  return answers.some((answer) => normaliseAnswer(answer) === predicted) ? 1 : 0;
}

export interface QaScores {
  anls: number;
  exactMatch: number;
  questions: number;
  /** Questions given a non-empty answer. */
  answered: number;
  /** Fraction of questions answered "no answer". */
  noAnswerRate: number;
}

/** `predictions[i]` ('' = no answer) against the acceptable `answers[i]`; means over the questions. */
export function qaScores(predictions: readonly string[], answers: ReadonlyArray<readonly string[]>): QaScores {
  if (predictions.length !== answers.length) throw new RangeError(`${predictions.length} predictions for ${answers.length} questions`);
  const count = predictions.length;
  const mean = (score: (p: string, a: readonly string[]) => number) =>
    count === 0 ? 0 : predictions.reduce((sum, p, i) => sum + score(p, answers[i]), 0) / count;
  const answered = predictions.filter((p) => normaliseAnswer(p) !== '').length;
  return { anls: mean(anls), exactMatch: mean(exactMatch), questions: count, answered, noAnswerRate: count === 0 ? 0 : (count - answered) / count };
}

/** One asked question: the best answer the service gave at threshold 0 ('' = none) and its confidence. */
export interface ScoredAnswer {
  predicted: string;
  confidence: number;
  answers: readonly string[];
}

export interface ThresholdPoint {
  threshold: number;
  answered: number;
  /** Answered questions whose answer is right (ANLS ≥ 0.5 against an acceptable answer). */
  correct: number;
  /** correct / answered, and correct / questions that have an answer. */
  precision: number;
  recall: number;
  anls: number;
}

/**
 * The no-answer threshold's trade-off: at each threshold, a best answer under it becomes "no answer" (as the
 * service does with `minScore`); an answer to an unanswerable question is never correct.
 */
export function thresholdSweep(results: readonly ScoredAnswer[], thresholds: readonly number[]): ThresholdPoint[] {
  const answerable = results.filter((result) => result.answers.length > 0).length;
  return thresholds.map((threshold) => {
    const predictions = results.map((result) => (result.confidence >= threshold ? result.predicted : ''));
    const answered = predictions.filter((p) => normaliseAnswer(p) !== '').length;
    const correct = predictions.filter((p, i) => normaliseAnswer(p) !== '' && anls(p, results[i].answers) >= ANLS_THRESHOLD).length;
    return {
      threshold,
      answered,
      correct,
      precision: answered === 0 ? 0 : correct / answered,
      recall: answerable === 0 ? 0 : correct / answerable,
      anls: qaScores(predictions, results.map((result) => result.answers)).anls,
    };
  });
}
