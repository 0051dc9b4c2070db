import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { decodeBio, Entity } from '../heads/bio-decode';
import { decodePairs, EntityPair, geometricPairs, PairableEntity, PairWindow, windowPairScores, withGeometry } from '../heads/key-value-pairs';
import { classifyWords, WordPrediction } from '../heads/token-classification';
import { mergeWindowLogits } from '../heads/window-merge';
import { PageSize } from '../layout';
import { taskHead } from '../registry/bundle-manifest';
import { RegisteredModel, RegistryService } from '../registry/registry.service';
import { DocumentInput, DocumentPipeline, elapsedMs, newTimings, PipelineTimings, PreparedDocument, PreparedPage } from './document-pipeline.service';
import { ExtractPageDto, ExtractResponseDto } from './extract.dto';
import { requestTimings } from './inference-timings';

export interface ExtractRequest extends DocumentInput {
  model?: string;
}

/** Document → pages → words → windows → forward passes → per-word labels → entities. */
@Injectable()
export class ExtractService {
  constructor(
    private readonly registry: RegistryService,
    private readonly pipeline: DocumentPipeline,
  ) {}

  async extract(request: ExtractRequest): Promise<ExtractResponseDto> {
    const started = performance.now();
    // Resolved first, so an unknown model fails before any decoding or OCR; leased so a removed version keeps its files.
    return this.registry.withModel('extract', request.model, (model) => this.extractWith(model, request, started));
  }

  private async extractWith(model: RegisteredModel, request: ExtractRequest, started: number): Promise<ExtractResponseDto> {
    const timings = newTimings();
    const document = await this.pipeline.prepare(request, timings);
    const pages = await this.extractDocument(model, document, timings);
    return { model: { id: model.id, version: model.manifest.version }, pages, timings: requestTimings(started, timings) };
  }

  /** The task's runner once a document's pages and words are known: /v1/extract and a tuning job's evaluation. */
  async extractDocument(model: RegisteredModel, document: PreparedDocument, timings: PipelineTimings): Promise<ExtractPageDto[]> {
    return (await this.extractPages(model, document, timings)).map(({ page }) => page);
  }

  /**
   * Each page's extraction with the key-value head's scorer over any entities of that page (ask by key lookup scores
   * the key a question names, whatever its predicted label); the scorer is undefined without the head.
   */
  async extractPages(model: RegisteredModel, document: PreparedDocument, timings: PipelineTimings): Promise<Array<{ page: ExtractPageDto; entities: Entity[]; scorer?: PairScorer }>> {
    const results = [];
    for (const page of document.pages) results.push(await this.extractPage(model, document.contentHash, page, timings));
    return results;
  }

  private async extractPage(model: RegisteredModel, hash: string, page: PreparedPage, timings: PipelineTimings): Promise<{ page: ExtractPageDto; entities: Entity[]; scorer?: PairScorer }> {
    const modelStarted = performance.now();
    const { predictions, pairWindows } = await this.predictWords(model, hash, page, timings);
    const modelMs = page.words.length === 0 ? 0 : elapsedMs(modelStarted);

    const labelled = page.words.map((word, i) => ({
      text: word.text,
      box: word.box,
      label: predictions[i].label,
      confidence: predictions[i].confidence,
    }));
    const entities = decodeBio(labelled);
    const scorer = pairScorer(model, pairWindows, page.image);
    const { pairs, pairsFrom } = pairsOf(scorer, entities);
    const dto: ExtractPageDto = {
      page: page.image.index + 1,
      width: page.image.width,
      height: page.image.height,
      entities,
      pairs: pairs.map((pair) => ({
        keyIndex: pair.key,
        valueIndex: pair.value,
        key: entities[pair.key],
        value: pair.value === null ? null : entities[pair.value],
        confidence: pair.confidence,
      })),
      pairsFrom,
      words: labelled,
      timings: { ocrMs: page.ocrMs, modelMs },
    };
    return { page: dto, entities, scorer };
  }

  /**
   * Pairs among entities the caller gives, on the document's first page (evaluation with gold entities, the standard
   * FUNSD relation setting): the same windows, scoring and decoding as /v1/extract's own entities get.
   */
  async pairEntities(request: ExtractRequest, entities: ReadonlyArray<PairableEntity & { words: readonly number[] }>): Promise<{ pairs: EntityPair[]; pairsFrom: PairsFrom }> {
    return this.registry.withModel('extract', request.model, async (model) => {
      const timings = newTimings();
      const document = await this.pipeline.prepare(request, timings);
      const { pairWindows } = await this.predictWords(model, document.contentHash, document.pages[0], timings);
      return pairsOf(pairScorer(model, pairWindows, document.pages[0].image), entities);
    });
  }

  /** Each word's label, and with a key-value head each window's keys and values (pairs are scored once entities are known). */
  private async predictWords(model: RegisteredModel, hash: string, page: PreparedPage, timings: PipelineTimings): Promise<{ predictions: WordPrediction[]; pairWindows?: PairWindow[] }> {
    const { manifest } = model;
    const { labels, outputs } = taskHead(manifest, 'extract');
    const { words } = page;
    const forward = await this.pipeline.pageForward(model, hash, page, timings, true);
    // No content tokens (no words, or only blanks): nothing for the model to label.
    if (!forward) return { predictions: classifyWords(new Float32Array(0), [], words.length, labels) };
    const { encoded, rows } = forward;
    const numLabels = labels.length;
    const windowLogits = encoded.windows.map((window, index) => ({
      tokenStart: window.tokenStart,
      contentLength: window.inputIds.length - 2,
      logits: rows[index][outputs.logits],
    }));
    const merged = mergeWindowLogits(windowLogits, encoded.tokenCount, numLabels);
    const predictions = classifyWords(merged, encoded.tokenWordIds, words.length, labels);
    const pairsHead = manifest.pairs;
    if (!pairsHead) return { predictions };
    const pairWindows = encoded.windows.map((window, index) => ({ wordIds: window.wordIds, keys: rows[index][pairsHead.keys], values: rows[index][pairsHead.values] }));
    return { predictions, pairWindows };
  }
}

type PairsFrom = 'model' | 'geometric';

/** The key-value head's score of key → value among the entities given (their labels say which may be keys and values). */
export type PairScorer = (entities: ReadonlyArray<PairableEntity & { words: readonly number[] }>) => (key: number, value: number) => number | undefined;

/** The bundle's key-value head over a page's windows (semantic score, plus its geometry MLP's when the manifest has
 * one); undefined without the head or when the page had no tokens. */
function pairScorer(model: RegisteredModel, pairWindows: PairWindow[] | undefined, page: PageSize): PairScorer | undefined {
  const head = model.manifest.pairs;
  if (!head || !pairWindows) return undefined;
  return (entities) => {
    const semantic = windowPairScores(pairWindows, entities, head.dim);
    return head.geometry ? withGeometry(semantic, entities, page, head.geometry) : semantic;
  };
}

/** The key-value head's pairs when there is one, else the geometric rule's. */
function pairsOf(scorer: PairScorer | undefined, entities: ReadonlyArray<PairableEntity & { words: readonly number[] }>): { pairs: EntityPair[]; pairsFrom: PairsFrom } {
  if (scorer) return { pairs: decodePairs(entities, scorer(entities)), pairsFrom: 'model' };
  return { pairs: geometricPairs(entities), pairsFrom: 'geometric' };
}
