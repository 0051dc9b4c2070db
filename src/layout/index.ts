export { Box, BOX_SCALE, EMPTY_BOX, PageSize, normaliseBox, segmentBoxes, unionBox, assertPixelBox } from './boxes';
export { isBlankWord } from './token-alignment';
export { EncodedPage, IGNORED_LABEL, LayoutOptions, LayoutWindow, LayoutWord, encodePage, windowStarts } from './layout-encoder';
export {
  answerPositions,
  DEFAULT_MAX_QUESTION_TOKENS,
  encodeQuestionPage,
  EncodedQuestionPage,
  QuestionOptions,
  QuestionWindow,
  WordSpan,
} from './question-encoder';
export { toPixelValues } from './pixel-values';
export { SpecialTokens } from './special-tokens';
export { LayoutTokenizer, TokenizedWords } from './tokenizer';
