import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { PageCache } from '../cache/page-cache';
import { PageImage, PageWord } from '../common/document-types';
import { DomainError } from '../common/domain-error';
import type { AppConfig } from '../config/app-config';
import { parseClientWords } from '../documents/client-words';
import type { DocumentsService } from '../documents/documents.service';
import { selectPages } from '../documents/page-selector';
import type { InferencePool } from '../model/inference-pool';
import type { TensorData } from '../model/onnx-session';
import type { OcrService } from '../ocr/ocr.service';
import type { RegisteredModel } from '../registry/registry.service';
import { DocumentPipeline, newTimings } from './document-pipeline.service';

const WORD: PageWord = { text: 'Total', box: [1, 1, 5, 5], confidence: 0.9, segment: 0 };

/** A pipeline over fakes that count calls: decoding yields `pages`, OCR one word, the pool echoes a fixed tensor. */
async function pipelineWith(pages: Array<Partial<PageImage>>) {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer();
  const calls = { decode: 0, ocr: 0, runs: [] as string[] };
  const documents = {
    decode: async () => {
      calls.decode++;
      return pages.map((page, index) => ({ index, width: 8, height: 8, png, ...page }));
    },
    parseClientWords: (words: PageWord[][]) => words,
  } as unknown as DocumentsService;
  const ocr = {
    recognize: async () => {
      calls.ocr++;
      return [WORD];
    },
  } as unknown as OcrService;
  const pool = {
    run: async (path: string, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> => {
      calls.runs.push(path);
      assert.deepEqual(feeds.pixel_values.dims, [1, 3, 4, 4]);
      return { image_embeddings: { dtype: 'float32', data: new Float32Array(6).fill(1), dims: [1, 2, 3] } };
    },
  } as unknown as InferencePool;
  const cache = new PageCache({ maxEntries: 100, maxBytes: 1 << 24 });
  return { pipeline: new DocumentPipeline(documents, ocr, pool, cache, { batchMaxSize: 8 } as AppConfig), calls };
}

function model(split: boolean): RegisteredModel {
  const inputs = split ? { input_ids: {}, image_embeddings: {} } : { input_ids: {}, pixel_values: {} };
  return {
    id: 'm',
    directory: '/bundles/m',
    modelPath: '/bundles/m/model.onnx',
    manifest: {
      version: '1',
      inputs,
      onnx: { file: 'model.onnx', ...(split ? { imageEncoderFile: 'image_encoder.onnx' } : {}) },
      image: { size: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    },
  } as unknown as RegisteredModel;
}

describe('DocumentPipeline', () => {
  it('decodes and OCRs a document once; the same bytes again come from the cache', async () => {
    const { pipeline, calls } = await pipelineWith([{}, {}]);
    const first = newTimings();
    const prepared = await pipeline.prepare({ document: Buffer.from('doc') }, first);
    assert.deepEqual(prepared.pages.map((page) => [page.wordsSource, page.words]), [['ocr', [WORD]], ['ocr', [WORD]]]);
    assert.equal(first.cacheHit, false);

    const second = newTimings();
    const again = await pipeline.prepare({ document: Buffer.from('doc') }, second);
    assert.deepEqual(calls, { decode: 1, ocr: 2, runs: [] });
    assert.equal(second.cacheHit, true);
    assert.equal(second.ocrMs, 0);
    assert.deepEqual(again.pages.map((page) => page.words), [[WORD], [WORD]]);

    await pipeline.prepare({ document: Buffer.from('other') }, newTimings());
    assert.equal(calls.decode, 2);
  });

  it('uses client words over the text layer, and the text layer over OCR', async () => {
    const textWords = [{ ...WORD, text: 'PDF' }];
    const { pipeline, calls } = await pipelineWith([{ textWords }, {}]);
    const fromPdf = await pipeline.prepare({ document: Buffer.from('pdf') }, newTimings());
    assert.deepEqual(fromPdf.pages.map((page) => page.wordsSource), ['text-layer', 'ocr']);
    assert.equal(fromPdf.pages[0].words, textWords);

    const client = [[{ ...WORD, text: 'client' }], []];
    const fromClient = await pipeline.prepare({ document: Buffer.from('pdf'), words: client }, newTimings());
    assert.deepEqual(fromClient.pages.map((page) => page.wordsSource), ['client', 'client']);
    assert.equal(calls.ocr, 1);
  });

  it('matches client words to document pages under a selector; a page past the document is INVALID_WORDS', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer();
    const selectors: Array<string | undefined> = [];
    // A 3-page document, decoded as the real decoder selects pages.
    const documents = {
      decode: async (_bytes: Buffer, options: { pages?: string }) => {
        selectors.push(options.pages);
        return selectPages(options.pages, 3, 10).map((index) => ({ index, width: 8, height: 8, png }));
      },
      parseClientWords: (words: unknown, pages: PageImage[]) => parseClientWords(words, pages, 10),
    } as unknown as DocumentsService;
    const pipeline = new DocumentPipeline(documents, {} as OcrService, {} as InferencePool, new PageCache({ maxEntries: 100, maxBytes: 1 << 24 }), { batchMaxSize: 8 } as AppConfig);
    const word = (text: string) => ({ text, box: [1, 1, 5, 5] });

    const prepared = await pipeline.prepare(
      { document: Buffer.from('doc'), pages: '2-3', words: [{ page: 1, words: [word('one')] }, { page: 3, words: [word('three')] }] },
      newTimings(),
    );
    assert.deepEqual(prepared.pages.map((page) => [page.image.index, page.wordsSource, page.words.map((w) => w.text)]), [
      [1, 'client', []],
      [2, 'client', ['three']],
    ]);

    const beyond = (pages: string | undefined) =>
      assert.rejects(
        pipeline.prepare({ document: Buffer.from('doc'), pages, words: [{ page: 4, words: [word('four')] }] }, newTimings()),
        (error: DomainError) => error.code === 'INVALID_WORDS' && error.details?.page === 4,
      );
    await beyond('1-2');
    assert.equal(selectors.at(-1), '4', 'only the named page is decoded to learn it is missing');
    await beyond(undefined);

    const unselected = await pipeline.prepare({ document: Buffer.from('doc'), pages: '1', words: [{ page: 3, words: [word('three')] }] }, newTimings());
    assert.deepEqual(unselected.pages.map((page) => page.words), [[]]);
  });

  it('runs a split bundle’s image encoder once per page and model version', async () => {
    const { pipeline, calls } = await pipelineWith([{}]);
    const { pages, contentHash } = await pipeline.prepare({ document: Buffer.from('doc') }, newTimings());
    const first = newTimings();
    const input = await pipeline.imageInput(model(true), contentHash, pages[0].image, first);
    assert.deepEqual([input?.name, input?.dims], ['image_embeddings', [2, 3]]);
    assert.ok(first.imageEncoderMs > 0 && !first.cacheHit);

    const second = newTimings();
    const cached = await pipeline.imageInput(model(true), contentHash, pages[0].image, second);
    assert.equal(cached, input);
    assert.deepEqual([second.imageEncoderMs, second.cacheHit], [0, true]);
    assert.deepEqual(calls.runs, ['/bundles/m/image_encoder.onnx']);
  });

  it('gives a single-graph bundle its normalised pixel values', async () => {
    const { pipeline, calls } = await pipelineWith([{}]);
    const { pages, contentHash } = await pipeline.prepare({ document: Buffer.from('doc') }, newTimings());
    const input = await pipeline.imageInput(model(false), contentHash, pages[0].image, newTimings());
    assert.deepEqual([input?.name, input?.dims], ['pixel_values', [3, 4, 4]]);
    // White page, mean 0.5, std 0.5 → 1 everywhere.
    assert.ok(input?.data.every((value) => Math.abs(value - 1) < 1e-6));
    assert.deepEqual(calls.runs, []);
  });
});
