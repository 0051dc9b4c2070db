import { PageImage, PageWord } from '../common/document-types';
import { OcrPool } from '../ocr/ocr-pool';
import { OcrEngine } from '../ocr/ocr-engine';
import { OcrEngineConfig, ocrEngineFactory } from '../ocr/ocr-engines';
import { wordsFromBlocks } from '../ocr/ocr-words';

export type Recognize = (page: PageImage) => Promise<PageWord[]>;

export interface OcrRecognizer {
  recognize: Recognize;
  close(): Promise<void>;
}

/** The service's OCR (engine pool + word extraction) without Nest, for offline dataset preparation. */
export function createOcrRecognizer(workers: number, config: OcrEngineConfig): OcrRecognizer {
  const pool = new OcrPool<OcrEngine>({ size: workers, queueLimit: Number.MAX_SAFE_INTEGER, create: ocrEngineFactory(config) });
  return {
    recognize: async (page) => wordsFromBlocks(await pool.run((engine) => engine.recognize(page)), page),
    close: () => pool.close(),
  };
}
