import type { PageImage, PageWord } from '../common/document-types';

/**
 * The one rule for where a page's words come from, for serving and for datasets alike: the client's (or the
 * dataset's) own words, else the PDF text layer, else OCR. A model is then trained on the words it will be served.
 */

export type WordsSource = 'client' | 'text-layer' | 'ocr';

export type ChosenWords = { source: 'client' | 'text-layer'; words: PageWord[] } | { source: 'ocr' };

export function chooseWords(image: Pick<PageImage, 'textWords'>, given: PageWord[] | undefined): ChosenWords {
  if (given) return { source: 'client', words: given };
  if (image.textWords) return { source: 'text-layer', words: image.textWords };
  return { source: 'ocr' };
}
