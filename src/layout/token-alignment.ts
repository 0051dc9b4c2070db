/**
 * The npm tokenizers binding rejects pre-tokenized input, so words are joined with single spaces, the text is
 * encoded once, and each token is mapped back to its word through its character offsets (Unicode code points,
 * which is what the binding reports).
 */

export interface JoinedWords {
  text: string;
  /** Word index for each code point of `text`; -1 on separators. */
  wordAtChar: Int32Array;
}

/** True for words that produce no tokens and are skipped (their index is kept for the others). */
export function isBlankWord(text: string): boolean {
  return text.trim() === '';
}

/**
 * Join the non-blank words with single spaces. `leadingSpace` prefixes one space so that byte-level BPE encodes
 * the first word like every other word (" word"), as LayoutLMv3's add_prefix_space does.
 */
export function joinWords(words: readonly string[], leadingSpace: boolean): JoinedWords {
  const pieces: string[] = [];
  const owners: number[] = [];
  words.forEach((word, index) => {
    if (isBlankWord(word)) return;
    if (pieces.length > 0 || leadingSpace) {
      pieces.push(' ');
      owners.push(-1);
    }
    const codePoints = Array.from(word);
    pieces.push(...codePoints);
    for (let i = 0; i < codePoints.length; i++) owners.push(index);
  });
  return { text: pieces.join(''), wordAtChar: Int32Array.from(owners) };
}

/**
 * Word index of each token from its [start, end) code-point offsets: the word owning the first non-separator
 * character inside the token (a byte-level BPE token carries its leading space); a token covering only
 * separators belongs to the next word.
 */
export function tokenWordIndex(offsets: ReadonlyArray<readonly number[]>, wordAtChar: Int32Array): number[] {
  return offsets.map(([start, end], token) => {
    for (let p = start; p < Math.max(end, start + 1) && p < wordAtChar.length; p++) {
      if (wordAtChar[p] >= 0) return wordAtChar[p];
    }
    for (let p = end; p < wordAtChar.length; p++) {
      if (wordAtChar[p] >= 0) return wordAtChar[p];
    }
    for (let p = Math.min(start, wordAtChar.length) - 1; p >= 0; p--) {
      if (wordAtChar[p] >= 0) return wordAtChar[p];
    }
    throw new Error(`token ${token} at [${start}, ${end}) maps to no word`);
  });
}
