import { PageImage, PageWord } from '../common/document-types';
import { upscalePng } from '../documents/image-codec';
import { OcrBlock, ocrScaleFactor, wordsFromBlocks } from './ocr-words';

/**
 * One page through an OCR engine, the one rule for the service and for dataset preparation: enlarge a small page
 * (ocrScaleFactor), recognise, and map the words back to the page's own pixels.
 */
export async function readPageWords(recognize: (png: Buffer) => Promise<OcrBlock[] | null>, page: PageImage, upscaleToLongSide: number): Promise<PageWord[]> {
  const scale = ocrScaleFactor(page, upscaleToLongSide);
  const png = scale === 1 ? page.png : await upscalePng(page.png, page.width, page.height, scale);
  return wordsFromBlocks(await recognize(png), page, scale);
}
