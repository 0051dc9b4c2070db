import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_PPOCR_DETECT_LONG_SIDE, OCR_ENGINES, OcrEngineName, PPOCR_MODELS, PpocrModel, TESSERACT_DATA, TesseractData } from '../ocr/ocr-engine';
import { DEFAULT_OCR_UPSCALE_TO_LONG_SIDE } from '../ocr/ocr-words';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
/** The install scripts' cache folder (AETNET_CACHE), for downloaded models. */
const DEFAULT_CACHE_DIR = join(homedir(), '.cache', 'aetnet');

const toBoolean = ({ value }: { value: unknown }) => (typeof value === 'string' ? !['0', 'false', 'no', 'off'].includes(value.trim().toLowerCase()) : value);
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

/** Environment-derived configuration. Read once at boot (loadAppConfig), validated, frozen, injected. */
export class AppConfig {
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  port = 3000;

  @IsString()
  host = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  logLevel = 'log';

  /** Bundles shipped with the service. */
  @IsString()
  modelsDir = resolve(__dirname, '..', '..', '..', 'models');

  /** Extra read-only bundle directory (AETNET_MODELS_DIR); tuned models are published under dataDir/registry. */
  @IsOptional() @IsString()
  extraModelsDir?: string;

  /** Execution providers in preference order; the first that loads wins ("cuda,cpu"). */
  @Transform(toList) @IsArray() @IsIn(['cuda', 'cpu'], { each: true })
  executionProviders: string[] = ['cpu'];

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  ocrWorkers = Math.max(1, availableParallelism());

  /**
   * OCR engine for pages without a text layer or client words. PP-OCR by measurement: FUNSD test word text F1
   * 79.8 vs 55.9, OCR entity F1 with the shipped model far higher, and faster here (docs/ocr.md, README).
   */
  @IsIn(OCR_ENGINES)
  ocrEngine: OcrEngineName = 'ppocr';

  /** PP-OCR model files: AETNET_PPOCR_DIR, else <AETNET_CACHE>/ppocr-v6, where scripts/fetch-ppocr.sh puts them. */
  @IsString()
  ppocrDir = join(DEFAULT_CACHE_DIR, 'ppocr-v6');

  /** PP-OCRv6 sizes of the text detector and of the recogniser: small (more accurate) or tiny (faster). */
  @IsIn(PPOCR_MODELS)
  ppocrDetector: PpocrModel = 'small';

  @IsIn(PPOCR_MODELS)
  ppocrRecognizer: PpocrModel = 'small';

  /** Long side of the PP-OCR detector's input in pixels (pages are resized to it; ~1.5× a 100 dpi letter page). */
  @Transform(toInt) @IsInt() @Min(320) @Max(4096)
  ppocrDetectLongSide = DEFAULT_PPOCR_DETECT_LONG_SIDE;

  /** Intra-op threads of each PP-OCR session; each of the ocrWorkers engines has two sessions. */
  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  ppocrThreads = 2;

  /** Idle PP-OCR threads spin (ORT's default) instead of sleeping; spinning engines starve each other and the model. */
  @Transform(toBoolean) @IsBoolean()
  ppocrSpinning = false;

  /** PP-OCR decodes only Latin characters (English pages); 0 lets it read its whole (mostly CJK) vocabulary. */
  @Transform(toBoolean) @IsBoolean()
  ppocrLatinOnly = true;

  /** tesseract's English data: the int-quantised LSTM "best" model or the standard one (both in node_modules). */
  @IsIn(TESSERACT_DATA)
  tesseractData: TesseractData = '4.0.0_best_int';

  /** tesseract's page segmentation mode: 3 automatic, 4 one column, 6 one block, 11 sparse text, 12 sparse + OSD. */
  @Transform(toInt) @IsInt() @Min(0) @Max(13)
  tesseractPageSegMode = 3;

  /** tesseract reads pages grey with their contrast stretched. */
  @Transform(toBoolean) @IsBoolean()
  tesseractNormalise = false;

  /** OCR of one page that takes longer fails with 422 OCR_TIMEOUT and the engine is replaced. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3_600_000)
  ocrPageTimeoutMs = 60_000;

  /** tesseract: pages whose long side is shorter are enlarged (at most 2×) to this many pixels first; 0 = never. */
  @Transform(toInt) @IsInt() @Min(0) @Max(10000)
  ocrUpscaleToLongSide = DEFAULT_OCR_UPSCALE_TO_LONG_SIDE;

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  inferenceWorkers = 1;

  /** Intra-op threads of each ONNX Runtime session (0 = ORT default). */
  @Transform(toInt) @IsInt() @Min(0) @Max(256)
  inferenceThreads = 0;

