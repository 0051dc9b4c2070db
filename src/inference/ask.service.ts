import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DomainError } from '../common/domain-error';
import { lookupAnswers } from '../heads/key-lookup';
import { holdsKey, locateKeys, readerBatch, readerSpanWindow } from '../heads/span-reader';
import { decodeSpans, isNoAnswer, spanAnswer, SpanDecoding, SpanWindow } from '../heads/span-decode';
import { encodeQuestionPage, QuestionWindow } from '../layout';
import { askQuestionLimit, SpanReaderHead, taskHead } from '../registry/bundle-manifest';
import { RegisteredModel, RegistryService } from '../registry/registry.service';
import { questionTooLong } from './ask-request';
import { AnswerDto, AskResponseDto } from './ask.dto';
import { ExtractService } from './extract.service';
import { DocumentInput, DocumentPipeline, newTimings, PipelineTimings, PreparedDocument, WindowInput } from './document-pipeline.service';
import { requestTimings } from './inference-timings';

export const DEFAULT_MAX_ANSWER_TOKENS = 30;


export interface AskRequest extends DocumentInput {
  /** Validated questions (ask-request.ts). */
  questions: string[];
  topK: number;
  /** Best answers under this confidence are "no answer". */
  minScore: number;
  model?: string;
}

interface QuestionPageWindow extends WindowInput, Pick<QuestionWindow, 'contextStart' | 'wordIds'> {
  question: number;
  /** Position of the page in the prepared document. */
  page: number;
}

/**
 * Document → pages → words (once) → for every question, `[CLS] question [SEP] context [SEP]` windows of every
 * page → start/end logits → the best word spans across all windows and pages of the document.
 */
@Injectable()
export class AskService {
  constructor(
    private readonly registry: RegistryService,
    private readonly pipeline: DocumentPipeline,
    private readonly extraction: ExtractService,
  ) {}

  async ask(request: AskRequest): Promise<AskResponseDto> {
    const started = performance.now();
    // Resolved first, so an unknown model fails before any decoding or OCR; leased so a removed version keeps its files.
    return this.registry.withModel('ask', request.model, (model) => this.askWith(model, request, started));
  }

  private async askWith(model: RegisteredModel, request: AskRequest, started: number): Promise<AskResponseDto> {
    // Questions are checked before the document is decoded, so a bad question costs no OCR.
    const questionIds = await this.tokenizeQuestions(model, request.questions);
    const timings = newTimings();
    const document = await this.pipeline.prepare(request, timings);
    const answers = await this.answerQuestions(model, document, request, questionIds, timings);
    return { model: { id: model.id, version: model.manifest.version }, answers, timings: requestTimings(started, timings) };
  }

  /** The task's runner once a document's pages and words are known: /v1/ask and a tuning job's evaluation. */
  async askDocument(model: RegisteredModel, document: PreparedDocument, request: Pick<AskRequest, 'questions' | 'topK' | 'minScore'>, timings: PipelineTimings): Promise<AnswerDto[]> {
    return this.answerQuestions(model, document, request, await this.tokenizeQuestions(model, request.questions), timings);
  }

  private async answerQuestions(
    model: RegisteredModel,
    document: PreparedDocument,
    request: Pick<AskRequest, 'questions' | 'topK' | 'minScore'>,
    questionIds: number[][],
    timings: PipelineTimings,
  ): Promise<AnswerDto[]> {
    const head = taskHead(model.manifest, 'ask');
    if (head.keyLookup?.reader) return this.readKeys(model, document, request, head.keyLookup.minKeySimilarity, head.keyLookup.reader, timings);
    if (head.keyLookup) return this.lookUpKeys(model, document, request, head.keyLookup.minKeySimilarity, timings);
    const windows = await this.questionWindows(model, document, questionIds, timings);
    const { start_logits: startName, end_logits: endName } = head.outputs;
    const rows = await this.pipeline.runWindows(model, windows, { [startName]: { rank: 2 }, [endName]: { rank: 2 } }, timings);

    const spanWindows: SpanWindow[][] = request.questions.map(() => []);
    windows.forEach((window, index) =>
      spanWindows[window.question].push({
        page: window.page,
        startLogits: rows[index][startName],
        endLogits: rows[index][endName],
        contextStart: window.contextStart,
        contextWordIds: window.wordIds.slice(window.contextStart, window.inputIds.length - 1),
      }),
    );
    const maxAnswerTokens = head.maxAnswerTokens ?? DEFAULT_MAX_ANSWER_TOKENS;
    return request.questions.map((question, index) =>
      this.answer(question, document, decodeSpans(spanWindows[index], { maxAnswerTokens, topK: request.topK }), request.minScore),
    );
  }

  /**
   * Key lookup (manifest tasks.ask.keyLookup): one extraction pass per page, whatever the number of questions, then
   * each question's answer is the value paired with the key it names (heads/key-lookup.ts).
   */
  private async lookUpKeys(model: RegisteredModel, document: PreparedDocument, request: Pick<AskRequest, 'questions' | 'topK' | 'minScore'>, minKeySimilarity: number, timings: PipelineTimings): Promise<AnswerDto[]> {
    const extracted = await this.extraction.extractPages(model, document, timings);
    const pages = extracted.map(({ page }) => page);
    // A page without the head's outputs (no words) has no keys to name.
    const keyed = extracted.map(({ entities, scorer }) => ({ entities, scorer: scorer ?? (() => () => undefined) }));
    return request.questions.map((question) => {
      const located = lookupAnswers(question, keyed, minKeySimilarity).map((candidate) => {
        const page = pages[candidate.page];
        const value = page.entities[candidate.value];
        return { confidence: candidate.confidence, page: page.page, text: value.text, box: value.box, words: value.words.map((word) => ({ text: page.words[word].text, box: page.words[word].box })) };
      });
      const best = located[0];
      const noAnswer = best === undefined || best.confidence < request.minScore;
      return {
        question,
        answer: noAnswer ? null : best.text,
        confidence: best?.confidence ?? 0,
        noAnswerConfidence: 1 - (best?.confidence ?? 0),
        page: noAnswer ? null : best.page,
        box: noAnswer ? null : best.box,
        words: noAnswer ? [] : best.words,
        topK: located.slice(0, request.topK).map(({ text, confidence, page, box }) => ({ answer: text, confidence, page, box })),
        noAnswer,
      };
    });
  }

