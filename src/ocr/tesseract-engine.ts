import { dirname, join } from 'node:path';
import { createWorker, OEM } from 'tesseract.js';
import { upscalePng } from '../documents/image-codec';
import { OcrEngine } from './ocr-engine';
import { OcrBlock, ocrScaleFactor, shrinkBlocks } from './ocr-words';

/** The only file importing tesseract.js. Each engine is one tesseract.js worker thread (its own WASM instance). */

/** English LSTM model shipped in node_modules (the int-quantised "best" model tesseract.js uses for LSTM-only). */
const LANGUAGE_DATA_DIR = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

/** `upscaleToLongSide`: small pages are enlarged towards this long side first (ocrScaleFactor; 0 = never). */
export async function createTesseractEngine(upscaleToLongSide: number): Promise<OcrEngine> {
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
    async recognize(image) {
      const scale = ocrScaleFactor(image, upscaleToLongSide);
      const png = scale === 1 ? image.png : await upscalePng(image.png, image.width, image.height, scale);
      const result = await worker.recognize(png, {}, { blocks: true, text: false });
      return shrinkBlocks(result.data.blocks as OcrBlock[] | null, scale);
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
