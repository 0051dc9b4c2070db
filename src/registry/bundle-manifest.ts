/**
 * manifest.json of a model bundle (docs/model-bundle.md): its type and a pure validator. The registry skips a
 * bundle whose manifest fails here, so every later stage can trust these fields without re-checking.
 */

import { PAIR_GEOMETRY_FEATURES, PairGeometry } from '../heads/key-value-pairs';
import { DEFAULT_MAX_QUESTION_TOKENS } from '../layout/question-encoder';

export const BUNDLE_FORMAT_VERSION = 1;
export const MODEL_TASKS = ['extract', 'classify', 'ask'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** Graph inputs the service knows how to build; a bundle declares the subset its graph takes. */
export const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'bbox', 'pixel_values', 'image_embeddings'] as const;
export type ModelInputName = (typeof KNOWN_INPUTS)[number];

export interface TensorSpec {
  dtype: string;
  shape: Array<string | number>;
}

/**
 * What a bundle serves for one task: the head's labels (none for ask), which graph output holds each of the
 * task's results (`logits`; `start_logits` and `end_logits` for ask), and for ask the question/answer limits.
 */
export interface TaskHead {
  labels: string[];
  /** Empty for a head the service computes from other outputs (classify `linear`, ask `keyLookup`). */
  outputs: Record<string, string>;
  /** classify: a linear head over pooled per-token graph outputs, computed by the service (no logits output). */
  linear?: LinearHead;
  /** ask: answers are the values the key-value head pairs with the key the question names (no span output). */
  keyLookup?: KeyLookupHead;
  /** ask: longest question in tokens (default 64; at most maxLength − 4 in effect) and longest answer span (default 30). */
  maxQuestionTokens?: number;
  maxAnswerTokens?: number;
}

/**
 * A manifest declares either one task (`task`, `labels`, the outputs named as the task's results) or several
 * heads on one graph (`tasks`: per task its labels and output names); both parse into `tasks`.
 */
export interface BundleManifest {
  formatVersion: number;
  id: string;
  version: string;
  tasks: Partial<Record<ModelTask, TaskHead>>;
  /** `imageEncoderFile`: split bundle, the image side (`pixel_values` → `image_embeddings`) runs once per page. */
  onnx: { file: string; imageEncoderFile?: string; opset?: number; precision?: string };
  inputs: Partial<Record<ModelInputName, TensorSpec>>;
  outputs: Record<string, TensorSpec>;
  imageEncoder?: { inputs: Record<string, TensorSpec>; outputs: Record<string, TensorSpec> };
  /** extract bundles with the key-value head: its per-token key and value outputs (docs/model-bundle.md). */
  pairs?: PairsHead;
  maxLength: number;
  windowStride: number;
  image: { size: number; mean: [number, number, number]; std: [number, number, number]; resample?: string };
  tokenizer: { file: string; cls: string; sep: string; pad: string; clsId: number; sepId: number; padId: number };
  boxes?: string;
  training?: Record<string, unknown>;
  metrics: Record<string, unknown>;
  parity?: Record<string, unknown>;
  licence?: Record<string, unknown>;
}

/**
 * A classification head in the manifest: the mean of each `from` output (rank 3, per token) over a window's word
 * tokens, concatenated, times `weight` ([label][feature] rows) plus `bias` gives the window's logits.
 */
export interface LinearHead {
  from: string[];
  pooling: typeof LINEAR_POOLING;
  weight: number[][];
  bias: number[];
}

export const LINEAR_POOLING = 'mean-word-tokens';

/** Ask by key lookup: the bundle's extraction and key-value heads answer; `minKeySimilarity` is the least match of
 * the question to a key (0–1) that still counts as naming it. */
export interface KeyLookupHead {
  minKeySimilarity: number;
  /** The span head that reads a located key's answer (heads/span-reader.ts); absent: the key-value head's pair. */
  reader?: SpanReaderHead;
}

/** A small graph of its own over the backbone's per-token outputs `from` (trainer aetnet_trainer.ask_reader). */
export interface SpanReaderHead {
  file: string;
  /** The reader for pages whose words our OCR read (trained on OCR words, whose segments are lines); absent: `file`. */
  ocrFile?: string;
  from: string[];
  maxAnswerWords: number;
}

/** The span reader graph's inputs and outputs (trainer ask_reader.INPUTS / OUTPUTS). */
export const SPAN_READER_INPUTS = ['word_features', 'word_boxes', 'segment_boxes', 'key_mask', 'word_mask'];
export const SPAN_READER_OUTPUTS = ['start_logits', 'end_logits', 'none_logits'];