  /**
   * Key lookup with a span head (manifest tasks.ask.keyLookup.reader): each question's key is found among a page's
   * words (heads/span-reader.ts locateKeys), and the reader graph reads its answer from the page's cached forward
   * pass, one run per window for all the keys found there; the extractive span decoder picks the answer.
   */
  private async readKeys(
    model: RegisteredModel,
    document: PreparedDocument,
    request: Pick<AskRequest, 'questions' | 'topK' | 'minScore'>,
    minKeySimilarity: number,
    reader: SpanReaderHead,
    timings: PipelineTimings,
  ): Promise<AnswerDto[]> {
    const widths = reader.from.map((name) => Number(model.manifest.outputs[name].shape[2]));
    const spanWindows: SpanWindow[][] = request.questions.map(() => []);
    for (const [pageIndex, page] of document.pages.entries()) {
      const keys = request.questions.map((question) => locateKeys(question, page.words, minKeySimilarity));
      // A page naming none of the keys needs no forward pass.
      if (keys.every((found) => found.length === 0)) continue;
      const forward = await this.pipeline.pageForward(model, document.contentHash, page, timings, true);
      if (!forward) continue;
      for (const [index, window] of forward.encoded.windows.entries()) {
        const present = new Set(window.wordIds);
        const asked = keys.flatMap((found, question) => found.filter((key) => holdsKey(present, key)).map((key) => ({ question, key })));
        if (asked.length === 0) continue;
        const sources = reader.from.map((name, i) => ({ data: forward.rows[index][name], width: widths[i] }));
        const batch = readerBatch(window, sources, asked.map(({ key }) => key));
        const outputs = await this.pipeline.runReader(model, batch.feeds, page.wordsSource, timings);
        const logits = { start: outputs.start_logits.data as Float32Array, end: outputs.end_logits.data as Float32Array, none: outputs.none_logits.data as Float32Array };
        asked.forEach(({ question }, row) => spanWindows[question].push(readerSpanWindow(pageIndex, batch, row, logits)));
      }
    }
    return request.questions.map((question, index) =>
      this.answer(question, document, decodeSpans(spanWindows[index], { maxAnswerTokens: reader.maxAnswerWords, topK: request.topK }), request.minScore),
    );
  }

  private async tokenizeQuestions(model: RegisteredModel, questions: readonly string[]): Promise<number[][]> {
    const maxQuestionTokens = askQuestionLimit(model.manifest);
    return Promise.all(
      questions.map(async (question, index) => {
        const ids = await model.tokenizer.tokenizeText(question);
        if (ids.length === 0) {
          throw new DomainError('INVALID_QUESTIONS', `questions[${index}] has no readable text`, { field: 'questions', index });
        }
        if (ids.length > maxQuestionTokens) throw questionTooLong(index, `${ids.length} tokens`, `${maxQuestionTokens} tokens`);
        return ids;
      }),
    );
  }

  /** Every question × every window of every page with words; each page's words and image are prepared once. */
  private async questionWindows(model: RegisteredModel, document: PreparedDocument, questionIds: number[][], timings: PipelineTimings): Promise<QuestionPageWindow[]> {
    const { manifest, tokenizer } = model;
    const options = { maxLength: manifest.maxLength, stride: manifest.windowStride, maxQuestionTokens: askQuestionLimit(manifest) };
    const windows: QuestionPageWindow[] = [];
    for (const [page, prepared] of document.pages.entries()) {
      const tokens = await tokenizer.tokenizeWords(prepared.words.map((word) => word.text));
      // A page without text holds no answer: no forward pass for it.
      if (tokens.ids.length === 0) continue;
      const imageRow = await this.pipeline.imageInput(model, document.contentHash, prepared.image, timings);
      questionIds.forEach((ids, question) => {
        const encoded = encodeQuestionPage(ids, tokens, prepared.words, prepared.image, manifest.tokenizer, options);
        for (const window of encoded.windows) windows.push({ ...window, image: imageRow, question, page });
      });
    }
    return windows;
  }

  private answer(question: string, document: PreparedDocument, decoding: SpanDecoding, minScore: number): AnswerDto {
    const located = decoding.candidates.map((candidate) => {
      const page = document.pages[candidate.page];
      return { candidate, pageNumber: page.image.index + 1, span: spanAnswer(page.words, candidate) };
    });
    const topK = located.map(({ candidate, pageNumber, span }) => ({ answer: span.text, confidence: candidate.confidence, page: pageNumber, box: span.box }));
    const best = located[0];
    const noAnswer = isNoAnswer(decoding, minScore);
    return {
      question,
      answer: noAnswer ? null : best.span.text,
      confidence: best?.candidate.confidence ?? 0,
      noAnswerConfidence: decoding.noAnswerConfidence,
      page: noAnswer ? null : best.pageNumber,
      box: noAnswer ? null : best.span.box,
      words: noAnswer ? [] : best.span.words,
      topK,
      noAnswer,
    };
  }
}
