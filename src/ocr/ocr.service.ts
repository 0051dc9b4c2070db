import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DomainError } from '../common/domain-error';
import { PageImage, PageWord } from '../common/document-types';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { OcrPool } from './ocr-pool';
import { readPageWords } from './page-ocr';
import { createTesseractEngine, OcrEngine } from './tesseract-engine';

/** A page that takes longer is treated as a hung worker (e.g. its thread died mid-job) and the worker replaced. */
const RECOGNIZE_TIMEOUT_MS = 120_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DomainError('OVERLOADED', `OCR did not finish within ${ms / 1000} s`, undefined, 10)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Words with pixel boxes for a page, recognised by a pool of tesseract workers off the event loop. */
@Injectable()
export class OcrService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OcrService.name);
  private readonly pool: OcrPool<OcrEngine>;
  private lastStartFailed = false;
  private started = false;
  private readonly upscaleToLongSide: number;

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.upscaleToLongSide = config.ocrUpscaleToLongSide;
    this.pool = new OcrPool({ size: config.ocrWorkers, queueLimit: config.queueLimit, create: () => this.startEngine() });
    metrics?.trackOcrQueueDepth(() => this.pool.pending);
  }

  /** True once an engine has started and the latest start attempt did not fail. */
  get available(): boolean {
    return this.started && !this.lastStartFailed;
  }

  async recognize(page: PageImage): Promise<PageWord[]> {
    const started = performance.now();
    const recognize = (png: Buffer) => this.pool.run((engine) => withTimeout(engine.recognize(png), RECOGNIZE_TIMEOUT_MS));
    const words = await readPageWords(recognize, page, this.upscaleToLongSide);
    this.metrics?.observeOcr((performance.now() - started) / 1000);
    return words;
  }

  /** Starts one engine at boot so readiness reflects OCR and the first request does not pay the start-up. */
  async onApplicationBootstrap(): Promise<void> {
    await this.pool.run(async () => undefined).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private async startEngine(): Promise<OcrEngine> {
    try {
      const engine = await createTesseractEngine();
      this.started = true;
      this.lastStartFailed = false;
      return engine;
    } catch (error) {
      this.lastStartFailed = true;
      this.logger.error('Tesseract worker failed to start', error instanceof Error ? error.stack : String(error));
      throw new DomainError('MODEL_UNAVAILABLE', 'OCR is unavailable', { component: 'ocr' });
    }
  }
}
