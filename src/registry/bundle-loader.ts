import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LayoutTokenizer } from '../layout';
import { InferencePool } from '../model/inference-pool';
import type { LoadedModel } from '../model/inference-worker';
import { BundleManifest, bundleTasks, parseBundleManifest, SPAN_READER_INPUTS, SPAN_READER_OUTPUTS, taskHead } from './bundle-manifest';

/** A bundle that loaded: validated manifest, its tokenizer, and a session the pool could create. */
export interface RegisteredModel {
  id: string;
  manifest: BundleManifest;
  directory: string;
  modelPath: string;
  tokenizer: LayoutTokenizer;
  executionProvider: string;
  /** Why preferred providers did not load ("cuda: …"), when the session fell back; absent otherwise. */
  executionProviderFallback?: string;
  /** Shipped with the service (models/, AETNET_MODELS_DIR): read-only, never deleted through the API. */
  shipped: boolean;
  /** When the bundle was exported (its manifest's modification time), ISO 8601. */
  createdAt: string;
}

export async function readManifest(directory: string): Promise<BundleManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw new Error(`manifest.json unreadable: ${(error as Error).message}`);
  }
  return parseBundleManifest(raw);
}

/** Checks what can be checked without ONNX Runtime: manifest, files, tokenizer special ids. */
export async function checkBundleFiles(directory: string, manifest: BundleManifest): Promise<LayoutTokenizer> {
  await assertFile(join(directory, manifest.onnx.file));
  if (manifest.onnx.imageEncoderFile) await assertFile(join(directory, manifest.onnx.imageEncoderFile));
  for (const reader of spanReaderFiles(manifest)) await assertFile(join(directory, reader));
  await assertFile(join(directory, manifest.tokenizer.file));
  const tokenizer = await LayoutTokenizer.fromFile(join(directory, manifest.tokenizer.file));
  const { clsId, sepId, padId } = manifest.tokenizer;
  if (tokenizer.clsId !== clsId || tokenizer.sepId !== sepId || tokenizer.padId !== padId) {
    throw new Error(
      `manifest special ids (${clsId}/${sepId}/${padId}) differ from the tokenizer's (${tokenizer.clsId}/${tokenizer.sepId}/${tokenizer.padId})`,
    );
  }
  return tokenizer;
}

/** Names that the manifest declares but the graph lacks, or that the graph has but the manifest does not declare. */
function graphMismatch(graph: string, loaded: LoadedModel, inputs: Record<string, unknown>, outputs: Record<string, unknown>): string[] {
  const missing = Object.keys(inputs).filter((name) => !loaded.inputNames.includes(name));
  const undeclared = loaded.inputNames.filter((name) => !(name in inputs));
  const missingOutputs = Object.keys(outputs).filter((name) => !loaded.outputNames.includes(name));
  if (missing.length + undeclared.length + missingOutputs.length === 0) return [];
  return [
    `${graph} and manifest disagree (inputs missing in graph: [${missing}], graph inputs not in manifest: [${undeclared}], outputs missing in graph: [${missingOutputs}])`,
  ];
}

/**
 * Loads a bundle directory: validates it, opens its ONNX session(s) in the pool (labelled by model id, padded
 * with the tokenizer's pad id) and checks each graph against the manifest.
 */
export async function loadBundle(directory: string, shipped: boolean, pool: InferencePool): Promise<RegisteredModel> {
  const manifest = await readManifest(directory);
  const tokenizer = await checkBundleFiles(directory, manifest);
  const modelPath = join(directory, manifest.onnx.file);
  const loaded = await pool.load(modelPath, { label: manifest.id, padId: manifest.tokenizer.padId });
  const problems = graphMismatch(manifest.onnx.file, loaded, manifest.inputs, manifest.outputs);
  for (const task of bundleTasks(manifest)) {
    for (const [role, name] of Object.entries(taskHead(manifest, task).outputs)) {
      if (!loaded.outputNames.includes(name)) problems.push(`the ${task} head's ${role} (tasks.${task}.outputs.${role}) is '${name}', which ${manifest.onnx.file} does not output`);
    }
  }
  if (manifest.onnx.imageEncoderFile) {
    const encoder = await pool.load(join(directory, manifest.onnx.imageEncoderFile), { label: `${manifest.id}:imageEncoder` });
    const declared = manifest.imageEncoder ?? { inputs: { pixel_values: {} }, outputs: { image_embeddings: {} } };
    problems.push(...graphMismatch(manifest.onnx.imageEncoderFile, encoder, declared.inputs, declared.outputs));
  }
  for (const reader of spanReaderFiles(manifest)) {
    const loadedReader = await pool.load(join(directory, reader), { label: `${manifest.id}:${reader}` });
    const names = (list: readonly string[]) => Object.fromEntries(list.map((name) => [name, {}]));
    problems.push(...graphMismatch(reader, loadedReader, names(SPAN_READER_INPUTS), names(SPAN_READER_OUTPUTS)));
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  const createdAt = (await stat(join(directory, 'manifest.json'))).mtime.toISOString();
  const fallback = loaded.providerFailures.length > 0 ? { executionProviderFallback: loaded.providerFailures.join('; ') } : {};
  return { id: manifest.id, manifest, directory, modelPath, tokenizer, executionProvider: loaded.executionProvider, ...fallback, shipped, createdAt };
}

/** The ONNX files of a loaded bundle, as the inference pool keys their sessions. */
export function sessionPaths(model: RegisteredModel): string[] {
  const { imageEncoderFile } = model.manifest.onnx;
  const readers = spanReaderFiles(model.manifest).map((file) => join(model.directory, file));
  return [model.modelPath, ...(imageEncoderFile ? [join(model.directory, imageEncoderFile)] : []), ...readers];
}

/** The ask head's span reader graphs (tasks.ask.keyLookup.reader: its file, and its OCR words' file if any). */
export function spanReaderFiles(manifest: BundleManifest): string[] {
  const reader = manifest.tasks.ask?.keyLookup?.reader;
  return reader ? [reader.file, ...(reader.ocrFile ? [reader.ocrFile] : [])] : [];
}

async function assertFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`${path} is missing`);
}
