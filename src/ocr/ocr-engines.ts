import type { AppConfig } from '../config/app-config';
import { OcrEngine, OcrEngineName, PpocrModel } from './ocr-engine';
import { createPpocrEngine, LATIN_CHARSET, ppocrModelPaths } from './ppocr/ppocr-engine';
import { createTesseractEngine, TesseractOptions } from './tesseract-engine';

/** What it takes to start engines of either kind; the service (AppConfig) and offline `prepare` fill it alike. */
export interface OcrEngineSettings {
  engine: OcrEngineName;
  tesseract: TesseractOptions;
  /** Folder holding the PP-OCR model files (scripts/fetch-ppocr.sh). */
  ppocrDir: string;
  ppocrDetector: PpocrModel;
  ppocrRecognizer: PpocrModel;
  /** Long side of the PP-OCR detector's input. */
  ppocrDetectLongSide: number;
  /** Intra-op threads of each PP-OCR session (tesseract.js is single-threaded), and whether idle ones spin. */
  ppocrThreads: number;
  ppocrSpinning: boolean;
  /** The service's execution providers (AETNET_EXECUTION_PROVIDERS): PP-OCR runs on the GPU when the models do. */
  executionProviders: readonly string[];
  /** Decode only Latin characters (English documents) instead of the model's whole vocabulary. */
  ppocrLatinOnly: boolean;
}

/** The engine settings of a service config; offline `prepare` and `eval` read the same fields. */
export function ocrEngineSettings(config: Readonly<AppConfig>): OcrEngineSettings {
  return {
    engine: config.ocrEngine,
    tesseract: {
      upscaleToLongSide: config.ocrUpscaleToLongSide,
      data: config.tesseractData,
      pageSegMode: config.tesseractPageSegMode,
      normalise: config.tesseractNormalise,
    },
    ppocrDir: config.ppocrDir,
    ppocrDetector: config.ppocrDetector,
    ppocrRecognizer: config.ppocrRecognizer,
    ppocrDetectLongSide: config.ppocrDetectLongSide,
    ppocrThreads: config.ppocrThreads,
    ppocrSpinning: config.ppocrSpinning,
    ppocrLatinOnly: config.ppocrLatinOnly,
    executionProviders: config.executionProviders,
  };
}

/** Throws, naming the missing file and the install step, when the chosen engine cannot start. */
export function checkOcrEngine(settings: OcrEngineSettings): void {
  if (settings.engine === 'ppocr') ppocrModelPaths(settings.ppocrDir, settings.ppocrDetector, settings.ppocrRecognizer);
}

export function ocrEngineFactory(settings: OcrEngineSettings): () => Promise<OcrEngine> {
  if (settings.engine === 'tesseract') return () => createTesseractEngine(settings.tesseract);
  return () =>
    createPpocrEngine({
      modelDir: settings.ppocrDir,
      detector: settings.ppocrDetector,
      recognizer: settings.ppocrRecognizer,
      threads: settings.ppocrThreads,
      spinning: settings.ppocrSpinning,
      executionProviders: settings.executionProviders,
      charset: settings.ppocrLatinOnly ? LATIN_CHARSET : '',
      detectionLongSide: settings.ppocrDetectLongSide,
    });
}
