import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { PageImage, PageWord } from '../common/document-types';
import { DocumentsService } from '../documents/documents.service';
import { resizeToRgb } from '../documents/image-codec';
import { decodeBio } from '../heads/bio-decode';
import { buildWindowBatch, classifyWords, WordPrediction } from '../heads/token-classification';
import { mergeWindowLogits, WindowLogits } from '../heads/window-merge';
import { encodePage, toPixelValues } from '../layout';
import { InferencePool } from '../model/inference-pool';
import { OcrService } from '../ocr/ocr.service';
import { RegisteredModel, RegistryService } from '../registry/registry.service';
import { ExtractPageDto, ExtractResponseDto } from './extract.dto';

/** Windows per forward pass: bounds the batch's memory (each window carries a copy of the page image). */
const WINDOWS_PER_BATCH = 16;

export interface ExtractRequest {
  document: Buffer;
  /** Client words (unvalidated JSON); when present they replace OCR. */
  words?: unknown;
  model?: string;
}

const elapsedMs = (start: number) => Math.round((performance.now() - start) * 10) / 10;

/** Document → pages → words → windows → forward passes → per-word labels → entities. */
@Injectable()
export class ExtractService {
  constructor(
    private readonly registry: RegistryService,
    private readonly pool: InferencePool,
    private readonly documents: DocumentsService,
    private readonly ocr: OcrService,
  ) {}

  async extract(request: ExtractRequest): Promise<ExtractResponseDto> {
    const started = performance.now();
    // Resolved first, so an unknown model fails before any decoding or OCR.
    const model = this.registry.resolve('extract', request.model);
    const pages = await this.documents.decode(request.document);
    const clientWords = request.words === undefined ? undefined : this.documents.parseClientWords(request.words, pages);
    const results: ExtractPageDto[] = [];
    for (const page of pages) results.push(await this.extractPage(model, page, clientWords?.[page.index]));
    return { model: { id: model.id, version: model.manifest.version }, pages: results, timings: { totalMs: elapsedMs(started) } };
  }

  private async extractPage(model: RegisteredModel, page: PageImage, clientWords: PageWord[] | undefined): Promise<ExtractPageDto> {
    const ocrStarted = performance.now();
    const words = clientWords ?? (await this.ocr.recognize(page));
    const ocrMs = clientWords ? 0 : elapsedMs(ocrStarted);

    const modelStarted = performance.now();
    const predictions = await this.predictWords(model, page, words);
    const modelMs = words.length === 0 ? 0 : elapsedMs(modelStarted);

    const labelled = words.map((word, i) => ({
      text: word.text,
      box: word.box,
      label: predictions[i].label,
      confidence: predictions[i].confidence,
    }));
    return {
      page: page.index + 1,
      width: page.width,
      height: page.height,
      entities: decodeBio(labelled),
      words: labelled,
      timings: { ocrMs, modelMs },
    };
  }

  private async predictWords(model: RegisteredModel, page: PageImage, words: PageWord[]): Promise<WordPrediction[]> {
    const { manifest, tokenizer } = model;
    const tokens = await tokenizer.tokenizeWords(words.map((word) => word.text));
    // No content tokens (no words, or only blanks): nothing for the model to label.
    if (tokens.ids.length === 0) return classifyWords(new Float32Array(0), [], words.length, manifest.labels);

    const encoded = encodePage(tokens, words, page, manifest.tokenizer, { maxLength: manifest.maxLength, stride: manifest.windowStride });
    const { size, mean, std } = manifest.image;
    const pixelValues = toPixelValues(await resizeToRgb(page.png, size), size, mean, std);
    const inputNames = Object.keys(manifest.inputs);
    const numLabels = manifest.labels.length;

    const windowLogits: WindowLogits[] = [];
    for (let first = 0; first < encoded.windows.length; first += WINDOWS_PER_BATCH) {
      const windows = encoded.windows.slice(first, first + WINDOWS_PER_BATCH);
      const feeds = buildWindowBatch(windows, { padId: manifest.tokenizer.padId, inputNames, pixelValues, imageSize: size });
      const { logits } = await this.pool.run(model.modelPath, feeds);
      const [batch, sequence, labels] = logits?.dims ?? [];
      if (logits?.dtype !== 'float32' || batch !== windows.length || labels !== numLabels) {
        throw new Error(`model ${model.id} returned logits ${JSON.stringify(logits?.dims)}; expected [${windows.length}, *, ${numLabels}]`);
      }
      const rowSize = sequence * numLabels;
      windows.forEach((window, row) =>
        windowLogits.push({
          tokenStart: window.tokenStart,
          contentLength: window.inputIds.length - 2,
          logits: logits.data.subarray(row * rowSize, (row + 1) * rowSize),
        }),
      );
    }
    const merged = mergeWindowLogits(windowLogits, encoded.tokenCount, numLabels);
    return classifyWords(merged, encoded.tokenWordIds, words.length, manifest.labels);
  }
}
