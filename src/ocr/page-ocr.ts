import { PageImage, PageWord } from '../common/document-types';
import { OcrImage } from './ocr-engine';
import { OcrBlock, wordsFromBlocks } from './ocr-words';

/** One page through an OCR engine, the one rule for the service and for dataset preparation. */
export async function readPageWords(recognize: (image: OcrImage) => Promise<OcrBlock[] | null>, page: PageImage): Promise<PageWord[]> {
  return wordsFromBlocks(await recognize(page), page);
}
