import { OcrBlock } from './ocr-words';

/** A page as the engines receive it: PNG bytes and their size. */
export interface OcrImage {
  png: Buffer;
  width: number;
  height: number;
}

/** One OCR engine instance (a worker thread of its own); the pool runs one page at a time on each. */
export interface OcrEngine {
  /**
   * Blocks → paragraphs → lines → words, boxes in the image's pixels. Each engine sizes what it reads itself
   * (tesseract enlarges small pages; PP-OCR sizes its detector input).
   */
  recognize(image: OcrImage): Promise<OcrBlock[] | null>;
  terminate(): Promise<void>;
}

export const OCR_ENGINES = ['tesseract', 'ppocr'] as const;
export type OcrEngineName = (typeof OCR_ENGINES)[number];

/** PP-OCRv6 sizes fetched by scripts/fetch-ppocr.sh, one sub-folder each. */
export const PPOCR_MODELS = ['small', 'tiny'] as const;
export type PpocrModel = (typeof PPOCR_MODELS)[number];

/** Default long side of the PP-OCR detector's input (AppConfig.ppocrDetectLongSide), chosen on FUNSD train pages (docs/ocr.md). */
export const DEFAULT_PPOCR_DETECT_LONG_SIDE = 1504;

/** English traineddata folders of @tesseract.js-data/eng: the int-quantised LSTM "best" model, or the standard one. */
export const TESSERACT_DATA = ['4.0.0_best_int', '4.0.0'] as const;
export type TesseractData = (typeof TESSERACT_DATA)[number];
