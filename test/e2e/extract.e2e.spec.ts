import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assertError, bootApp, postDocument, TINY_EXTRACT_BUNDLE } from '../helpers/app';
import { formWords, renderFormPng, solidPng } from '../helpers/fixtures';

/** The real tiny bundle exported by the trainer. */
const MANIFEST = JSON.parse(readFileSync(join(TINY_EXTRACT_BUNDLE, 'manifest.json'), 'utf8'));

const FORM_LINES = ['REGISTRATION FORM', 'Name: John Smith', 'Date: 12/03/1990', 'City: Springfield'];

interface ExtractBody {
  model: { id: string; version: string };
  pages: Array<{
    page: number;
    width: number;
    height: number;
    entities: Array<{ label: string; text: string; confidence: number; box: number[]; words: number[] }>;
    words: Array<{ text: string; box: number[]; label: string; confidence: number }>;
    pairs: Array<{ keyIndex: number; valueIndex: number | null; key: object; value: object | null; confidence: number | null }>;
    pairsFrom: string;
    timings: { ocrMs: number; modelMs: number };
  }>;
  timings: { totalMs: number };
}

function assertInside(box: number[], width: number, height: number) {
  assert.equal(box.length, 4);
  const [x0, y0, x1, y1] = box;
  assert.ok(0 <= x0 && x0 <= x1 && x1 <= width && 0 <= y0 && y0 <= y1 && y1 <= height, `box ${box} outside ${width}×${height}`);
}

function assertPageShape(page: ExtractBody['pages'][number]) {
  const entityTypes = new Set(MANIFEST.labels.filter((l: string) => l !== 'O').map((l: string) => l.slice(2)));
  for (const word of page.words) {
    assertInside(word.box, page.width, page.height);
    assert.ok(MANIFEST.labels.includes(word.label), `unknown label ${word.label}`);
    assert.ok(word.confidence >= 0 && word.confidence <= 1);
  }
  for (const entity of page.entities) {
    assert.ok(entityTypes.has(entity.label), `unknown entity type ${entity.label}`);
    assertInside(entity.box, page.width, page.height);
    assert.ok(entity.words.length > 0 && entity.words.every((i) => page.words[i] && page.words[i].label !== 'O'));
    assert.equal(entity.text, entity.words.map((i) => page.words[i].text).join(' '));
    assert.ok(entity.confidence >= 0 && entity.confidence <= 1);
  }
  // Pairs: a QUESTION key with an ANSWER value (or none), embedded as in `entities`; every question is listed.
  assert.equal(page.pairsFrom, 'geometric');
  for (const pair of page.pairs) {
    assert.deepEqual(pair.key, page.entities[pair.keyIndex]);
    assert.equal(page.entities[pair.keyIndex].label, 'QUESTION');
    if (pair.valueIndex === null) assert.equal(pair.value, null);
    else {
      assert.deepEqual(pair.value, page.entities[pair.valueIndex]);
      assert.equal(page.entities[pair.valueIndex].label, 'ANSWER');
    }
  }
  const keys = new Set(page.pairs.map((pair) => pair.keyIndex));
  page.entities.forEach((entity, index) => assert.equal(keys.has(index), entity.label === 'QUESTION', `entity ${index} (${entity.label})`));
  const values = page.pairs.flatMap((pair) => (pair.valueIndex === null ? [] : [pair.valueIndex]));
  assert.equal(new Set(values).size, values.length, 'an answer belongs to one question');
}

