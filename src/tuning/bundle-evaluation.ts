import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { resizeToRgb } from '../documents/image-codec';
import { buildWindowBatch, ImageRow } from '../heads/window-batch';
import { toPixelValues } from '../layout';
import { InferencePool } from '../model/inference-pool';
import { BundleManifest, bundleTasks, taskHead } from '../registry/bundle-manifest';
import { evaluateTokenWindows, ScoredWindow, TokenEvaluation } from './token-evaluation';

/**
 * Scores an ONNX bundle on a prepared split through the service's own inference path (InferencePool, the same
 * batching and image preprocessing as /v1/extract). The base model and the tuned model go through this one
 * function on the same windows, so their numbers compare.
 */

/** Windows per forward pass: one pool job at a time, so evaluation never crowds out live requests. */
const WINDOWS_PER_RUN = 8;
const IGNORED_LABEL = -100;

interface PreparedWindow {
  docId: string;
  page: number;
  tokenStart: number;
  inputIds: number[];
  bbox: number[][];
  labels: number[];
  original: string;
}

export interface EvaluatedBundle {
  manifest: BundleManifest;
  /** Path of the bundle's model.onnx. */
  modelPath: string;
}

async function readWindows(path: string): Promise<PreparedWindow[]> {
  const windows: PreparedWindow[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) windows.push(JSON.parse(line) as PreparedWindow);
  return windows;
}

/** Why a bundle cannot be scored on extract windows, or undefined when it can. */
export function unsupportedReason(manifest: BundleManifest): string | undefined {
  const tasks = bundleTasks(manifest);
  if (tasks.length !== 1 || tasks[0] !== 'extract') return `scoring ${tasks.join(', ')} bundles through the service is not implemented`;
  if ((manifest.onnx as { imageEncoderFile?: string }).imageEncoderFile) return 'split image-encoder bundles are not scored here';
  return undefined;
}

export async function evaluateBundleOnSplit(
  pool: InferencePool,
  bundle: EvaluatedBundle,
  preparedDir: string,
  split: string,
): Promise<TokenEvaluation> {
  const { manifest } = bundle;
  const reason = unsupportedReason(manifest);
  if (reason) throw new Error(reason);
  await pool.load(bundle.modelPath);
  const dataset = JSON.parse(await readFile(join(preparedDir, 'dataset.json'), 'utf8')) as { labels: string[] };
  const windows = await readWindows(join(preparedDir, `${split}.jsonl`));
  const inputNames = Object.keys(manifest.inputs);
  const { labels } = taskHead(manifest, 'extract');
  const numLabels = labels.length;
  const imageRows = new Map<string, ImageRow>();
  const scored: ScoredWindow[] = [];

  for (let start = 0; start < windows.length; start += WINDOWS_PER_RUN) {
    const chunk = windows.slice(start, start + WINDOWS_PER_RUN);
    const images: ImageRow[] = [];
    for (const window of chunk) {
      let row = imageRows.get(window.original);
      if (!row) {
        const size = manifest.image.size;
        const rgb = await resizeToRgb(join(preparedDir, window.original), size);
        row = { name: 'pixel_values', data: toPixelValues(rgb, size, manifest.image.mean, manifest.image.std), dims: [3, size, size] };
        imageRows.set(window.original, row);
      }
      images.push(row);
    }
    const feeds = buildWindowBatch(chunk, { padId: manifest.tokenizer.padId, inputNames, images });
    const sequence = feeds.input_ids.dims[1];
    const { logits } = await pool.run(bundle.modelPath, feeds);
    const values = logits.data as Float32Array;
    chunk.forEach((window, row) => {
      const predicted = window.inputIds.map((_, position) => {
        const offset = (row * sequence + position) * numLabels;
        let best = 0;
        for (let label = 1; label < numLabels; label++) if (values[offset + label] > values[offset + best]) best = label;
        return labels[best];
      });
      const gold = window.labels.map((label) => (label === IGNORED_LABEL ? null : dataset.labels[label]));
      scored.push({ docId: window.docId, page: window.page, tokenStart: window.tokenStart, gold, predicted });
    });
  }
  return evaluateTokenWindows(scored);
}