/** The key-value head: which graph outputs hold the per-token keys and values, their width, and the labels it pairs. */
export interface PairsHead {
  keys: string;
  values: string;
  dim: number;
  keyLabel: string;
  valueLabel: string;
  /** The geometry MLP over each pair's boxes, added to the semantic score (absent: semantic only). */
  geometry?: PairGeometry;
}

export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid manifest: ${problems.join('; ')}`);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
/** Ids become URL parts and file names, so keep them to a safe alphabet. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Bundle-relative file name: no directories, so a manifest cannot point outside its bundle. */
const isPlainFileName = (value: unknown): value is string =>
  typeof value === 'string' && SAFE_ID.test(value) && !value.includes('..');

/** An array of `length` finite numbers (a weight row, a bias). */
const finiteRow = (row: unknown, length: number): boolean =>
  Array.isArray(row) && row.length === length && row.every((value) => typeof value === 'number' && Number.isFinite(value));

/** Validates parsed manifest.json; returns it typed or throws ManifestError listing every problem found. */
export function parseBundleManifest(raw: unknown): BundleManifest {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  if (!isObject(raw)) throw new ManifestError(['manifest must be a JSON object']);

  check(raw.formatVersion === BUNDLE_FORMAT_VERSION, `formatVersion must be ${BUNDLE_FORMAT_VERSION}`);
  check(typeof raw.id === 'string' && SAFE_ID.test(raw.id), 'id must match [A-Za-z0-9][A-Za-z0-9._-]*');
  check(isNonEmptyString(raw.version), 'version must be a non-empty string');
  const tasks = taskHeads(raw, problems);

  const onnx = raw.onnx;
  check(isObject(onnx) && isPlainFileName(onnx.file), 'onnx.file must be a file name inside the bundle');
  const split = isObject(onnx) && onnx.imageEncoderFile !== undefined;
  if (split) {
    check(isPlainFileName(onnx.imageEncoderFile) && onnx.imageEncoderFile !== onnx.file, 'onnx.imageEncoderFile must be another file name inside the bundle');
  }

  problems.push(...tensorSpecProblems(raw.inputs, 'inputs'));
  if (isObject(raw.inputs)) {
    for (const name of Object.keys(raw.inputs)) {
      check(KNOWN_INPUTS.includes(name as ModelInputName), `inputs.${name} is not one the service can build`);
    }
    check('input_ids' in raw.inputs, 'inputs.input_ids is required');
    if (split) check(!('pixel_values' in raw.inputs), 'a split bundle takes image_embeddings, not pixel_values');
    else check(!('image_embeddings' in raw.inputs), 'inputs.image_embeddings needs onnx.imageEncoderFile');
  }
  if (raw.imageEncoder !== undefined) {
    const encoder = raw.imageEncoder;
    if (!isObject(encoder)) problems.push('imageEncoder must be an object');
    else problems.push(...tensorSpecProblems(encoder.inputs, 'imageEncoder.inputs'), ...tensorSpecProblems(encoder.outputs, 'imageEncoder.outputs'));
  }
  problems.push(...tensorSpecProblems(raw.outputs, 'outputs'));
  if (isObject(raw.outputs)) {
    for (const [task, head] of Object.entries(tasks) as Array<[ModelTask, TaskHead]>) {
      for (const [role, name] of Object.entries(head.outputs)) {
        const field = raw.tasks === undefined ? `outputs.${name}` : `tasks.${task}.outputs.${role}`;
        if (!(name in raw.outputs)) problems.push(raw.tasks === undefined ? `${field} is required for ${task}` : `${field} names '${name}', which outputs does not declare`);
      }
    }
  }

  if (raw.pairs !== undefined) problems.push(...pairsProblems(raw.pairs, raw.outputs, tasks));

  check(isInt(raw.maxLength, 8, 8192), 'maxLength must be an integer in [8, 8192]');
  const contentLength = isInt(raw.maxLength, 8) ? raw.maxLength - 2 : Number.MAX_SAFE_INTEGER;
  check(isInt(raw.windowStride, 1, contentLength), 'windowStride must be an integer in [1, maxLength - 2]');

  problems.push(...imageProblems(raw.image));
  problems.push(...tokenizerProblems(raw.tokenizer));
  check(raw.metrics === undefined || isObject(raw.metrics), 'metrics must be an object');

  if (problems.length > 0) throw new ManifestError(problems);
  const { task: _task, labels: _labels, maxQuestionTokens: _q, maxAnswerTokens: _a, ...rest } = raw;
  return { ...(rest as unknown as BundleManifest), tasks, metrics: (raw.metrics as Json | undefined) ?? {} };
}

function pairsProblems(pairs: unknown, outputs: unknown, tasks: Partial<Record<ModelTask, TaskHead>>): string[] {
  if (!isObject(pairs)) return ['pairs must be an object'];
  const problems: string[] = [];
  if (!tasks.extract) problems.push('pairs needs the extract task');
  for (const role of ['keys', 'values'] as const) {
    if (!isNonEmptyString(pairs[role])) problems.push(`pairs.${role} must name a graph output`);
    else if (isObject(outputs) && !(pairs[role] in outputs)) problems.push(`pairs.${role} names '${pairs[role]}', which outputs does not declare`);
  }
  if (!isInt(pairs.dim, 1, 4096)) problems.push('pairs.dim must be an integer in [1, 4096]');
  for (const role of ['keyLabel', 'valueLabel'] as const) if (!isNonEmptyString(pairs[role])) problems.push(`pairs.${role} must be an entity label`);
  if (pairs.geometry !== undefined) problems.push(...geometryProblems(pairs.geometry));
  return problems;
}

/** pairs.geometry: the features this service computes, in its order, then Linear layers whose shapes chain to one score. */
function geometryProblems(geometry: unknown): string[] {
  if (!isObject(geometry)) return ['pairs.geometry must be an object'];
  const { features, activation, layers } = geometry;
  if (!Array.isArray(features) || features.join() !== PAIR_GEOMETRY_FEATURES.join()) {
    return [`pairs.geometry.features must be [${PAIR_GEOMETRY_FEATURES.join(', ')}] (the features this service computes)`];
  }
  if (activation !== 'relu') return ['pairs.geometry.activation must be relu'];
  if (!Array.isArray(layers) || layers.length === 0) return ['pairs.geometry.layers must be a non-empty array'];
  let inputs = features.length;
  for (const [index, layer] of layers.entries()) {
    const where = `pairs.geometry.layers[${index}]`;
    const rows = isObject(layer) && Array.isArray(layer.weight) ? layer.weight : undefined;
    if (!rows || rows.length === 0 || !rows.every((row) => finiteRow(row, inputs))) return [`${where}.weight must be rows of ${inputs} finite numbers`];
    if (!finiteRow((layer as Record<string, unknown>).bias, rows.length)) return [`${where}.bias must be ${rows.length} finite numbers`];
    inputs = rows.length;
  }
  return inputs === 1 ? [] : [`pairs.geometry's last layer must give 1 score, not ${inputs}`];
}