describe('POST /v1/extract (real OCR, real tiny bundle)', () => {
  let app: NestFastifyApplication;
  let form: Buffer;

  before(async () => {
    app = await bootApp({ AETNET_INFERENCE_THREADS: '1' });
    form = await renderFormPng(FORM_LINES);
  });

  after(async () => {
    await app?.close();
  });

  it('lists the bundle in GET /v1/models', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(response.statusCode, 200);
    const model = response.json().models.find((m: { id: string }) => m.id === MANIFEST.id);
    assert.ok(model, 'tiny bundle listed');
    assert.equal(model.version, MANIFEST.version);
    assert.deepEqual(model.tasks, ['extract']);
    assert.deepEqual(model.labels, { extract: MANIFEST.labels });
    assert.equal(model.maxLength, MANIFEST.maxLength);
    assert.equal(model.executionProvider, 'cpu');
    assert.equal(typeof model.metrics, 'object');
    assert.deepEqual(model.defaultFor, ['extract']);
  });

  it('extracts from a multipart upload with server OCR', async () => {
    const response = await postDocument(app, '/v1/extract', form, {}, 'form.png');
    assert.equal(response.statusCode, 200, response.body);
    const body: ExtractBody = response.json();
    assert.deepEqual(body.model, { id: MANIFEST.id, version: MANIFEST.version });
    assert.equal(body.pages.length, 1);
    const [page] = body.pages;
    assert.equal(page.page, 1);
    assert.equal(page.width, 800);
    assert.equal(page.height, 100 + 70 * FORM_LINES.length);
    assert.ok(page.words.length >= 6, `OCR found ${page.words.length} words`);
    assert.ok(page.words.some((w) => /smith/i.test(w.text)));
    assertPageShape(page);
    assert.ok(page.timings.ocrMs > 0 && page.timings.modelMs > 0);
    assert.ok(body.timings.totalMs >= page.timings.ocrMs);
  });

  it('uses client words instead of OCR (JSON body, explicit model)', async () => {
    const words = formWords(FORM_LINES);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/extract',
      payload: { document: form.toString('base64'), words, model: MANIFEST.id },
    });
    assert.equal(response.statusCode, 200, response.body);
    const [page] = (response.json() as ExtractBody).pages;
    assert.equal(page.timings.ocrMs, 0);
    assert.deepEqual(
      page.words.map((w) => [w.text, w.box]),
      words.map((w) => [w.text, w.box]),
    );
    assertPageShape(page);
  });

  it('answers a page without words with no entities', async () => {
    const response = await postDocument(app, '/v1/extract', await solidPng(200, 100), {}, 'blank.png');
    assert.equal(response.statusCode, 200, response.body);
    const [page] = (response.json() as ExtractBody).pages;
    assert.deepEqual(page.words, []);
    assert.deepEqual(page.entities, []);
    assert.equal(page.timings.modelMs, 0);
  });

  it('answers 404 MODEL_NOT_FOUND for an unknown model', async () => {
    assertError(await postDocument(app, '/v1/extract', form, { model: 'no-such-model' }, 'form.png'), 404, 'MODEL_NOT_FOUND');
  });

  it('documents the endpoint in the OpenAPI document, multipart included', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs-json' });
    assert.equal(response.statusCode, 200);
    const operation = response.json().paths['/v1/extract']?.post;
    assert.ok(operation, 'POST /v1/extract documented');
    assert.ok(operation.requestBody.content['multipart/form-data']);
    assert.ok(operation.requestBody.content['application/json']);
    assert.ok(response.json().components.schemas.ExtractResponseDto);
  });

  it('documents every request and response field of the three inference endpoints', async () => {
    const schemas = (await app.inject({ method: 'GET', url: '/docs-json' })).json().components.schemas;
    const fields = (name: string) => Object.keys(schemas[name]?.properties ?? {}).sort();
    const required = (name: string) => [...(schemas[name]?.required ?? [])].sort();
    for (const task of ['Extract', 'Classify', 'Ask']) {
      const own = task === 'Ask' ? ['minScore', 'questions', 'topK'] : [];
      assert.deepEqual(fields(`${task}MultipartDto`), ['file', 'model', 'pages', 'words', ...own].sort(), task);
      assert.deepEqual(fields(`${task}JsonDto`), ['document', 'model', 'pages', 'words', ...own].sort(), task);
      assert.deepEqual(required(`${task}JsonDto`), task === 'Ask' ? ['document', 'questions'] : ['document'], task);
      assert.match(schemas[`${task}JsonDto`].properties.model.description, new RegExp(`shipped ${task.toLowerCase()} model`));
    }
    assert.deepEqual(fields('ExtractResponseDto'), ['model', 'pages', 'timings']);
    assert.deepEqual(fields('ClassifyResponseDto'), ['document', 'model', 'pages', 'timings']);
    assert.deepEqual(fields('AskResponseDto'), ['answers', 'model', 'timings']);
    assert.deepEqual(fields('RequestTimingsDto'), ['cacheHit', 'decodeMs', 'imageEncoderMs', 'modelMs', 'ocrMs', 'totalMs']);
  });
});
