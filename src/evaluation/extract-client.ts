import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../app.factory';
import { AppConfig } from '../config/app-config';
import { ClientWord, PredictedEntity } from './funsd-entities';

/** The parts of the `POST /v1/extract` answer that eval and bench read. */
export interface ExtractPage {
  page: number;
  width: number;
  height: number;
  entities: Array<PredictedEntity & { text: string; confidence: number }>;
  words: Array<{ text: string }>;
  timings: { ocrMs: number; modelMs: number };
}

export interface ExtractResponse {
  model: { id: string; version: string };
  pages: ExtractPage[];
  timings: { totalMs: number };
}

export interface TimedExtract {
  response: ExtractResponse;
  /** Client-side wall time of the HTTP request, upload and JSON parse included. */
  wallMs: number;
}

export interface ServedModel {
  id: string;
  version: string;
  task: string;
  executionProvider: string;
}

/**
 * Boots the real service (createApp: real OCR, real ONNX bundles from the registry) on a free loopback port and
 * talks to it over HTTP with multipart uploads, as a client would; requests are sequential.
 */
export class ExtractClient {
  private constructor(
    private readonly app: NestFastifyApplication,
    private readonly baseUrl: string,
  ) {}

  static async start(config: Readonly<AppConfig>): Promise<ExtractClient> {
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new ExtractClient(app, `http://127.0.0.1:${port}`);
  }

  async models(): Promise<ServedModel[]> {
    const body = (await this.request('/v1/models', { method: 'GET' })) as { models: ServedModel[] };
    return body.models;
  }

  /** One page image; `words` (client OCR) skips the service's OCR. */
  async extract(png: Buffer, options: { words?: ClientWord[]; model?: string }): Promise<TimedExtract> {
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'page.png');
    if (options.words !== undefined) form.append('words', JSON.stringify(options.words));
    if (options.model !== undefined) form.append('model', options.model);
    const started = performance.now();
    const response = (await this.request('/v1/extract', { method: 'POST', body: form })) as ExtractResponse;
    return { response, wallMs: performance.now() - started };
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private async request(path: string, init: RequestInit): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method} ${path} → ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as unknown;
  }
}
