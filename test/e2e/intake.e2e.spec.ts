import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertError, bootApp, multipart, postDocument, TINY_EXTRACT_BUNDLE } from '../helpers/app';
import { multiPageTiff, pngWithHeader, renderFormPng, solidPng } from '../helpers/fixtures';

const MAX_UPLOAD_BYTES = 1024 * 1024;
/** Document and word checks run after the model is resolved, so they need a loaded model. */
const needsModel = existsSync(TINY_EXTRACT_BUNDLE) ? {} : { skip: 'test/fixtures/bundles/tiny-extract is not exported yet' };

describe('POST /v1/extract: document intake errors', () => {
  let app: NestFastifyApplication;
  let form: Buffer;

  before(async () => {
    app = await bootApp({ AETNET_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), AETNET_MAX_PAGES: '2' });
    form = await renderFormPng(['Name: Ann Lee', 'Date: 2024-01-05']);
  });
  after(() => app?.close());

  const upload = (data: Buffer, fields: Record<string, string> = {}) => postDocument(app, '/v1/extract', data, fields, 'doc');

  it('rejects a form without the file field (400 MISSING_DOCUMENT)', async () => {
    const { payload, headers } = multipart([{ name: 'model', value: 'tiny-extract' }]);
    assertError(await app.inject({ method: 'POST', url: '/v1/extract', payload, headers }), 400, 'MISSING_DOCUMENT');
  });

  it('rejects JSON without a document, with bad base64, or malformed (400)', async () => {
    assertError(await app.inject({ method: 'POST', url: '/v1/extract', payload: { words: [] } }), 400, 'MISSING_DOCUMENT');
    assertError(await app.inject({ method: 'POST', url: '/v1/extract', payload: { document: 'not base64!!' } }), 400, 'INVALID_REQUEST');
    const malformed = await app.inject({ method: 'POST', url: '/v1/extract', payload: '{"document": ', headers: { 'content-type': 'application/json' } });
    assertError(malformed, 400, 'INVALID_REQUEST');
  });

  it('rejects an unsupported content type (415)', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/extract', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    assertError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects uploads over the size limit (413 PAYLOAD_TOO_LARGE)', async () => {
    assertError(await upload(Buffer.alloc(MAX_UPLOAD_BYTES + 1)), 413, 'PAYLOAD_TOO_LARGE');
    const document = Buffer.alloc(MAX_UPLOAD_BYTES + 1).toString('base64');
    assertError(await app.inject({ method: 'POST', url: '/v1/extract', payload: { document } }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('rejects words that are not JSON (400 INVALID_WORDS)', async () => {
    assertError(await upload(form, { words: '[{"text": ' }), 400, 'INVALID_WORDS');
  });

  it('rejects non-image bytes (415 UNSUPPORTED_MEDIA_TYPE) and a broken PDF (422 DOCUMENT_UNREADABLE)', needsModel, async () => {
    assertError(await upload(Buffer.from('name,date\nAnn,2024-01-05\n')), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await upload(Buffer.from('%PDF-1.7\n1 0 obj\n')), 422, 'DOCUMENT_UNREADABLE');
  });

  it('rejects a truncated PNG and a 0×0 image (422 DOCUMENT_UNREADABLE)', needsModel, async () => {
    assertError(await upload(form.subarray(0, Math.floor(form.length / 2))), 422, 'DOCUMENT_UNREADABLE');
    assertError(await upload(pngWithHeader(0, 0)), 422, 'DOCUMENT_UNREADABLE');
  });

  it('rejects a 100000×100000 header before decoding (413 IMAGE_TOO_LARGE)', needsModel, async () => {
    const details = assertError(await upload(pngWithHeader(100_000, 100_000)), 413, 'IMAGE_TOO_LARGE');
    assert.equal(details.width, 100_000);
  });

  it('rejects more pages than allowed (413 TOO_MANY_PAGES)', needsModel, async () => {
    assertError(await upload(await multiPageTiff(3)), 413, 'TOO_MANY_PAGES');
  });

  it('rejects empty, malformed and out-of-page words (400 INVALID_WORDS naming the word)', needsModel, async () => {
    const words = (value: unknown) => upload(form, { words: JSON.stringify(value) });
    assertError(await words([]), 400, 'INVALID_WORDS');
    const malformed = assertError(await words([{ words: [{ text: 'Name:', box: [10, 10, 90] }] }]), 400, 'INVALID_WORDS');
    assert.deepEqual([malformed.index, malformed.field], [0, 'box']);
    const outside = assertError(await words([{ words: [{ text: 'ok', box: [0, 0, 5, 5] }, { text: 'Name:', box: [10, 10, 9000, 40] }] }]), 400, 'INVALID_WORDS');
    assert.deepEqual([outside.page, outside.index, outside.field], [1, 1, 'box']);
    const emptyText = assertError(await words([{ words: [{ text: '', box: [10, 10, 90, 40] }] }]), 400, 'INVALID_WORDS');
    assert.equal(emptyText.field, 'text');
  });

  it('accepts the same words through JSON and base64', needsModel, async () => {
    const small = await solidPng(200, 100);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/extract',
      payload: { document: small.toString('base64'), words: [{ words: [{ text: 'Total', box: [10, 10, 80, 30] }] }] },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((response.json() as { pages: Array<{ words: unknown[] }> }).pages[0].words.length, 1);
  });
});
