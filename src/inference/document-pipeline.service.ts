import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { PageImage, PageWord } from '../common/document-types';
import { contentHash, PageCache } from '../cache/page-cache';
import { furthestNamedPage, pageBeyondDocument } from '../documents/client-words';
import { DocumentsService } from '../documents/documents.service';
import { resizeToRgb } from '../documents/image-codec';
import { chooseWords, WordsSource } from '../documents/words-source';
import { buildWindowBatch, ImageRow, ModelWindow } from '../model/window-batch';
import { EncodedPage, encodePage, toPixelValues } from '../layout';
import { InferencePool } from '../model/inference-pool';
import type { TensorData } from '../model/onnx-session';
import { OcrService } from '../ocr/ocr.service';
import { RegisteredModel } from '../registry/registry.service';

/**
 * The page preparation every endpoint shares: bytes → pages → words → the image side of the model. Each step's
 * result is kept in the page cache under the document's content hash, so asking again about the same document
 * (another question, another request) skips decoding, OCR and the image encoder.
 */

export interface DocumentInput {
  document: Buffer;
  /** Client words (unvalidated JSON); when present they replace the text layer and OCR. */
  words?: unknown;
  /** Page selector such as `1-3,5`. */
  pages?: string;
}

export type { WordsSource } from '../documents/words-source';

export interface PreparedPage {
  image: PageImage;
  words: PageWord[];
  wordsSource: WordsSource;
  /** OCR time of this request: 0 when the words came from the client, the text layer or the cache. */
  ocrMs: number;
}

export interface PreparedDocument {
  contentHash: string;
  pages: PreparedPage[];
}

/** Timings every endpoint reports, summed over pages. */
export interface PipelineTimings {
  /** Reading the bytes into pages (PDF rendering included); 0 when cached. */
  decodeMs: number;
  ocrMs: number;
  imageEncoderMs: number;
  modelMs: number;
  /** Every cacheable step of the request (decoding, OCR, image side) came from the cache. */
  cacheHit: boolean;
}

export type SessionName = 'model' | 'imageEncoder';

/** A window to run, with its page's image row (absent for a text-only graph). */
export interface WindowInput extends ModelWindow {
  image?: ImageRow;
}

/** A page's windows and each window's outputs (every output the bundle declares). */
export interface PageForward {
  encoded: EncodedPage;
  rows: Array<Record<string, Float32Array>>;
}

/** Expected layout of a float32 output: its rank and, when fixed, the size of its last axis. */
export interface OutputSpec {
  rank: number;
  lastDim?: number;
}

export const elapsedMs = (start: number) => Math.round((performance.now() - start) * 10) / 10;

/** Estimated heap bytes of cached words: text plus a box and a few numbers each. */
const wordsBytes = (words: readonly PageWord[]) => words.reduce((sum, word) => sum + 2 * word.text.length + 96, 0);
const pagesBytes = (pages: readonly PageImage[]) => pages.reduce((sum, page) => sum + page.png.length + wordsBytes(page.textWords ?? []), 0);

@Injectable()
export class DocumentPipeline {
  constructor(
    private readonly documents: DocumentsService,
    private readonly ocr: OcrService,
    private readonly pool: InferencePool,
    private readonly cache: PageCache,
    private readonly config: AppConfig,
  ) {}

  /** Decodes the document (selected pages) and gets each page's words; `timings.cacheHit` turns false on any miss. */
  async prepare(input: DocumentInput, timings: PipelineTimings): Promise<PreparedDocument> {
    const { hash, selector, images } = await this.decodePages(input, timings);
    const clientWords = input.words === undefined ? undefined : await this.clientWords(input.words, input.document, hash, selector, images);
    const pages: PreparedPage[] = [];
    // One page at a time: the OCR pool's queue is shared with every other request.
    for (const [position, image] of images.entries()) {
      const page = await this.pageWords(hash, image, clientWords?.[position], timings);
      timings.ocrMs += page.ocrMs;
      pages.push(page);
    }
    return { contentHash: hash, pages };
  }

  /**
   * The selected pages as the models see them (the page cache keeps them, so a following request on the same
   * document skips decoding).
   */
  async decodePages(input: Pick<DocumentInput, 'document' | 'pages'>, timings: PipelineTimings): Promise<{ hash: string; selector?: string; images: PageImage[] }> {
    const hash = contentHash(input.document);
    const started = performance.now();
    const selector = input.pages?.trim() || undefined;
    const decoded = await this.cache.getOrCompute(
      `pages:${hash}:${selector ?? '*'}`,
      () => this.documents.decode(input.document, { pages: selector }),
      pagesBytes,
    );
    if (!decoded.hit) {
      timings.decodeMs += elapsedMs(started);
      timings.cacheHit = false;
    }
    return { hash, selector, images: decoded.value };
  }

