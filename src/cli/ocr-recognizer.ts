import { PageImage, PageWord } from '../common/document-types';
import { OcrPool } from '../ocr/ocr-pool';
import { DEFAULT_OCR_UPSCALE_TO_LONG_SIDE } from '../ocr/ocr-words';
import { readPageWords } from '../ocr/page-ocr';
import { createTesseractEngine, OcrEngine } from '../ocr/tesseract-engine';

export type Recognize = (page: PageImage) => Promise<PageWord[]>;

export interface OcrRecognizer {
  recognize: Recognize;
  close(): Promise<void>;
}

/** The service's OCR (tesseract pool + word extraction) without Nest, for offline dataset preparation. */
export function createOcrRecognizer(workers: number): OcrRecognizer {
  const pool = new OcrPool<OcrEngine>({ size: workers, queueLimit: Number.MAX_SAFE_INTEGER, create: createTesseractEngine });
  return {
    recognize: (page) => readPageWords((png) => pool.run((engine) => engine.recognize(png)), page, DEFAULT_OCR_UPSCALE_TO_LONG_SIDE),
    close: () => pool.close(),
  };
}
