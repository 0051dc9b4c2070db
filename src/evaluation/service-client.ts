import { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../app.factory';
import { AppConfig } from '../config/app-config';
import { RegisteredModel, RegistryService } from '../registry/registry.service';
import { ExtractService } from '../inference/extract.service';
import type { PixelBox } from '../common/document-types';
import { ClientWord, PredictedEntity } from './funsd-entities';
import type { RequestTimings } from '../inference/inference-timings';

/** The request timings every endpoint reports. */
export type ServedTimings = RequestTimings;

/** The parts of the `POST /v1/extract` answer that eval and bench read. */
export interface ExtractPage {
  page: number;
  width: number;
  height: number;
  entities: Array<PredictedEntity & { text: string; confidence: number }>;
  pairs: Array<{ keyIndex: number; valueIndex: number | null; confidence: number | null }>;
  pairsFrom: string;
  words: Array<{ text: string; box: [number, number, number, number] }>;
  timings: { ocrMs: number; modelMs: number };
}

export interface ExtractResponse {
  model: { id: string; version: string };
  pages: ExtractPage[];
  timings: ServedTimings;
}

export interface AskResponse {
  model: { id: string; version: string };
  answers: Array<{ question: string; answer: string | null; confidence: number; noAnswer: boolean; page: number | null }>;
  timings: ServedTimings;
}

export interface ClassifyResponse {
  model: { id: string; version: string };
  document: { label: string; confidence: number; scores: Record<string, number> };
  pages: Array<{ page: number; label: string; confidence: number }>;
  timings: ServedTimings;
}

export interface Timed<T> {
  response: T;
  /** Client-side wall time of the HTTP request, upload and JSON parse included. */
  wallMs: number;
}

/** Any HTTP answer, for the bench: it counts 429/503 instead of failing on them. */
export interface HttpReply {
  status: number;
  body: unknown;
  wallMs: number;
}

export interface ServedModel {
  id: string;
  version: string;
  /** The tasks the bundle serves, and each one's labels (ask: none). */
  tasks: string[];
  labels: Record<string, string[]>;
  executionProvider: string;
  /** The tasks it is the default model of. */
  defaultFor: string[];
}

/** A document and the optional fields of the three inference endpoints (multipart, as a client sends them). */
export interface DocumentUpload {
  file: Buffer;
  fileName?: string;
  words?: ClientWord[] | unknown[];
  model?: string;
  questions?: string[];
  /** ask: the no-answer threshold of this request (the service's default when absent). */
  minScore?: number;
}

export type Endpoint = 'extract' | 'classify' | 'ask';

/**
 * Boots the real service (createApp: real OCR, real ONNX bundles from the registry) on a free loopback port and
 * talks to it over HTTP with multipart uploads, as a client would.
 */
export class ServiceClient {
  private constructor(
    /** The in-process app, when this client started one; absent for a service running in another process. */
    private readonly app: NestFastifyApplication | undefined,
    private readonly baseUrl: string,
  ) {}

  /** A client of a service already listening at `baseUrl` (another process). */
  static connect(baseUrl: string): ServiceClient {
    return new ServiceClient(undefined, baseUrl);
  }

  static async start(config: Readonly<AppConfig>): Promise<ServiceClient> {
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new ServiceClient(app, `http://127.0.0.1:${port}`);
  }

  async models(): Promise<ServedModel[]> {
    const reply = await this.send('GET', '/v1/models');
    return (expectOk(reply, 'GET /v1/models') as { models: ServedModel[] }).models;
  }

  /** The loaded bundles (manifest, tokenizer, folder): the bench counts windows and FLOPs with them. */
  registeredModels(): RegisteredModel[] {
    if (!this.app) throw new Error('registeredModels() needs the in-process app (ServiceClient.start)');
    return this.app.get(RegistryService).list();
  }

  /** GET a path; any status comes back (readiness polling). */
  get(path: string): Promise<HttpReply> {
    return this.send('GET', path);
  }

  /** One request to an inference endpoint; any status comes back. */
  post(endpoint: Endpoint, upload: DocumentUpload): Promise<HttpReply> {
    const form = new FormData();
    form.append('file', new Blob([upload.file]), upload.fileName ?? 'page.png');
    if (upload.words !== undefined) form.append('words', JSON.stringify(upload.words));
    if (upload.questions !== undefined) form.append('questions', JSON.stringify(upload.questions));
    if (upload.model !== undefined) form.append('model', upload.model);
    if (upload.minScore !== undefined) form.append('minScore', String(upload.minScore));
    return this.send('POST', `/v1/${endpoint}`, form);
  }

  extract(png: Buffer, options: { words?: ClientWord[]; model?: string }): Promise<Timed<ExtractResponse>> {
    return this.postOk<ExtractResponse>('extract', { file: png, ...options });
  }

  /** Pairs among the gold entities of a page with its gold words (in-process: the extract runner's own pairing). */
  pairGoldEntities(png: Buffer, words: ClientWord[], entities: Array<{ label: string; box: PixelBox; words: number[] }>, model?: string) {
    if (!this.app) throw new Error('pairGoldEntities() needs the in-process app (ServiceClient.start)');
    return this.app.get(ExtractService).pairEntities({ document: png, words, model }, entities);
  }

  ask(upload: DocumentUpload & { questions: string[] }): Promise<Timed<AskResponse>> {
    return this.postOk<AskResponse>('ask', upload);
  }

  classify(upload: DocumentUpload): Promise<Timed<ClassifyResponse>> {
    return this.postOk<ClassifyResponse>('classify', upload);
  }

  async close(): Promise<void> {
    await this.app?.close();
  }

  private async postOk<T>(endpoint: Endpoint, upload: DocumentUpload): Promise<Timed<T>> {
    const reply = await this.post(endpoint, upload);
    return { response: expectOk(reply, `POST /v1/${endpoint} (${upload.fileName ?? 'page.png'})`) as T, wallMs: reply.wallMs };
  }

  private async send(method: string, path: string, body?: FormData): Promise<HttpReply> {
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, { method, body });
    const text = await response.text();
    const wallMs = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A non-JSON body (a proxy error page) is kept as text for the error message.
    }
    return { status: response.status, body: parsed, wallMs };
  }
}

function expectOk(reply: HttpReply, what: string): unknown {
  if (reply.status >= 200 && reply.status < 300) return reply.body;
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  throw new Error(`${what} → ${reply.status}: ${text.slice(0, 500)}`);
}

/** A file name for uploads (the service sniffs the format from the bytes; the name only shows in logs). */
export function uploadName(path: string): string {
  return basename(path);
}
