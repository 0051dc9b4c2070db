import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InferencePoolObserver } from '../model/inference-pool';

/** Seconds, from a fast forward pass to a long multi-page OCR request. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Rows (windows) per forward pass. */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

/**
 * The only file that imports prom-client. Each instance owns its registry (several apps may live in one test
 * process); labels are routes, methods, statuses and model ids, never keys or document content.
 */
@Injectable()
export class MetricsService implements InferencePoolObserver {
  private readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'aetnet_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'aetnet_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['route'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly inferenceQueueDepth = new Gauge({
    name: 'aetnet_inference_queue_depth',
    help: 'Rows (windows) waiting for an inference worker, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: 'aetnet_inference_batch_size',
    help: 'Rows (windows) per forward pass, by model',
    labelNames: ['model'] as const,
    buckets: BATCH_SIZE_BUCKETS,
    registers: [this.registry],
  });
  private readonly modelSeconds = new Histogram({
    name: 'aetnet_model_seconds',
    help: 'Time of one batched forward pass in a worker, by model',
    labelNames: ['model'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly ocrSeconds = new Histogram({
    name: 'aetnet_ocr_seconds',
    help: 'OCR time per page',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readOcrQueueDepth: () => number = () => 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const read = () => this.readOcrQueueDepth();
    new Gauge({
      name: 'aetnet_ocr_queue_depth',
      help: 'Pages waiting for an OCR worker',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
    this.httpDuration.observe({ route }, seconds);
  }

  queueDepth(model: string, rows: number): void {
    this.inferenceQueueDepth.set({ model }, rows);
  }

  batchFinished(model: string, rows: number, seconds: number): void {
    this.batchSize.observe({ model }, rows);
    this.modelSeconds.observe({ model }, seconds);
  }

  observeOcr(seconds: number): void {
    this.ocrSeconds.observe(seconds);
  }

  /** The OCR service hands over how to read its queue; the gauge reads it at each scrape. */
  trackOcrQueueDepth(read: () => number): void {
    this.readOcrQueueDepth = read;
  }
}
