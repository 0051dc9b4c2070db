import { dirname, join } from 'node:path';
import { createWorker, OEM } from 'tesseract.js';
import { ocrInputPng } from '../documents/image-codec';
import { OcrEngine, TesseractData } from './ocr-engine';
import { OcrBlock, ocrScaleFactor, shrinkBlocks } from './ocr-words';

/** The only file importing tesseract.js. Each engine is one tesseract.js worker thread (its own WASM instance). */

export interface TesseractOptions {
  /** Small pages are enlarged towards this long side first (ocrScaleFactor; 0 = never). */
  upscaleToLongSide: number;
  data: TesseractData;
  /** tesseract's page segmentation mode (3 = automatic, 11 = sparse text, …). */
  pageSegMode: number;
  /** Grey and contrast-stretched before recognition. */
  normalise: boolean;
}

export async function createTesseractEngine(options: TesseractOptions): Promise<OcrEngine> {
  const worker = await createWorker('eng', OEM.LSTM_ONLY, {
    // A local folder is read from disk; without langPath tesseract.js would download from a CDN.
    langPath: join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), options.data),
    gzip: true,
    // Nothing is cached: the default would write an unpacked copy of the model into the working directory.
    cacheMethod: 'none',
    // Job failures reach us as rejected promises; without a handler tesseract.js also throws them uncaught.
    errorHandler: () => undefined,
  });
  await worker.setParameters({ tessedit_pageseg_mode: String(options.pageSegMode) as never });
  return {
    async recognize(image) {
      const scale = ocrScaleFactor(image, options.upscaleToLongSide);
      const png = scale === 1 && !options.normalise ? image.png : await ocrInputPng(image.png, image.width, image.height, { scale, normalise: options.normalise });
      const result = await worker.recognize(png, {}, { blocks: true, text: false });
      return shrinkBlocks(result.data.blocks as OcrBlock[] | null, scale);
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
