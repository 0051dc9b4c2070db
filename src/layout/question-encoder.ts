import { DomainError } from '../common/domain-error';
import { Box, EMPTY_BOX, PageSize } from './boxes';
import { firstSubtokens, LayoutOptions, LayoutWord, pageBoxes, windowStarts } from './layout-encoder';
import { TokenizedWords } from './tokenizer';

export const DEFAULT_MAX_QUESTION_TOKENS = 64;

export interface QuestionOptions extends LayoutOptions {
  /** Longest accepted question, in tokens (default 64). */
  maxQuestionTokens?: number;
}

/** One model input for a question: `[CLS] question… [SEP] context… [SEP]`, unpadded (LayoutLMv3 DocVQA order). */
export interface QuestionWindow {
  /** Index of this window's first context token in the page's full token sequence. */
  tokenStart: number;
  /** Position in `inputIds` of the first context token (question length + 2). */
  contextStart: number;
  inputIds: number[];
  /** Segment-level boxes, 0–1000; question and special tokens [0,0,0,0]. */
  bbox: Box[];
  /** Word-level boxes, 0–1000; question and special tokens [0,0,0,0]. */
  wordBbox: Box[];
  /** Index of the context token's word in the page's word list; -1 on question and special tokens. */
  wordIds: number[];
}

export interface EncodedQuestionPage {
  questionLength: number;
  /** Context tokens of the page. */
  tokenCount: number;
  /** Word index of each context token of the page. */
  tokenWordIds: number[];
  windows: QuestionWindow[];
}

/** Inclusive range of word indices in the page's word list. */
export interface WordSpan {
  firstWord: number;
  lastWord: number;
}

/**
 * Question tokens + page words/tokens → windows with the question first and the page's context cut into
 * overlapping windows of `maxLength − 3 − questionLength` tokens. Pure; serving and `prepare` both call it.
 */
export function encodeQuestionPage(
  questionIds: readonly number[],
  tokens: TokenizedWords,
  words: readonly LayoutWord[],
  page: PageSize,
  special: { clsId: number; sepId: number },
  options: QuestionOptions,
): EncodedQuestionPage {
  const maxQuestionTokens = options.maxQuestionTokens ?? DEFAULT_MAX_QUESTION_TOKENS;
  if (questionIds.length === 0) throw new DomainError('INVALID_REQUEST', 'The question is empty');
  if (questionIds.length > maxQuestionTokens) {
    throw new DomainError('INVALID_REQUEST', `The question has ${questionIds.length} tokens; the limit is ${maxQuestionTokens}`, {
      questionTokens: questionIds.length,
      maxQuestionTokens,
    });
  }
  const contextLength = options.maxLength - 3 - questionIds.length;
  if (!Number.isInteger(options.maxLength) || contextLength < 1) {
    throw new DomainError('INVALID_REQUEST', `maxLength ${options.maxLength} leaves no room for context after a ${questionIds.length}-token question`);
  }
  const { wordBoxes, segmentBoxByWord } = pageBoxes(words, page);
  firstSubtokens(tokens, words.length);

  const tokenCount = tokens.ids.length;
  // A long question shortens the context; the stride shrinks with it so no context token is skipped.
  const contextOptions = { maxLength: contextLength + 2, stride: Math.min(options.stride, contextLength) };
  const questionPart = [special.clsId, ...questionIds, special.sepId];
  const questionBoxes = questionPart.map(() => EMPTY_BOX);
  const contextStart = questionPart.length;
  const windows = windowStarts(tokenCount, contextOptions).map((tokenStart): QuestionWindow => {
    const end = Math.min(tokenStart + contextLength, tokenCount);
    const wordIds = tokens.wordIndex.slice(tokenStart, end);
    return {
      tokenStart,
      contextStart,
      inputIds: [...questionPart, ...tokens.ids.slice(tokenStart, end), special.sepId],
      bbox: [...questionBoxes, ...wordIds.map((word) => segmentBoxByWord[word]), EMPTY_BOX],
      wordBbox: [...questionBoxes, ...wordIds.map((word) => wordBoxes[word]), EMPTY_BOX],
      wordIds: [...questionPart.map(() => -1), ...wordIds, -1],
    };
  });
  return { questionLength: questionIds.length, tokenCount, tokenWordIds: [...tokens.wordIndex], windows };
}

/**
 * Start/end positions in `window.inputIds` of an answer's first and last token, or both 0 ([CLS], "no answer
 * here") when the span is not wholly inside the window's context or has no tokens.
 */
export function answerPositions(window: QuestionWindow, tokenWordIds: readonly number[], span: WordSpan): { startPosition: number; endPosition: number } {
  const first = tokenWordIds.findIndex((word) => word >= span.firstWord && word <= span.lastWord);
  if (first < 0) return { startPosition: 0, endPosition: 0 };
  let last = first;
  while (last + 1 < tokenWordIds.length && tokenWordIds[last + 1] <= span.lastWord) last += 1;
  const contextEnd = window.tokenStart + (window.inputIds.length - window.contextStart - 1);
  if (first < window.tokenStart || last >= contextEnd) return { startPosition: 0, endPosition: 0 };
  return { startPosition: window.contextStart + first - window.tokenStart, endPosition: window.contextStart + last - window.tokenStart };
}