/** The tasks a bundle serves, in the order of MODEL_TASKS. */
export function bundleTasks(manifest: Pick<BundleManifest, 'tasks'>): ModelTask[] {
  return MODEL_TASKS.filter((task) => manifest.tasks[task] !== undefined);
}

/** The head serving `task`; callers check bundleTasks first (the registry resolves only bundles serving it). */
export function taskHead(manifest: Pick<BundleManifest, 'id' | 'tasks'>, task: ModelTask): TaskHead {
  const head = manifest.tasks[task];
  if (!head) throw new Error(`bundle ${manifest.id} does not serve ${task}`);
  return head;
}

/** The longest question an ask head takes: its maxQuestionTokens, within what a window holds beside [CLS], [SEP],
 * [SEP] and one context token. Serving, evaluation and the benchmark all cut questions to this. */
export function askQuestionLimit(manifest: Pick<BundleManifest, 'id' | 'tasks' | 'maxLength'>): number {
  return Math.min(taskHead(manifest, 'ask').maxQuestionTokens ?? DEFAULT_MAX_QUESTION_TOKENS, manifest.maxLength - 4);
}

/** `task` + `labels` (one task, outputs named by their role) or `tasks` (several heads): the heads, checked. */
function taskHeads(raw: Json, problems: string[]): Partial<Record<ModelTask, TaskHead>> {
  if (raw.tasks !== undefined && (raw.task !== undefined || raw.labels !== undefined)) {
    problems.push('a manifest declares either task and labels or tasks, not both');
    return {};
  }
  if (raw.tasks === undefined) {
    if (!MODEL_TASKS.includes(raw.task as ModelTask)) {
      problems.push(`task must be one of ${MODEL_TASKS.join(', ')}`);
      return {};
    }
    const task = raw.task as ModelTask;
    const head = { labels: raw.labels, outputs: Object.fromEntries(REQUIRED_OUTPUTS[task].map((name) => [name, name])), maxQuestionTokens: raw.maxQuestionTokens, maxAnswerTokens: raw.maxAnswerTokens };
    problems.push(...headProblems(task, head, ''));
    return { [task]: withoutUndefined(head) as unknown as TaskHead };
  }
  if (!isObject(raw.tasks) || Object.keys(raw.tasks).length === 0) {
    problems.push('tasks must be an object with at least one task');
    return {};
  }
  const heads: Partial<Record<ModelTask, TaskHead>> = {};
  for (const [task, head] of Object.entries(raw.tasks)) {
    if (!MODEL_TASKS.includes(task as ModelTask)) {
      problems.push(`tasks.${task} is not a task (expected ${MODEL_TASKS.join(', ')})`);
      continue;
    }
    if (!isObject(head)) {
      problems.push(`tasks.${task} must be an object`);
      continue;
    }
    const computed = (task === 'classify' && head.linear !== undefined) || (task === 'ask' && head.keyLookup !== undefined);
    const candidate = { ...head, labels: head.labels ?? (task === 'ask' ? [] : undefined), outputs: head.outputs ?? (computed ? {} : undefined) };
    const roles = computed ? computedHeadProblems(task as ModelTask, head, raw) : outputRoleProblems(task as ModelTask, head.outputs);
    problems.push(...headProblems(task as ModelTask, candidate, `tasks.${task}.`), ...roles);
    // Kept with label problems too, so its output names are checked as well (the manifest is refused anyway).
    if (roles.length === 0) heads[task as ModelTask] = withoutUndefined(candidate) as unknown as TaskHead;
  }
  return heads;
}

