import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
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

  /** Extra bundle directory (AETNET_MODELS_DIR); tuned models are published here. */
  @IsOptional() @IsString()
  extraModelsDir?: string;

  /** Execution providers in preference order; the first that loads wins ("cuda,cpu"). */
  @Transform(toList) @IsArray() @IsIn(['cuda', 'cpu'], { each: true })
  executionProviders: string[] = ['cpu'];

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  ocrWorkers = Math.max(1, availableParallelism());

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  inferenceWorkers = 1;

  /** Intra-op threads of each ONNX Runtime session (0 = ORT default). */
  @Transform(toInt) @IsInt() @Min(0) @Max(256)
  inferenceThreads = 0;

  /** Pending jobs per queue (OCR, inference) before requests get 503 + Retry-After. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  queueLimit = 64;

  /** Decompression-bomb guard: max pixels of one decoded page. */
  @Transform(toInt) @IsInt() @Min(1)
  maxPixels = 40_000_000;

  @Transform(toInt) @IsInt() @Min(1)
  maxUploadBytes = 50 * 1024 * 1024;

  @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  maxPages = 50;

  /** Max client-supplied words per page. */
  @Transform(toInt) @IsInt() @Min(1)
  maxWordsPerPage = 5000;
}

const ENV_KEYS: Record<string, keyof AppConfig> = {
  PORT: 'port',
  HOST: 'host',
  LOG_LEVEL: 'logLevel',
  AETNET_SHIPPED_MODELS_DIR: 'modelsDir',
  AETNET_MODELS_DIR: 'extraModelsDir',
  AETNET_EXECUTION_PROVIDERS: 'executionProviders',
  AETNET_OCR_WORKERS: 'ocrWorkers',
  AETNET_INFERENCE_WORKERS: 'inferenceWorkers',
  AETNET_INFERENCE_THREADS: 'inferenceThreads',
  AETNET_QUEUE_LIMIT: 'queueLimit',
  AETNET_MAX_PIXELS: 'maxPixels',
  AETNET_MAX_UPLOAD_BYTES: 'maxUploadBytes',
  AETNET_MAX_PAGES: 'maxPages',
  AETNET_MAX_WORDS_PER_PAGE: 'maxWordsPerPage',
};

export class ConfigError extends Error {}

/** Builds the config from an env map (process.env in main.ts; a literal in tests). Throws on invalid values. */
export function loadAppConfig(env: Record<string, string | undefined>): Readonly<AppConfig> {
  const plain: Record<string, unknown> = {};
  for (const [envKey, field] of Object.entries(ENV_KEYS)) {
    if (env[envKey] !== undefined && env[envKey] !== '') plain[field] = env[envKey];
  }
  const config = plainToInstance(AppConfig, plain, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const reasons = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new ConfigError(`Invalid configuration: ${reasons.join('; ')}`);
  }
  return Object.freeze(config);
}
