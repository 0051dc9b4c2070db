import { WordSpan } from '../layout';

/** Lowercase with whitespace collapsed: the comparison used to find an answer among a page's words. */
export function normaliseAnswerText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The first run of consecutive words whose normalised text, joined by single spaces, equals the normalised
 * answer; null when no run does (or the answer is blank).
 */
export function locateAnswer(words: readonly string[], answer: string): WordSpan | null {
  const target = normaliseAnswerText(answer);
  if (target === '') return null;
  const normalised = words.map(normaliseAnswerText);
  for (let first = 0; first < normalised.length; first++) {
    if (normalised[first] === '') continue;
    let joined = '';
    for (let last = first; last < normalised.length; last++) {
      if (normalised[last] === '') continue;
      joined = joined === '' ? normalised[last] : `${joined} ${normalised[last]}`;
      if (joined === target) return { firstWord: first, lastWord: last };
      if (joined.length >= target.length) break;
    }
  }
  return null;
}