  /**
   * The page's image input for the model (undefined for a text-only graph): normalised pixels, or a split bundle's
   * image embeddings. Cached per page and model version; the time goes to `timings.imageEncoderMs`.
   */
  async imageInput(model: RegisteredModel, hash: string, image: PageImage, timings: PipelineTimings): Promise<ImageRow | undefined> {
    const { manifest } = model;
    const split = manifest.onnx.imageEncoderFile !== undefined;
    if (!split && !('pixel_values' in manifest.inputs)) return undefined;
    const started = performance.now();
    const { value: row, hit } = await this.cache.getOrCompute(
      `image:${hash}:${image.index}:${model.id}@${manifest.version}`,
      () => this.computeImageRow(model, image, split),
      (computed) => computed.data.byteLength,
    );
    if (!hit) {
      timings.imageEncoderMs += elapsedMs(started);
      timings.cacheHit = false;
    }
    return row;
  }

  /** One forward pass of a bundle's graph; the feeds' buffers are handed to the worker. */
  private runSession(model: RegisteredModel, session: SessionName, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const file = session === 'model' ? model.modelPath : join(model.directory, model.manifest.onnx.imageEncoderFile as string);
    return this.pool.run(file, feeds);
  }

  /**
   * A page's words → the bundle's windows → their forward pass (runPageWindows, cached): what extract, classify and
   * ask's key lookup read of a page. A page without content tokens still gets one `[CLS] [SEP]` window (its image
   * alone), unless `skipEmpty`: then there is no pass and no result.
   */
  async pageForward(model: RegisteredModel, hash: string, page: PreparedPage, timings: PipelineTimings): Promise<PageForward>;
  async pageForward(model: RegisteredModel, hash: string, page: PreparedPage, timings: PipelineTimings, skipEmpty: true): Promise<PageForward | undefined>;
  async pageForward(model: RegisteredModel, hash: string, page: PreparedPage, timings: PipelineTimings, skipEmpty = false): Promise<PageForward | undefined> {
    const { manifest, tokenizer } = model;
    const tokens = await tokenizer.tokenizeWords(page.words.map((word) => word.text));
    if (skipEmpty && tokens.ids.length === 0) return undefined;
    const encoded = encodePage(tokens, page.words, page.image, manifest.tokenizer, { maxLength: manifest.maxLength, stride: manifest.windowStride });
    const imageRow = await this.imageInput(model, hash, page.image, timings);
    const rows = await this.runPageWindows(model, hash, page.image.index, encoded.windows.map((window) => ({ ...window, image: imageRow })), timings);
    return { encoded, rows };
  }

  /**
   * One run of the bundle's span reader graph (tasks.ask.keyLookup.reader) on a page whose words came from `source`:
   * its OCR reader for OCR words when it has one; the time counts as model time.
   */
  async runReader(model: RegisteredModel, feeds: Record<string, TensorData>, source: WordsSource, timings: PipelineTimings): Promise<Record<string, TensorData>> {
    const started = performance.now();
    const reader = model.manifest.tasks.ask?.keyLookup?.reader;
    if (!reader) throw new Error(`model ${model.id} has no span reader`);
    const file = source === 'ocr' && reader.ocrFile ? reader.ocrFile : reader.file;
    const outputs = await this.pool.run(join(model.directory, file), feeds);
    timings.modelMs += elapsedMs(started);
    return outputs;
  }

  /**
   * A page's windows through the graph with every per-window output the bundle declares, kept in the page cache: the
   * extraction, classification and key-lookup heads of one bundle read the same forward pass, so asking, classifying
   * and extracting one page costs one pass. The key holds the windows' content (tokens and boxes), so other words
   * for the same bytes (client words, another OCR engine) miss.
   */
  async runPageWindows(model: RegisteredModel, hash: string, page: number, windows: readonly WindowInput[], timings: PipelineTimings): Promise<Array<Record<string, Float32Array>>> {
    const { manifest } = model;
    const content = createHash('sha256');
    for (const window of windows) content.update(Int32Array.from(window.inputIds)).update(Int32Array.from(window.bbox.flat())).update('|');
    const key = `forward:${hash}:${page}:${content.digest('hex')}:${model.id}@${manifest.version}`;
    const outputs = Object.fromEntries(
      Object.entries(manifest.outputs).map(([name, spec]) => {
        const last = spec.shape[spec.shape.length - 1];
        return [name, { rank: spec.shape.length, ...(typeof last === 'number' && spec.shape.length > 1 ? { lastDim: last } : {}) }];
      }),
    );
    const { value, hit } = await this.cache.getOrCompute(
      key,
      () => this.runWindows(model, windows, outputs, timings),
      (rows) => rows.reduce((total, row) => total + Object.values(row).reduce((sum, data) => sum + data.byteLength, 0), 0),
    );
    if (!hit) timings.cacheHit = false;
    return value;
  }

