import { PixelBox } from '../common/document-types';
import { DomainError } from '../common/domain-error';
import { Box, EMPTY_BOX, normaliseBox, PageSize, segmentBoxes } from './boxes';
import { isBlankWord } from './token-alignment';
import { TokenizedWords } from './tokenizer';

export interface LayoutWord {
  text: string;
  box: PixelBox;
  /** Words sharing a segment id share one segment-level box (their union). */
  segment: number;
  /** Label index for training; absent when serving. */
  label?: number;
}

export interface LayoutOptions {
  /** Tokens per window including the two special tokens. */
  maxLength: number;
  /** Content tokens between the starts of consecutive windows. */
  stride: number;
}

/** One model input: `[CLS] content… [SEP]`, unpadded. */
export interface LayoutWindow {
  /** Index of this window's first content token in the page's full token sequence. */
  tokenStart: number;
  inputIds: number[];
  /** Segment-level boxes, 0–1000; special tokens [0,0,0,0]. */
  bbox: Box[];
  /** Word-level boxes, 0–1000; special tokens [0,0,0,0]. */
  wordBbox: Box[];
  /** Label on each word's first sub-token; -100 elsewhere (and everywhere when words carry no labels). */
  labels: number[];
  /** Index of the token's word in the page's word list; -1 on special tokens. */
  wordIds: number[];
}

export interface EncodedPage {
  tokenCount: number;
  /** Word index of each content token of the page. */
  tokenWordIds: number[];
  /** Whether each content token is its word's first sub-token. */
  firstSubtoken: boolean[];
  windows: LayoutWindow[];
}

export const IGNORED_LABEL = -100;

/**
 * Start of every window: every `stride` tokens until a window reaches the end; the last window is moved back so
 * it ends at the last token (a full window of context). An empty page still gets one `[CLS] [SEP]` window.
 */
export function windowStarts(tokenCount: number, options: LayoutOptions): number[] {
  const contentLength = options.maxLength - 2;
  if (!Number.isInteger(options.maxLength) || contentLength < 1) {
    throw new DomainError('INVALID_REQUEST', `maxLength must be an integer ≥ 3, got ${options.maxLength}`);
  }
  if (!Number.isInteger(options.stride) || options.stride < 1 || options.stride > contentLength) {
    throw new DomainError('INVALID_REQUEST', `stride must be an integer in [1, ${contentLength}], got ${options.stride}`);
  }
  const starts: number[] = [];
  let start = 0;
  while (start + contentLength < tokenCount) {
    starts.push(start);
    start += options.stride;
  }
  starts.push(Math.max(0, tokenCount - contentLength));
  return starts;
}

/** Words+tokens → the page's token sequence and its overlapping windows. Pure. */
export function encodePage(
  tokens: TokenizedWords,
  words: readonly LayoutWord[],
  page: PageSize,
  special: { clsId: number; sepId: number },
  options: LayoutOptions,
): EncodedPage {
  const { wordBoxes, segmentBoxByWord } = pageBoxes(words, page);
  const tokenCount = tokens.ids.length;
  const firstSubtoken = firstSubtokens(tokens, words.length);
  const tokenLabels = tokens.wordIndex.map((word, i) => (firstSubtoken[i] ? words[word].label ?? IGNORED_LABEL : IGNORED_LABEL));

  const contentLength = options.maxLength - 2;
  const windows = windowStarts(tokenCount, options).map((tokenStart): LayoutWindow => {
    const end = Math.min(tokenStart + contentLength, tokenCount);
    const wordIds = tokens.wordIndex.slice(tokenStart, end);
    return {
      tokenStart,
      inputIds: [special.clsId, ...tokens.ids.slice(tokenStart, end), special.sepId],
      bbox: [EMPTY_BOX, ...wordIds.map((word) => segmentBoxByWord[word]), EMPTY_BOX],
      wordBbox: [EMPTY_BOX, ...wordIds.map((word) => wordBoxes[word]), EMPTY_BOX],
      labels: [IGNORED_LABEL, ...tokenLabels.slice(tokenStart, end), IGNORED_LABEL],
      wordIds: [-1, ...wordIds, -1],
    };
  });
  return { tokenCount, tokenWordIds: [...tokens.wordIndex], firstSubtoken, windows };
}

/** 0–1000 word and segment boxes of every word; blank words get the empty box. */
export function pageBoxes(words: readonly LayoutWord[], page: PageSize): { wordBoxes: Box[]; segmentBoxByWord: Box[] } {
  const segments = segmentBoxes(words.filter((word) => !isBlankWord(word.text)));
  const wordBoxes = words.map((word, index) => (isBlankWord(word.text) ? EMPTY_BOX : normaliseWordBox(word.box, page, index)));
  const segmentBoxByWord = words.map((word) =>
    isBlankWord(word.text) ? EMPTY_BOX : normaliseBox(segments.get(word.segment) as PixelBox, page),
  );
  return { wordBoxes, segmentBoxByWord };
}

/** Whether each token is its word's first sub-token; throws on a token pointing at no word. */
export function firstSubtokens(tokens: TokenizedWords, wordCount: number): boolean[] {
  if (tokens.ids.length !== tokens.wordIndex.length) {
    throw new Error(`token ids (${tokens.ids.length}) and word indices (${tokens.wordIndex.length}) differ in length`);
  }
  return tokens.wordIndex.map((word, i) => {
    if (word < 0 || word >= wordCount || !Number.isInteger(word)) {
      throw new Error(`token ${i} points at word ${word}, but the page has ${wordCount} words`);
    }
    return i === 0 || tokens.wordIndex[i - 1] !== word;
  });
}

function normaliseWordBox(box: PixelBox, page: PageSize, index: number): Box {
  try {
    return normaliseBox(box, page);
  } catch (error) {
    if (error instanceof DomainError) throw new DomainError(error.code, `words[${index}].${error.message}`, error.details);
    throw error;
  }
}