function withoutUndefined(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function headProblems(task: ModelTask, head: Json, prefix: string): string[] {
  const problems = (task === 'ask' ? askLabelProblems(head.labels) : labelProblems(head.labels, task)).map((problem) => `${prefix}${problem}`);
  if (head.maxQuestionTokens !== undefined && !isInt(head.maxQuestionTokens, 1)) problems.push(`${prefix}maxQuestionTokens must be a positive integer`);
  if (head.maxAnswerTokens !== undefined && !isInt(head.maxAnswerTokens, 1)) problems.push(`${prefix}maxAnswerTokens must be a positive integer`);
  return problems;
}

/** A head the service computes: classify `linear` over declared per-token outputs, ask `keyLookup` on the key-value head. */
function computedHeadProblems(task: ModelTask, head: Json, raw: Json): string[] {
  if (task === 'ask') {
    const lookup = head.keyLookup;
    const problems: string[] = [];
    if (!isObject(lookup) || typeof lookup.minKeySimilarity !== 'number' || !(lookup.minKeySimilarity >= 0 && lookup.minKeySimilarity <= 1)) {
      problems.push('tasks.ask.keyLookup.minKeySimilarity must be a number in [0, 1]');
    }
    if (!isObject(raw.tasks) || raw.tasks.extract === undefined || raw.pairs === undefined) problems.push('tasks.ask.keyLookup needs the extract task and its key-value head (pairs)');
    if (isObject(lookup) && lookup.reader !== undefined) problems.push(...readerProblems(lookup.reader, raw));
    return problems;
  }
  return linearProblems(head.linear, Array.isArray(head.labels) ? head.labels.length : 0, raw.outputs);
}

function readerProblems(reader: unknown, raw: Json): string[] {
  const where = 'tasks.ask.keyLookup.reader';
  if (!isObject(reader)) return [`${where} must be an object`];
  const problems: string[] = [];
  const onnx = isObject(raw.onnx) ? raw.onnx : {};
  const taken = [onnx.file, onnx.imageEncoderFile];
  if (!isPlainFileName(reader.file) || taken.includes(reader.file)) problems.push(`${where}.file must be another file name inside the bundle`);
  if (reader.ocrFile !== undefined && (!isPlainFileName(reader.ocrFile) || [...taken, reader.file].includes(reader.ocrFile))) {
    problems.push(`${where}.ocrFile must be another file name inside the bundle`);
  }
  const width = perTokenWidth(reader.from, raw.outputs, where);
  if (typeof width === 'string') problems.push(width);
  if (!isInt(reader.maxAnswerWords, 1)) problems.push(`${where}.maxAnswerWords must be a positive integer`);
  return problems;
}

/** The summed width of the per-token outputs `from` names, or the problem with it. */
function perTokenWidth(from: unknown, outputs: unknown, where: string): number | string {
  if (!Array.isArray(from) || from.length === 0 || !from.every(isNonEmptyString)) return `${where}.from must name graph outputs`;
  let width = 0;
  for (const name of from) {
    const spec = isObject(outputs) ? outputs[name] : undefined;
    const shape = isObject(spec) && Array.isArray(spec.shape) ? spec.shape : undefined;
    if (!shape) return `${where}.from names '${name}', which outputs does not declare`;
    const last = shape[shape.length - 1];
    if (shape.length !== 3 || !isInt(last, 1)) return `${where}.from: '${name}' must be a per-token output [batch, sequence, n] with n a number`;
    width += last;
  }
  return width;
}

function linearProblems(linear: unknown, labels: number, outputs: unknown): string[] {
  const where = 'tasks.classify.linear';
  if (!isObject(linear)) return [`${where} must be an object`];
  if (linear.pooling !== LINEAR_POOLING) return [`${where}.pooling must be ${LINEAR_POOLING}`];
  const width = perTokenWidth(linear.from, outputs, where);
  if (typeof width === 'string') return [width];
  if (!Array.isArray(linear.weight) || linear.weight.length !== labels || !linear.weight.every((row) => finiteRow(row, width))) {
    return [`${where}.weight must be ${labels} rows (one per label) of ${width} finite numbers`];
  }
  return finiteRow(linear.bias, labels) ? [] : [`${where}.bias must be ${labels} finite numbers`];
}

/** A head's `outputs` maps each of the task's results to a graph output name. */
function outputRoleProblems(task: ModelTask, outputs: unknown): string[] {
  if (!isObject(outputs)) return [`tasks.${task}.outputs must map ${REQUIRED_OUTPUTS[task].join(', ')} to graph output names`];
  return REQUIRED_OUTPUTS[task].filter((role) => !isNonEmptyString(outputs[role])).map((role) => `tasks.${task}.outputs.${role} must name a graph output`);
}

const REQUIRED_OUTPUTS: Record<ModelTask, string[]> = {
  extract: ['logits'],
  classify: ['logits'],
  ask: ['start_logits', 'end_logits'],
};

/** An ask model predicts spans, not labels: its label list is empty. */
function askLabelProblems(labels: unknown): string[] {
  return Array.isArray(labels) && labels.length === 0 ? [] : ['labels must be [] for ask'];
}

function labelProblems(labels: unknown, task: unknown): string[] {
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every(isNonEmptyString)) {
    return ['labels must be a non-empty array of strings'];
  }
  const problems: string[] = [];
  if (new Set(labels).size !== labels.length) problems.push('labels must be unique');
  if (task === 'extract') {
    const notBio = labels.filter((label) => label !== 'O' && !/^[BI]-.+/.test(label));
    if (notBio.length > 0) problems.push(`extract labels must be O, B-X or I-X (got ${notBio.join(', ')})`);
  }
  return problems;
}

