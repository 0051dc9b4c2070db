import type { AppConfig } from '../config/app-config';
import { OcrEngine } from './ocr-engine';
import { createPpocrEngine, LATIN_CHARSET } from './ppocr/ppocr-engine';
import { createTesseractEngine } from './tesseract-engine';

/** The settings that start OCR engines; the service and offline `prepare` read them from the same AppConfig. */
export type OcrEngineConfig = Pick<
  Readonly<AppConfig>,
  | 'ocrEngine'
  | 'ocrUpscaleToLongSide'
  | 'tesseractData'
  | 'tesseractPageSegMode'
  | 'tesseractNormalise'
  | 'ppocrDir'
  | 'ppocrDetector'
  | 'ppocrRecognizer'
  | 'ppocrDetectLongSide'
  | 'ppocrThreads'
  | 'ppocrSpinning'
  | 'ppocrLatinOnly'
  | 'executionProviders'
>;

/** Starts one engine of the configured kind; a PP-OCR start names a missing model file and the install step. */
export function ocrEngineFactory(config: OcrEngineConfig): () => Promise<OcrEngine> {
  if (config.ocrEngine === 'tesseract') {
    const options = { upscaleToLongSide: config.ocrUpscaleToLongSide, data: config.tesseractData, pageSegMode: config.tesseractPageSegMode, normalise: config.tesseractNormalise };
    return () => createTesseractEngine(options);
  }
  return () =>
    createPpocrEngine({
      modelDir: config.ppocrDir,
      detector: config.ppocrDetector,
      recognizer: config.ppocrRecognizer,
      threads: config.ppocrThreads,
      spinning: config.ppocrSpinning,
      executionProviders: config.executionProviders,
      charset: config.ppocrLatinOnly ? LATIN_CHARSET : '',
      detectionLongSide: config.ppocrDetectLongSide,
    });
}
