import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { linearHeadLogits, meanProbabilities, toClassScores, windowProbabilities } from '../heads/sequence-classification';
import { taskHead } from '../registry/bundle-manifest';
import { RegisteredModel, RegistryService } from '../registry/registry.service';
import { ClassifyPageDto, ClassifyResponseDto } from './classify.dto';
import { DocumentInput, DocumentPipeline, newTimings, PipelineTimings, PreparedDocument, PreparedPage } from './document-pipeline.service';
import { requestTimings } from './inference-timings';

export interface ClassifyRequest extends DocumentInput {
  model?: string;
}

/** Document → pages → words → windows → one class distribution per window → per page → per document. */
@Injectable()
export class ClassifyService {
  constructor(
    private readonly registry: RegistryService,
    private readonly pipeline: DocumentPipeline,
  ) {}

  async classify(request: ClassifyRequest): Promise<ClassifyResponseDto> {
    const started = performance.now();
    // Resolved first, so an unknown model fails before any decoding or OCR; leased so a removed version keeps its files.
    return this.registry.withModel('classify', request.model, (model) => this.classifyWith(model, request, started));
  }

  private async classifyWith(model: RegisteredModel, request: ClassifyRequest, started: number): Promise<ClassifyResponseDto> {
    const timings = newTimings();
    const document = await this.pipeline.prepare(request, timings);
    return { model: { id: model.id, version: model.manifest.version }, ...(await this.classifyDocument(model, document, timings)), timings: requestTimings(started, timings) };
  }

  /** The task's runner once a document's pages and words are known: /v1/classify and a tuning job's evaluation. */
  async classifyDocument(model: RegisteredModel, document: PreparedDocument, timings: PipelineTimings): Promise<Pick<ClassifyResponseDto, 'document' | 'pages'>> {
    const { labels } = taskHead(model.manifest, 'classify');
    const pageProbabilities: Float64Array[] = [];
    const pages: ClassifyPageDto[] = [];
    for (const page of document.pages) {
      const probabilities = await this.pageProbabilities(model, document.contentHash, page, timings);
      pageProbabilities.push(probabilities);
      pages.push({ page: page.image.index + 1, ...toClassScores(probabilities, labels) });
    }
    return { document: toClassScores(meanProbabilities(pageProbabilities, labels.length), labels), pages };
  }

  /** Mean of the page's window softmaxes; a page without words still gets one `[CLS] [SEP]` window and its image. */
  private async pageProbabilities(model: RegisteredModel, hash: string, page: PreparedPage, timings: PipelineTimings): Promise<Float64Array> {
    const { manifest } = model;
    const { encoded, rows } = await this.pipeline.pageForward(model, hash, page, timings);
    const { labels, outputs, linear } = taskHead(manifest, 'classify');
    const numLabels = labels.length;
    // A linear head runs here on the graph's per-token outputs (manifest tasks.classify.linear); else the graph's logits.
    const widths = linear?.from.map((name) => Number(manifest.outputs[name].shape[2]));
    const logits = rows.map((row, index) =>
      linear && widths ? linearHeadLogits(linear, linear.from.map((name, i) => ({ data: row[name], width: widths[i] })), encoded.windows[index].wordIds) : row[outputs.logits],
    );
    return meanProbabilities(logits.flatMap((row) => windowProbabilities(row, numLabels)), numLabels);
  }
}
