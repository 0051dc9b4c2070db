import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeToRgb } from '../../documents/image-codec';
import { OcrEngine, PpocrModel } from '../ocr-engine';
import { OcrBlock } from '../ocr-words';
import { PPOCR_DEFAULTS } from './ppocr-pipeline';
import { PpocrWorkerData, PpocrWorkerReply, PpocrWorkerRequest, RawImage } from './ppocr-worker';

export const PPOCR_INSTALL_STEP = 'bash scripts/fetch-ppocr.sh';
const WORKER_ENTRY = join(__dirname, 'ppocr-worker.js');

/**
 * English pages: the recogniser's 18k-class vocabulary (Chinese, Japanese, symbols) narrowed to Latin-1 and
 * common typography, so a smudge is never read as a CJK character.
 */
export const LATIN_CHARSET = (() => {
  let chars = '';
  for (let code = 0x21; code <= 0x7e; code++) chars += String.fromCharCode(code);
  for (let code = 0xa1; code <= 0xff; code++) chars += String.fromCharCode(code);
  return chars + '‐‑–—‘’‚“”„†‡•…‰€™';
})();

export interface PpocrEngineOptions {
  /** Folder with one sub-folder per model size (scripts/fetch-ppocr.sh). */
  modelDir: string;
  detector: PpocrModel;
  recognizer: PpocrModel;
  /** ONNX Runtime execution providers in preference order, as for the document models ("cuda", "cpu"). */
  executionProviders: readonly string[];
  /** Intra-op threads of each of the two sessions. */
  threads: number;
  /** Whether idle ORT threads spin (see SessionOptions.spinning). */
  spinning: boolean;
  /** Restricts decoding to these characters; '' = every character the model knows. */
  charset: string;
  /** Long side of the detector's input. */
  detectionLongSide: number;
}

export interface PpocrModelPaths {
  detectorPath: string;
  recognizerPath: string;
  charactersPath: string;
}

/** The model files, or an error naming the missing one and the install step. */
export function ppocrModelPaths(modelDir: string, detector: PpocrModel, recognizer: PpocrModel): PpocrModelPaths {
  const paths = {
    detectorPath: join(modelDir, detector, 'det.onnx'),
    recognizerPath: join(modelDir, recognizer, 'rec.onnx'),
    charactersPath: join(modelDir, recognizer, 'characters.txt'),
  };
  for (const path of Object.values(paths)) {
    if (!existsSync(path)) throw new Error(`PP-OCR model file ${path} is missing; install it with: ${PPOCR_INSTALL_STEP}`);
  }
  return paths;
}

/** Pixels transferred to the worker must own their whole ArrayBuffer. */
function ownBuffer(image: RawImage): RawImage {
  const { data } = image;
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? image : { ...image, data: data.slice() };
}

/** A PP-OCR engine: one worker thread holding the detector and recogniser; resolves once both sessions load. */
export async function createPpocrEngine(options: PpocrEngineOptions): Promise<OcrEngine> {
  const workerData: PpocrWorkerData = {
    ...ppocrModelPaths(options.modelDir, options.detector, options.recognizer),
    sessionOptions: { executionProviders: options.executionProviders, intraOpThreads: options.threads, spinning: options.spinning },
    settings: { ...PPOCR_DEFAULTS, detectionLongSide: options.detectionLongSide },
    charset: options.charset,
  };
  const worker = new Worker(WORKER_ENTRY, { workerData });
  const pending = new Map<number, { resolve: (blocks: OcrBlock[]) => void; reject: (error: Error) => void }>();
  let nextJob = 0;
  let exited: Error | undefined;

  let onStartMessage: (reply: PpocrWorkerReply) => void = () => undefined;
  let onStartError: (error: Error) => void = () => undefined;
  let onStartExit: (code: number) => void = () => undefined;
  await new Promise<void>((resolve, reject) => {
    onStartMessage = (reply) => {
      if (reply.type === 'ready') resolve();
      else if (reply.type === 'start-failed') reject(new Error(`PP-OCR failed to start: ${reply.message}`));
    };
    onStartError = reject;
    onStartExit = (code) => reject(new Error(`PP-OCR worker exited with code ${code} while starting`));
    worker.on('message', onStartMessage).on('error', onStartError).on('exit', onStartExit);
  }).catch(async (error: Error) => {
    await worker.terminate();
    throw error;
  });
  // Only our own listeners: a Worker keeps internal ones that removeAllListeners would drop.
  worker.off('message', onStartMessage).off('error', onStartError).off('exit', onStartExit);

  const failAll = (error: Error) => {
    exited = error;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: PpocrWorkerReply) => {
    if (reply.type !== 'result' && reply.type !== 'failed') return;
    const job = pending.get(reply.jobId);
    if (!job) return;
    pending.delete(reply.jobId);
    if (reply.type === 'result') job.resolve(reply.blocks);
    else job.reject(new Error(`PP-OCR failed: ${reply.message}`));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`PP-OCR worker exited with code ${code}`)));

  return {
    async recognize(image) {
      if (exited) throw exited;
      // At the page's own resolution: the detector input is sized in the worker, and line crops read better
      // from the original pixels than from an enlarged copy (docs/ocr.md).
      const page = ownBuffer(await decodeToRgb(image.png));
      const jobId = nextJob++;
      return new Promise<OcrBlock[]>((resolve, reject) => {
        pending.set(jobId, { resolve, reject });
        const request: PpocrWorkerRequest = { type: 'recognize', jobId, page };
        worker.postMessage(request, [page.data.buffer as ArrayBuffer]);
      });
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
