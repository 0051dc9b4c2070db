import { readFile } from 'node:fs/promises';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createModelSession, ModelSession, SessionOptions } from '../../model/onnx-session';
import { OcrBlock } from '../ocr-words';
import { narrowClassifier } from './onnx-classifier';
import { PpocrNetworks, PpocrSettings, readTextLines } from './ppocr-pipeline';
import { RECOGNITION_HEIGHT, recognitionVocabulary } from './text-recognition';

/**
 * Entry of one PP-OCR worker thread: the detector and recogniser sessions live here (ORT's run blocks its
 * thread), pages arrive as raw RGB and leave as OCR blocks. One page at a time.
 */

export interface PpocrWorkerData {
  detectorPath: string;
  recognizerPath: string;
  /** The recogniser's characters, one per line, in class order (blank and space excluded). */
  charactersPath: string;
  sessionOptions: SessionOptions;
  settings: PpocrSettings;
  /** Only characters of this string (plus space) can be read; empty = the model's whole vocabulary. */
  charset: string;
}

export interface RawImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The page at its own resolution. */
export type PpocrWorkerRequest = { type: 'recognize'; jobId: number; page: RawImage };

export type PpocrWorkerReply =
  | { type: 'ready' }
  | { type: 'start-failed'; message: string }
  | { type: 'result'; jobId: number; blocks: OcrBlock[] }
  | { type: 'failed'; jobId: number; message: string };

if (!parentPort) throw new Error('ppocr-worker.js must be started as a worker thread');
const port: MessagePort = parentPort;
const options = workerData as PpocrWorkerData;

function networksOf(detector: ModelSession, recognizer: ModelSession): PpocrNetworks {
  return {
    async detect(input, width, height) {
      const outputs = await detector.run({ [detector.inputNames[0]]: { dtype: 'float32', data: input, dims: [1, 3, height, width] } });
      const map = outputs[detector.outputNames[0]];
      if (map.dtype !== 'float32' || map.dims[2] !== height || map.dims[3] !== width) throw new Error(`unexpected detector output ${map.dims.join('×')}`);
      return map.data;
    },
    async recognize(input, batch, width) {
      const outputs = await recognizer.run({ [recognizer.inputNames[0]]: { dtype: 'float32', data: input, dims: [batch, 3, RECOGNITION_HEIGHT, width] } });
      const probabilities = outputs[recognizer.outputNames[0]];
      if (probabilities.dtype !== 'float32' || probabilities.dims.length !== 3) throw new Error(`unexpected recogniser output ${probabilities.dims.join('×')}`);
      return { probabilities: probabilities.data, columns: probabilities.dims[1], classes: probabilities.dims[2] };
    },
  };
}

/** The recogniser's vocabulary narrowed to `charset` (blank and space always kept), and the classes kept. */
function narrowVocabulary(vocabulary: readonly string[], charset: string): { vocabulary: string[]; keep: number[] } {
  const allowed = new Set([...charset, ' ']);
  const keep = vocabulary.map((_, k) => k).filter((k) => k === 0 || allowed.has(vocabulary[k]));
  return { vocabulary: keep.map((k) => vocabulary[k]), keep };
}

async function start(): Promise<(request: PpocrWorkerRequest) => Promise<void>> {
  const warn = () => undefined;
  const fullVocabulary = recognitionVocabulary(await readFile(options.charactersPath, 'utf8'));
  let recognizerModel: string | Uint8Array = options.recognizerPath;
  let vocabulary = fullVocabulary;
  if (options.charset !== '') {
    const narrowed = narrowVocabulary(fullVocabulary, options.charset);
    recognizerModel = narrowClassifier(await readFile(options.recognizerPath), fullVocabulary.length, narrowed.keep);
    vocabulary = narrowed.vocabulary;
  }
  const [detector, recognizer] = await Promise.all([
    createModelSession(options.detectorPath, options.sessionOptions, warn),
    createModelSession(recognizerModel, options.sessionOptions, warn, options.recognizerPath),
  ]);
  const settings = options.settings;
  const networks = networksOf(detector, recognizer);
  return async (request) => {
    try {
      const blocks = await readTextLines(request.page, networks, vocabulary, settings);
      port.postMessage({ type: 'result', jobId: request.jobId, blocks } satisfies PpocrWorkerReply);
    } catch (error) {
      port.postMessage({ type: 'failed', jobId: request.jobId, message: (error as Error).message } satisfies PpocrWorkerReply);
    }
  };
}

const ready = start();
ready.then(
  () => port.postMessage({ type: 'ready' } satisfies PpocrWorkerReply),
  (error: Error) => port.postMessage({ type: 'start-failed', message: error.message } satisfies PpocrWorkerReply),
);
let previous: Promise<void> = Promise.resolve();
port.on('message', (request: PpocrWorkerRequest) => {
  previous = previous.then(async () => (await ready)(request)).catch(() => undefined);
});
