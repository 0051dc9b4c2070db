import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DomainError } from '../common/domain-error';
import { PageImage, PageWord } from '../common/document-types';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { OcrPool } from './ocr-pool';
import { OcrEngine, OcrEngineName } from './ocr-engine';
import { ocrEngineFactory } from './ocr-engines';
import { wordsFromBlocks } from './ocr-words';

/**
 * A page whose OCR takes longer fails with OCR_TIMEOUT (422: the page, not the service, is the problem) and
 * its worker is replaced, so a pathological page or a hung engine thread cannot hold a worker.
 */
function withTimeout<T>(promise: Promise<T>, ms: number, page: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DomainError('OCR_TIMEOUT', `OCR of page ${page + 1} did not finish within ${ms / 1000} s`, { page: page + 1, timeoutMs: ms })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Words with pixel boxes for a page, recognised by a pool of OCR engines (tesseract or PP-OCR) off the event loop. */
@Injectable()
export class OcrService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OcrService.name);
  private readonly pool: OcrPool<OcrEngine>;
  private started = false;
  private readonly engine: OcrEngineName;
  private readonly createEngine: () => Promise<OcrEngine>;
  private readonly timeoutMs: number;
  /** Why the latest engine start failed (undefined once one starts), for /health/ready. */
  private startError: string | undefined;

  constructor(
    config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.engine = config.ocrEngine;
    this.timeoutMs = config.ocrPageTimeoutMs;
    this.createEngine = ocrEngineFactory(config);
    this.pool = new OcrPool({ size: config.ocrWorkers, queueLimit: config.queueLimit, create: () => this.startEngine() });
    metrics?.trackOcrQueueDepth(() => this.pool.pending);
  }

  /** True once an engine has started and the latest start attempt did not fail. */
  get available(): boolean {
    return this.started && this.startError === undefined;
  }

  /** For /health/ready: which engine, whether it runs, and why not. */
  get status(): { engine: string; available: boolean; reason?: string } {
    return { engine: this.engine, available: this.available, ...(this.startError ? { reason: this.startError } : {}) };
  }

  async recognize(page: PageImage): Promise<PageWord[]> {
    const started = performance.now();
    const blocks = await this.pool.run((engine) => withTimeout(engine.recognize(page), this.timeoutMs, page.index));
    this.metrics?.observeOcr((performance.now() - started) / 1000);
    return wordsFromBlocks(blocks, page);
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
      const engine = await this.createEngine();
      this.started = true;
      this.startError = undefined;
      return engine;
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error);
      this.logger.error(`OCR engine ${this.engine} failed to start: ${this.startError}`);
      throw new DomainError('MODEL_UNAVAILABLE', 'OCR is unavailable', { component: 'ocr', engine: this.engine });
    }
  }
}