  /** Pending jobs per queue (OCR pages; inference rows, i.e. windows) before requests get 503 + Retry-After. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  queueLimit = 64;

  /** Dynamic batching: a batch of concurrent inference requests is sent once it holds this many rows (windows)… */
  @Transform(toInt) @IsInt() @Min(1) @Max(1024)
  batchMaxSize = 8;

  /** …or this many ms after its first request arrived; 0 turns batching off (one request per forward pass). */
  @Transform(toInt) @IsInt() @Min(0) @Max(10000)
  batchMaxWaitMs = 5;

  /** Longest an inference request may wait for a worker (and a batch may run) before it fails with 503. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3_600_000)
  queueTimeoutMs = 60_000;

  /** Decompression-bomb guard: max pixels of one decoded page. */
  @Transform(toInt) @IsInt() @Min(1)
  maxPixels = 40_000_000;

  @Transform(toInt) @IsInt() @Min(1)
  maxUploadBytes = 50 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  maxPages = 50;

  /** Resolution PDF pages are rendered at (for the model image, and for OCR of scanned pages). */
  @Transform(toInt) @IsInt() @Min(36) @Max(600)
  pdfDpi = 144;

  /** A PDF page that takes longer to render is refused (422), never a hang. */
  @Transform(toInt) @IsInt() @Min(100)
  pdfPageTimeoutMs = 20_000;

  /** Max client-supplied words per page. */
  @Transform(toInt) @IsInt() @Min(1)
  maxWordsPerPage = 5000;

  /** POST /v1/ask: best answers under this confidence (0–1) are reported as "no answer"; requests may override. */
  @Transform(toInt) @Min(0) @Max(1)
  askMinConfidence = 0.1;

  /** POST /v1/ask: questions per request. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  askMaxQuestions = 32;

  /** Per-page reuse cache (decoded pages, words, image-side model output), keyed by document content hash; 0 entries disables it. */
  @Transform(toInt) @IsInt() @Min(0)
  pageCacheMaxEntries = 256;

  @Transform(toInt) @IsInt() @Min(0)
  pageCacheMaxBytes = 512 * 1024 * 1024;

  /** Bearer key of the admin API (AETNET_ADMIN_KEY); unset, every admin endpoint answers 503 ADMIN_DISABLED. */
  @IsOptional() @IsString()
  adminKey?: string;

  /** Keys accepted by the inference endpoints (comma list); empty = open. The admin key is always accepted. */
  @Transform(toList) @IsArray() @IsString({ each: true })
  apiKeys: string[] = [];

  /** Durable state: datasets/, jobs/, registry/ (JSON records written atomically). */
  @IsString()
  dataDir = resolve(__dirname, '..', '..', '..', 'var');

  /** Largest dataset zip accepted by POST /admin/datasets. */
  @Transform(toInt) @IsInt() @Min(1)
  datasetMaxBytes = 200 * 1024 * 1024;

  /** Zip-bomb guards: entries, total uncompressed bytes, per-entry uncompressed/compressed ratio. */
  @Transform(toInt) @IsInt() @Min(1)
  datasetMaxEntries = 20_000;

  @Transform(toInt) @IsInt() @Min(1)
  datasetMaxUncompressedBytes = 2 * 1024 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(1)
  datasetMaxCompressionRatio = 100;

  /** How often a replica checks <dataDir>/registry for activations and bundles published by another replica. */
  @Transform(toInt) @IsInt() @Min(50) @Max(3_600_000)
  registryPollMs = 2000;

  /** Python of the trainer's environment; tuning jobs run `<pythonPath> -m aetnet_trainer.*`. */
  @IsString()
  pythonPath = resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'python');

  /** The trainer package (its src/ goes on PYTHONPATH). */
  @IsString()
  trainerDir = resolve(__dirname, '..', '..', '..', 'trainer');

  /** Tuning jobs this process runs at once; the rest wait queued. 0: this replica only enqueues (BullMQ mode). */
  @Transform(toInt) @IsInt() @Min(0) @Max(64)
  maxConcurrentJobs = 1;

  /** A tuning job whose estimated training time is longer is refused (400 ESTIMATE_OVER_LIMIT); 0: no limit. */
  @Transform(toInt) @IsInt() @Min(0)
  tuningMaxSeconds = 86_400;

  /** With a Redis URL, tuning jobs go through a BullMQ queue shared by every replica and worker host. */
  @IsOptional() @IsString()
  redisUrl?: string;

  @IsString()
  jobQueueName = 'aetnet-tuning';

  /** The built Studio web page (`npm run build` writes it; GET /studio serves it). */
  @IsString()
  studioDir = resolve(__dirname, '..', '..', '..', 'dist', 'studio-web');
}

