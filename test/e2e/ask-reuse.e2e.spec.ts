import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootApp, postDocument } from '../helpers/app';
import { renderFormPng } from '../helpers/fixtures';

/**
 * Reuse across questions: a second request about the same bytes takes decoding, OCR words and the image encoder
 * output from the page cache, and costs at most half of the first.
 */

interface AskBody {
  answers: Array<{ question: string; answer: string | null; confidence: number; topK: unknown[] }>;
  timings: { totalMs: number; ocrMs: number; imageEncoderMs: number; modelMs: number; cacheHit: boolean };
}

const FORM_LINES = ['Name: John Smith', 'Date: 12/03/1990', 'City: Springfield', 'Phone: 555 0199'];

describe('POST /v1/ask reuses a page across requests', () => {
  let app: NestFastifyApplication;
  let page: Buffer;

  before(async () => {
    app = await bootApp({ AETNET_INFERENCE_THREADS: '1' });
    page = await renderFormPng(FORM_LINES);
    // Warm the OCR worker and both ONNX sessions on another page, so the comparison is steady state, not start-up.
    const warmUp = await ask(await renderFormPng(['Warm up']), ['Why?']);
    assert.equal(warmUp.statusCode, 200, warmUp.body);
  });
  after(() => app?.close());

  const ask = (data: Buffer, questions: string[]) => postDocument(app, '/v1/ask', data, { questions: JSON.stringify(questions) }, 'page.png');

  it('answers a second question about the same page from the cache, in at most half the time', async () => {
    const firstResponse = await ask(page, ['What is the name?']);
    assert.equal(firstResponse.statusCode, 200, firstResponse.body);
    const first: AskBody = firstResponse.json();
    assert.equal(first.timings.cacheHit, false);
    assert.ok(first.timings.ocrMs > 0 && first.timings.imageEncoderMs > 0, JSON.stringify(first.timings));

    const secondResponse = await ask(page, ['What is the date?']);
    assert.equal(secondResponse.statusCode, 200, secondResponse.body);
    const second: AskBody = secondResponse.json();
    assert.equal(second.timings.cacheHit, true);
    assert.equal(second.timings.ocrMs, 0);
    assert.equal(second.timings.imageEncoderMs, 0);
    assert.ok(second.timings.modelMs > 0);
    assert.ok(
      second.timings.totalMs <= first.timings.totalMs / 2,
      `second request ${second.timings.totalMs} ms, first ${first.timings.totalMs} ms (${JSON.stringify(first.timings)})`,
    );
  });

  it('gives the same answer from cached work as from fresh work', async () => {
    const fresh: AskBody = (await ask(await renderFormPng(FORM_LINES.slice(0, 3)), ['What is the city?'])).json();
    const cached: AskBody = (await ask(await renderFormPng(FORM_LINES.slice(0, 3)), ['What is the city?'])).json();
    assert.equal(fresh.timings.cacheHit, false);
    assert.equal(cached.timings.cacheHit, true);
    assert.deepEqual(cached.answers, fresh.answers);
  });

  it('keys the cache by content, not by transport or file name', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/ask',
      payload: { document: page.toString('base64'), questions: ['What is the phone number?'] },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((response.json() as AskBody).timings.cacheHit, true);
  });
});
