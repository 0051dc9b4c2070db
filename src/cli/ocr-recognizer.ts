import { PageImage, PageWord } from '../common/document-types';
import { OcrPool } from '../ocr/ocr-pool';
import { readPageWords } from '../ocr/page-ocr';
import { OcrEngine } from '../ocr/ocr-engine';
import { ocrEngineFactory, OcrEngineSettings } from '../ocr/ocr-engines';

export type Recognize = (page: PageImage) => Promise<PageWord[]>;

export interface OcrRecognizer {
  recognize: Recognize;
  close(): Promise<void>;
}

/** The service's OCR (engine pool + word extraction) without Nest, for offline dataset preparation. */
export function createOcrRecognizer(workers: number, engine: OcrEngineSettings): OcrRecognizer {
  const pool = new OcrPool<OcrEngine>({ size: workers, queueLimit: Number.MAX_SAFE_INTEGER, create: ocrEngineFactory(engine) });
  return {
    recognize: (page) => readPageWords((image) => pool.run((engine) => engine.recognize(image)), page),
    close: () => pool.close(),
  };
}
