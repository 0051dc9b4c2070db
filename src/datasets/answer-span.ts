import { WordSpan } from '../layout';

/** Case and surrounding punctuation do not matter when finding an answer among the page's words ("Date:" ~ "date"). */
function normalise(text: string): string {
  return text.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

/**
 * The first run of page words whose text equals the answer's words (normalised). Words that are only
 * punctuation are skipped on both sides. Undefined when the answer is not on the page.
 */
export function locateAnswer(words: readonly string[], answer: string): WordSpan | undefined {
  const target = answer.split(/\s+/).map(normalise).filter(Boolean);
  if (target.length === 0) return undefined;
  const page = words.map((text, index) => ({ index, text: normalise(text) })).filter((word) => word.text !== '');
  for (let start = 0; start + target.length <= page.length; start += 1) {
    if (target.every((token, offset) => page[start + offset].text === token)) {
      return { firstWord: page[start].index, lastWord: page[start + target.length - 1].index };
    }
  }
  return undefined;
}

/** Given word ids (the dataset's `answer_word_ids`) → their inclusive span, if all are on the page. */
export function spanOfWordIds(wordIds: readonly number[], wordCount: number): WordSpan | undefined {
  if (wordIds.length === 0 || wordIds.some((id) => id >= wordCount)) return undefined;
  return { firstWord: Math.min(...wordIds), lastWord: Math.max(...wordIds) };
}