  /**
   * Runs windows through the bundle's graph in batches; returns each window's slice of every requested output
   * (row-major, sequence axes padded to the longest window of its batch). Adds the time to `timings.modelMs`.
   */
  async runWindows(
    model: RegisteredModel,
    windows: readonly WindowInput[],
    outputs: Readonly<Record<string, OutputSpec>>,
    timings: PipelineTimings,
  ): Promise<Array<Record<string, Float32Array>>> {
    const started = performance.now();
    const inputNames = Object.keys(model.manifest.inputs);
    const rows: Array<Record<string, Float32Array>> = [];
    // One batching setting: a request's windows go in chunks of the pool's batch size, which bounds the batch's
    // memory (each window carries a copy of its page's image row) and what dynamic batching merges.
    const perRun = this.config.batchMaxSize;
    for (let first = 0; first < windows.length; first += perRun) {
      const batch = windows.slice(first, first + perRun);
      const images = batch.every((window) => window.image) ? batch.map((window) => window.image as ImageRow) : undefined;
      const feeds = buildWindowBatch(batch, { padId: model.manifest.tokenizer.padId, inputNames, images });
      const results = await this.runSession(model, 'model', feeds);
      const sliced = batch.map(() => ({}) as Record<string, Float32Array>);
      for (const [name, spec] of Object.entries(outputs)) {
        const tensor = results[name];
        const dims = tensor?.dims ?? [];
        if (tensor?.dtype !== 'float32' || dims.length !== spec.rank || dims[0] !== batch.length || (spec.lastDim !== undefined && dims[spec.rank - 1] !== spec.lastDim)) {
          throw new Error(`model ${model.id} returned ${name} ${JSON.stringify(tensor?.dims)}; expected rank ${spec.rank}, batch ${batch.length}, last axis ${spec.lastDim ?? 'any'}`);
        }
        const rowSize = tensor.data.length / batch.length;
        sliced.forEach((row, index) => (row[name] = tensor.data.subarray(index * rowSize, (index + 1) * rowSize)));
      }
      rows.push(...sliced);
    }
    timings.modelMs += elapsedMs(started);
    return rows;
  }

  /**
   * Client words for the selected pages (their `page` is the document page). A selector hides how many pages the
   * document has, so a page named past the last selected one is looked up by decoding just that page.
   */
  private async clientWords(words: unknown, document: Buffer, hash: string, selector: string | undefined, images: PageImage[]): Promise<PageWord[][]> {
    const parsed = this.documents.parseClientWords(words, images);
    const furthest = furthestNamedPage(words);
    if (furthest > images[images.length - 1].index + 1 && (selector === undefined || !(await this.hasPage(document, hash, furthest)))) {
      throw pageBeyondDocument(furthest, selector === undefined ? images.length : undefined);
    }
    return parsed;
  }

  private async hasPage(document: Buffer, hash: string, page: number): Promise<boolean> {
    const selector = String(page);
    try {
      await this.cache.getOrCompute(`pages:${hash}:${selector}`, () => this.documents.decode(document, { pages: selector }), pagesBytes);
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'PAGES_OUT_OF_RANGE') return false;
      throw error;
    }
  }

  private async pageWords(hash: string, image: PageImage, clientWords: PageWord[] | undefined, timings: PipelineTimings): Promise<PreparedPage> {
    const chosen = chooseWords(image, clientWords);
    if (chosen.source !== 'ocr') return { image, words: chosen.words, wordsSource: chosen.source, ocrMs: 0 };
    const started = performance.now();
    const { value: words, hit } = await this.cache.getOrCompute(`words:${hash}:${image.index}`, () => this.ocr.recognize(image), wordsBytes);
    if (!hit) timings.cacheHit = false;
    return { image, words, wordsSource: 'ocr', ocrMs: hit ? 0 : elapsedMs(started) };
  }

  private async computeImageRow(model: RegisteredModel, image: PageImage, split: boolean): Promise<ImageRow> {
    const { size, mean, std } = model.manifest.image;
    const pixelValues = toPixelValues(await resizeToRgb(image.png, size), size, mean, std);
    if (!split) return { name: 'pixel_values', data: pixelValues, dims: [3, size, size] };
    const { image_embeddings: embeddings } = await this.runSession(model, 'imageEncoder', {
      pixel_values: { dtype: 'float32', data: pixelValues, dims: [1, 3, size, size] },
    });
    if (embeddings?.dtype !== 'float32' || embeddings.dims[0] !== 1) {
      throw new Error(`image encoder of ${model.id} returned image_embeddings ${JSON.stringify(embeddings?.dims)}; expected [1, …]`);
    }
    return { name: 'image_embeddings', data: embeddings.data, dims: embeddings.dims.slice(1) };
  }
}

export function newTimings(): PipelineTimings {
  return { decodeMs: 0, ocrMs: 0, imageEncoderMs: 0, modelMs: 0, cacheHit: true };
}