function tensorSpecProblems(specs: unknown, field: string): string[] {
  if (!isObject(specs) || Object.keys(specs).length === 0) return [`${field} must be a non-empty object`];
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const valid =
      isObject(spec) &&
      isNonEmptyString(spec.dtype) &&
      Array.isArray(spec.shape) &&
      spec.shape.every((dim) => isNonEmptyString(dim) || isInt(dim, 1));
    if (!valid) problems.push(`${field}.${name} must be {dtype, shape: (string | positive int)[]}`);
  }
  return problems;
}

function imageProblems(image: unknown): string[] {
  if (!isObject(image)) return ['image must be an object'];
  const problems: string[] = [];
  if (!isInt(image.size, 16, 4096)) problems.push('image.size must be an integer in [16, 4096]');
  const triple = (value: unknown, positive: boolean) =>
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
  if (!triple(image.mean, false)) problems.push('image.mean must be 3 finite numbers');
  if (!triple(image.std, true)) problems.push('image.std must be 3 positive numbers');
  return problems;
}

function tokenizerProblems(tokenizer: unknown): string[] {
  if (!isObject(tokenizer)) return ['tokenizer must be an object'];
  const problems: string[] = [];
  if (!isPlainFileName(tokenizer.file)) problems.push('tokenizer.file must be a file name inside the bundle');
  for (const key of ['cls', 'sep', 'pad'] as const) {
    if (!isNonEmptyString(tokenizer[key])) problems.push(`tokenizer.${key} must be a non-empty string`);
  }
  for (const key of ['clsId', 'sepId', 'padId'] as const) {
    if (!isInt(tokenizer[key], 0)) problems.push(`tokenizer.${key} must be a non-negative integer`);
  }
  return problems;
}
