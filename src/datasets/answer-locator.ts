import { WordSpan } from '../layout';

/**
 * Where an answer stands among a page's words: the one rule dataset preparation (admin uploads and the CLI) uses
 * to turn an answer's text into a span. Case and spacing do not matter, and a word matches an answer token when
 * the two are equal or equal without their surrounding punctuation ("Date:" answers "date"); a punctuation-only
 * token ("$") must match as it is. Blank words are skipped.
 */

/** Lowercase with whitespace collapsed. */
export function normaliseAnswerText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function withoutEdgePunctuation(token: string): string {
  return token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

function tokensMatch(word: string, token: string): boolean {
  if (word === token) return true;
  const bare = withoutEdgePunctuation(word);
  return bare !== '' && bare === withoutEdgePunctuation(token);
}

/** The first run of consecutive (non-blank) words matching the answer's tokens; undefined when none does. */
export function locateAnswer(words: readonly string[], answer: string): WordSpan | undefined {
  const target = normaliseAnswerText(answer).split(' ').filter(Boolean);
  if (target.length === 0) return undefined;
  const page = words.map((text, index) => ({ index, text: normaliseAnswerText(text) })).filter((word) => word.text !== '');
  for (let start = 0; start + target.length <= page.length; start += 1) {
    if (target.every((token, offset) => tokensMatch(page[start + offset].text, token))) {
      return { firstWord: page[start].index, lastWord: page[start + target.length - 1].index };
    }
  }
  return undefined;
}

/** Given word ids (a dataset's `answer_word_ids`) → their inclusive span, if all are on the page. */
export function spanOfWordIds(wordIds: readonly number[], wordCount: number): WordSpan | undefined {
  if (wordIds.length === 0 || wordIds.some((id) => id >= wordCount)) return undefined;
  return { firstWord: Math.min(...wordIds), lastWord: Math.max(...wordIds) };
}
