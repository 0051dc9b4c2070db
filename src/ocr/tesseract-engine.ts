import { dirname, join } from 'node:path';
import { createWorker, OEM } from 'tesseract.js';
import { OcrBlock } from './ocr-words';

/** The only file importing tesseract.js. Each engine is one tesseract.js worker thread (its own WASM instance). */
export interface OcrEngine {
  recognize(png: Buffer): Promise<OcrBlock[] | null>;
  terminate(): Promise<void>;
}

/** English LSTM model shipped in node_modules (the int-quantised "best" model tesseract.js uses for LSTM-only). */
const LANGUAGE_DATA_DIR = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

export async function createTesseractEngine(): Promise<OcrEngine> {
  const worker = await createWorker('eng', OEM.LSTM_ONLY, {
    // A local folder is read from disk; without langPath tesseract.js would download from a CDN.
    langPath: LANGUAGE_DATA_DIR,
    gzip: true,
    // Nothing is cached: the default would write an unpacked copy of the model into the working directory.
    cacheMethod: 'none',
    // Job failures reach us as rejected promises; without a handler tesseract.js also throws them uncaught.
    errorHandler: () => undefined,
  });
  return {
    async recognize(png) {
      const result = await worker.recognize(png, {}, { blocks: true, text: false });
      return result.data.blocks as OcrBlock[] | null;
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
