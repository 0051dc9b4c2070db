import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { resizeToRgb } from '../documents/image-codec';
import { classificationScores, ClassificationScores } from '../evaluation/classify-metrics';
import { meanProbabilities, toClassScores, windowProbabilities } from '../heads/sequence-classification';
import { buildWindowBatch, ImageRow } from '../heads/window-batch';
import { toPixelValues } from '../layout';
import { InferencePool } from '../model/inference-pool';
import { BundleManifest, bundleTasks, ModelTask, taskHead } from '../registry/bundle-manifest';
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
  labels?: number[];
  classLabel?: number;
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

/** Tasks whose tuning jobs are scored here (ask: the trainer's ANLS only, for now). */
const SCORED_TASKS: readonly ModelTask[] = ['extract', 'classify'];

/** Why a bundle cannot be scored on `task` windows, or undefined when it can. */
export function unsupportedReason(manifest: BundleManifest, task: ModelTask): string | undefined {
  const tasks = bundleTasks(manifest);
  if (!tasks.includes(task)) return `the bundle serves ${tasks.join(', ')}, not ${task}`;
  if (!SCORED_TASKS.includes(task)) return `scoring ${task} bundles through the service is not implemented`;
  if ((manifest.onnx as { imageEncoderFile?: string }).imageEncoderFile) return 'split image-encoder bundles are not scored here';
  return undefined;
}

/** The windows of a split, `WINDOWS_PER_RUN` at a time, each chunk run through the pool with its page images. */
async function runSplit(
  pool: InferencePool,
  bundle: EvaluatedBundle,
  preparedDir: string,
  windows: readonly PreparedWindow[],
  onChunk: (chunk: readonly PreparedWindow[], outputs: Awaited<ReturnType<InferencePool['run']>>, sequence: number) => void,
): Promise<void> {
  const { manifest } = bundle;
  await pool.load(bundle.modelPath);
  const inputNames = Object.keys(manifest.inputs);
  const imageRows = new Map<string, ImageRow>();
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
    onChunk(chunk, await pool.run(bundle.modelPath, feeds), feeds.input_ids.dims[1]);
  }
}

/**
 * Document classes of a split as /v1/classify decides them (each window's softmax, the mean over a page's windows,
 * the mean over a document's pages), scored with the eval CLI's metrics. Predictions outside the dataset's classes
 * (a base model trained on others) count as wrong and get their own confusion column.
 */
export async function evaluateClassifyBundleOnSplit(pool: InferencePool, bundle: EvaluatedBundle, preparedDir: string, split: string): Promise<ClassificationScores> {
  const reason = unsupportedReason(bundle.manifest, 'classify');
  if (reason) throw new Error(reason);
  const dataset = JSON.parse(await readFile(join(preparedDir, 'dataset.json'), 'utf8')) as { labels: string[] };
  const windows = await readWindows(join(preparedDir, `${split}.jsonl`));
  const { labels, outputs } = taskHead(bundle.manifest, 'classify');
  const pages = new Map<string, { docId: string; gold: number; windows: Float64Array[] }>();
  await runSplit(pool, bundle, preparedDir, windows, (chunk, result) => {
    const rows = windowProbabilities(result[outputs.logits].data as Float32Array, labels.length);
    chunk.forEach((window, i) => {
      const key = `${window.docId}\u0000${window.page}`;
      const page = pages.get(key) ?? { docId: window.docId, gold: window.classLabel ?? 0, windows: [] };
      page.windows.push(rows[i]);
      pages.set(key, page);
    });
  });
  const documents = new Map<string, { gold: number; pages: Float64Array[] }>();
  for (const page of pages.values()) {
    const document = documents.get(page.docId) ?? { gold: page.gold, pages: [] };
    document.pages.push(meanProbabilities(page.windows, labels.length));
    documents.set(page.docId, document);
  }
  const pairs = [...documents.values()].map((document) => [dataset.labels[document.gold], toClassScores(meanProbabilities(document.pages, labels.length), labels).label] as const);
  return classificationScores(pairs, [...dataset.labels, ...labels.filter((label) => !dataset.labels.includes(label))]);
}

export async function evaluateBundleOnSplit(
  pool: InferencePool,
  bundle: EvaluatedBundle,
  preparedDir: string,
  split: string,
): Promise<TokenEvaluation> {
  const { manifest } = bundle;
  const reason = unsupportedReason(manifest, 'extract');
  if (reason) throw new Error(reason);
  const dataset = JSON.parse(await readFile(join(preparedDir, 'dataset.json'), 'utf8')) as { labels: string[] };
  const windows = await readWindows(join(preparedDir, `${split}.jsonl`));
  const { labels, outputs } = taskHead(manifest, 'extract');
  const numLabels = labels.length;
  const scored: ScoredWindow[] = [];
  await runSplit(pool, bundle, preparedDir, windows, (chunk, result, sequence) => {
    const values = result[outputs.logits].data as Float32Array;
    chunk.forEach((window, row) => {
      const predicted = window.inputIds.map((_, position) => {
        const offset = (row * sequence + position) * numLabels;
        let best = 0;
        for (let label = 1; label < numLabels; label++) if (values[offset + label] > values[offset + best]) best = label;
        return labels[best];
      });
      const gold = (window.labels ?? []).map((label) => (label === IGNORED_LABEL ? null : dataset.labels[label]));
      scored.push({ docId: window.docId, page: window.page, tokenStart: window.tokenStart, gold, predicted });
    });
  });
  return evaluateTokenWindows(scored);
}
