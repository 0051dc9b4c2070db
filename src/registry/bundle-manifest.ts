/**
 * manifest.json of a model bundle (docs/model-bundle.md): its type and a pure validator. The registry skips a
 * bundle whose manifest fails here, so every later stage can trust these fields without re-checking.
 */

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

export interface BundleManifest {
  formatVersion: number;
  id: string;
  version: string;
  task: ModelTask;
  labels: string[];
  /** `imageEncoderFile`: split bundle, the image side (`pixel_values` → `image_embeddings`) runs once per page. */
  onnx: { file: string; imageEncoderFile?: string; opset?: number; precision?: string };
  inputs: Partial<Record<ModelInputName, TensorSpec>>;
  outputs: Record<string, TensorSpec>;
  imageEncoder?: { inputs: Record<string, TensorSpec>; outputs: Record<string, TensorSpec> };
  maxLength: number;
  windowStride: number;
  /** ask: longest question in tokens (default 64; at most maxLength − 4 in effect) and longest answer span (default 30). */
  maxQuestionTokens?: number;
  maxAnswerTokens?: number;
  image: { size: number; mean: [number, number, number]; std: [number, number, number]; resample?: string };
  tokenizer: { file: string; cls: string; sep: string; pad: string; clsId: number; sepId: number; padId: number };
  boxes?: string;
  training?: Record<string, unknown>;
  metrics: Record<string, unknown>;
  parity?: Record<string, unknown>;
  licence?: Record<string, unknown>;
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
  check(MODEL_TASKS.includes(raw.task as ModelTask), `task must be one of ${MODEL_TASKS.join(', ')}`);
  problems.push(...(raw.task === 'ask' ? askLabelProblems(raw.labels) : labelProblems(raw.labels, raw.task)));

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
    for (const name of REQUIRED_OUTPUTS[raw.task as ModelTask] ?? []) check(name in raw.outputs, `outputs.${name} is required for ${raw.task}`);
  }

  check(isInt(raw.maxLength, 8, 8192), 'maxLength must be an integer in [8, 8192]');
  const contentLength = isInt(raw.maxLength, 8) ? raw.maxLength - 2 : Number.MAX_SAFE_INTEGER;
  check(isInt(raw.windowStride, 1, contentLength), 'windowStride must be an integer in [1, maxLength - 2]');
  check(raw.maxQuestionTokens === undefined || isInt(raw.maxQuestionTokens, 1), 'maxQuestionTokens must be a positive integer');
  check(raw.maxAnswerTokens === undefined || isInt(raw.maxAnswerTokens, 1), 'maxAnswerTokens must be a positive integer');

  problems.push(...imageProblems(raw.image));
  problems.push(...tokenizerProblems(raw.tokenizer));
  check(raw.metrics === undefined || isObject(raw.metrics), 'metrics must be an object');

  if (problems.length > 0) throw new ManifestError(problems);
  return { ...(raw as unknown as BundleManifest), metrics: (raw.metrics as Json | undefined) ?? {} };
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
