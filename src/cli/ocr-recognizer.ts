import { PageImage, PageWord } from '../common/document-types';
import { OcrPool } from '../ocr/ocr-pool';
import { wordsFromBlocks } from '../ocr/ocr-words';
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
    recognize: async (page) => wordsFromBlocks(await pool.run((engine) => engine.recognize(page.png)), page),
    close: () => pool.close(),
  };
}
