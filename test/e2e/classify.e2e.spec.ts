import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { assertError, bootApp, postDocument, TEST_BUNDLES_DIR } from '../helpers/app';
import { formWords, renderFormPng, scannedPdf, solidPng, textLayerPdf, tiffOf } from '../helpers/fixtures';

/** The tiny classify bundle exported by the trainer from its synthetic dataset (3 classes). */
const MANIFEST = JSON.parse(readFileSync(join(TEST_BUNDLES_DIR, 'tiny-classify', 'manifest.json'), 'utf8'));
const LABELS: string[] = MANIFEST.labels;

const INVOICE_LINES = ['INVOICE', 'Number: 12345', 'Total: 99.50'];
const LETTER_LINES = ['Dear Ann,', 'Thank you for your letter.'];

interface ClassScores {
  label: string;
  confidence: number;
  scores: Record<string, number>;
}

interface ClassifyBody {
  model: { id: string; version: string };
  document: ClassScores;
  pages: Array<ClassScores & { page: number }>;
  timings: { totalMs: number; ocrMs: number; imageEncoderMs: number; modelMs: number; cacheHit: boolean };
}

function assertScores(scores: ClassScores): void {
  assert.deepEqual(Object.keys(scores.scores), LABELS);
  const total = Object.values(scores.scores).reduce((sum, p) => sum + p, 0);
  assert.ok(Math.abs(total - 1) < 1e-6, `scores sum to ${total}`);
  assert.equal(scores.confidence, Math.max(...Object.values(scores.scores)));
  assert.equal(scores.scores[scores.label], scores.confidence);
}

function assertBody(body: ClassifyBody, pages: number[]): void {
  assert.deepEqual(body.model, { id: MANIFEST.id, version: MANIFEST.version });
  assert.deepEqual(body.pages.map((page) => page.page), pages);
  assertScores(body.document);
  body.pages.forEach(assertScores);
  // The document is the mean of its pages.
  for (const label of LABELS) {
    const mean = body.pages.reduce((sum, page) => sum + page.scores[label], 0) / body.pages.length;
    assert.ok(Math.abs(body.document.scores[label] - mean) < 1e-9);
  }
}

describe('POST /v1/classify (real OCR, real tiny bundle)', () => {
  let app: NestFastifyApplication;
  let invoice: Buffer;
  let letter: Buffer;

  before(async () => {
    app = await bootApp({ AETNET_INFERENCE_THREADS: '1' });
    invoice = await renderFormPng(INVOICE_LINES, { width: 800, height: 300 });
    letter = await renderFormPng(LETTER_LINES, { width: 800, height: 300 });
  });
  after(() => app?.close());

  const upload = (data: Buffer, fields: Record<string, string> = {}) => postDocument(app, '/v1/classify', data, fields);

  it('lists the classify bundle as the default classify model', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/models' });
    const model = response.json().models.find((m: { id: string }) => m.id === MANIFEST.id);
    assert.deepEqual(model?.tasks, ['classify']);
    assert.deepEqual(model.labels, { classify: LABELS });
    assert.deepEqual(model.defaultFor, ['classify']);
  });

  it('classifies a PNG with server OCR', async () => {
    const response = await upload(invoice);
    assert.equal(response.statusCode, 200, response.body);
    const body: ClassifyBody = response.json();
    assertBody(body, [1]);
    assert.ok(body.timings.ocrMs > 0 && body.timings.modelMs > 0 && body.timings.totalMs >= body.timings.ocrMs);
    assert.equal(body.timings.cacheHit, false);
  });

  it('classifies a JPEG sent as JSON with client words (no OCR)', async () => {
    const jpeg = await sharp(letter).jpeg().toBuffer();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/classify',
      payload: { document: jpeg.toString('base64'), words: formWords(LETTER_LINES), model: MANIFEST.id },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body: ClassifyBody = response.json();
    assertBody(body, [1]);
    assert.equal(body.timings.ocrMs, 0);
  });

  it('classifies every page of a multi-page TIFF, and only the selected ones with "pages"', async () => {
    const tiff = await tiffOf([invoice, letter, await solidPng(800, 300)]);
    const all: ClassifyBody = (await upload(tiff)).json();
    assertBody(all, [1, 2, 3]);
    const selected = await upload(tiff, { pages: '1,3' });
    assert.equal(selected.statusCode, 200, selected.body);
    const body: ClassifyBody = selected.json();
    assertBody(body, [1, 3]);
    // Same pages, same bytes: the same per-page result, now from the page cache.
    assert.deepEqual(body.pages, [all.pages[0], all.pages[2]]);
    assert.equal(body.timings.ocrMs, 0);
  });

  it('classifies a PDF from its text layer without OCR', async () => {
    const response = await upload(textLayerPdf(), { pages: '1-2' });
    assert.equal(response.statusCode, 200, response.body);
    const body: ClassifyBody = response.json();
    assertBody(body, [1, 2]);
    assert.equal(body.timings.ocrMs, 0);
  });

  it('classifies a scanned PDF with OCR', async () => {
    const response = await upload(await scannedPdf([INVOICE_LINES]));
    assert.equal(response.statusCode, 200, response.body);
    const body: ClassifyBody = response.json();
    assertBody(body, [1]);
    assert.ok(body.timings.ocrMs > 0);
  });

  it('classifies a page without any text from its image alone', async () => {
    const response = await upload(await solidPng(300, 200));
    assert.equal(response.statusCode, 200, response.body);
    assertBody(response.json(), [1]);
  });

  it('answers 4xx with a code for bad input', async () => {
    assertError(await upload(invoice, { model: 'no-such-model' }), 404, 'MODEL_NOT_FOUND');
    assertError(await upload(invoice, { model: 'tiny-extract' }), 404, 'MODEL_NOT_FOUND');
    assertError(await upload(invoice, { pages: '2-1' }), 400, 'INVALID_PAGES');
    assertError(await upload(invoice, { pages: '2' }), 400, 'PAGES_OUT_OF_RANGE');
    assertError(await app.inject({ method: 'POST', url: '/v1/classify', payload: {} }), 400, 'MISSING_DOCUMENT');
    assertError(await upload(Buffer.from('not a document')), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});