const ENV_KEYS: Record<string, keyof AppConfig> = {
  PORT: 'port',
  HOST: 'host',
  LOG_LEVEL: 'logLevel',
  AETNET_SHIPPED_MODELS_DIR: 'modelsDir',
  AETNET_MODELS_DIR: 'extraModelsDir',
  AETNET_EXECUTION_PROVIDERS: 'executionProviders',
  AETNET_OCR_WORKERS: 'ocrWorkers',
  AETNET_OCR_UPSCALE_TO: 'ocrUpscaleToLongSide',
  AETNET_OCR_ENGINE: 'ocrEngine',
  AETNET_OCR_PAGE_TIMEOUT_MS: 'ocrPageTimeoutMs',
  AETNET_TESSERACT_DATA: 'tesseractData',
  AETNET_TESSERACT_PSM: 'tesseractPageSegMode',
  AETNET_TESSERACT_NORMALISE: 'tesseractNormalise',
  AETNET_PPOCR_DIR: 'ppocrDir',
  AETNET_PPOCR_DETECTOR: 'ppocrDetector',
  AETNET_PPOCR_RECOGNIZER: 'ppocrRecognizer',
  AETNET_PPOCR_DETECT_LONG_SIDE: 'ppocrDetectLongSide',
  AETNET_PPOCR_THREADS: 'ppocrThreads',
  AETNET_PPOCR_LATIN_ONLY: 'ppocrLatinOnly',
  AETNET_PPOCR_SPINNING: 'ppocrSpinning',
  AETNET_INFERENCE_WORKERS: 'inferenceWorkers',
  AETNET_INFERENCE_THREADS: 'inferenceThreads',
  AETNET_QUEUE_LIMIT: 'queueLimit',
  AETNET_BATCH_MAX_SIZE: 'batchMaxSize',
  AETNET_BATCH_MAX_WAIT_MS: 'batchMaxWaitMs',
  AETNET_QUEUE_TIMEOUT_MS: 'queueTimeoutMs',
  AETNET_MAX_PIXELS: 'maxPixels',
  AETNET_MAX_UPLOAD_BYTES: 'maxUploadBytes',
  AETNET_MAX_PAGES: 'maxPages',
  AETNET_PDF_DPI: 'pdfDpi',
  AETNET_PDF_PAGE_TIMEOUT_MS: 'pdfPageTimeoutMs',
  AETNET_MAX_WORDS_PER_PAGE: 'maxWordsPerPage',
  AETNET_ASK_MIN_CONFIDENCE: 'askMinConfidence',
  AETNET_ASK_MAX_QUESTIONS: 'askMaxQuestions',
  AETNET_PAGE_CACHE_MAX_ENTRIES: 'pageCacheMaxEntries',
  AETNET_PAGE_CACHE_MAX_BYTES: 'pageCacheMaxBytes',
  AETNET_ADMIN_KEY: 'adminKey',
  AETNET_API_KEYS: 'apiKeys',
  AETNET_DATA_DIR: 'dataDir',
  AETNET_DATASET_MAX_BYTES: 'datasetMaxBytes',
  AETNET_DATASET_MAX_ENTRIES: 'datasetMaxEntries',
  AETNET_DATASET_MAX_UNCOMPRESSED_BYTES: 'datasetMaxUncompressedBytes',
  AETNET_DATASET_MAX_COMPRESSION_RATIO: 'datasetMaxCompressionRatio',
  AETNET_REGISTRY_POLL_MS: 'registryPollMs',
  AETNET_PYTHON: 'pythonPath',
  AETNET_TRAINER_DIR: 'trainerDir',
  AETNET_MAX_CONCURRENT_JOBS: 'maxConcurrentJobs',
  AETNET_TUNING_MAX_SECONDS: 'tuningMaxSeconds',
  REDIS_URL: 'redisUrl',
  AETNET_JOB_QUEUE: 'jobQueueName',
  AETNET_STUDIO_DIR: 'studioDir',
};

export class ConfigError extends Error {}

/** Builds the config from an env map (process.env in main.ts; a literal in tests). Throws on invalid values. */
export function loadAppConfig(env: Record<string, string | undefined>): Readonly<AppConfig> {
  const plain: Record<string, unknown> = {};
  for (const [envKey, field] of Object.entries(ENV_KEYS)) {
    if (env[envKey] !== undefined && env[envKey] !== '') plain[field] = env[envKey];
  }
  if (plain.ppocrDir === undefined && env.AETNET_CACHE) plain.ppocrDir = join(env.AETNET_CACHE, 'ppocr-v6');
  const config = plainToInstance(AppConfig, plain, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const reasons = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new ConfigError(`Invalid configuration: ${reasons.join('; ')}`);
  }
  return Object.freeze(config);
}
