import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '../helpers/app';
import { solidPng } from '../helpers/fixtures';

describe('GET /metrics', () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp({ AETNET_INFERENCE_THREADS: '1' });
  });

  after(async () => {
    await app?.close();
  });

  it('exposes request, inference, OCR and process metrics in Prometheus text after a request', async () => {
    const words = [
      { text: 'Name:', box: [10, 10, 70, 30] },
      { text: 'Smith', box: [80, 10, 140, 30] },
    ];
    const document = (await solidPng(200, 50)).toString('base64');
    const extract = await app.inject({
      method: 'POST',
      url: '/v1/extract',
      headers: { authorization: 'Bearer secret-key-never-exposed' },
      payload: { document, words },
    });
    assert.equal(extract.statusCode, 200, extract.body);
    assert.equal((await app.inject({ method: 'GET', url: '/no/such/route/123' })).statusCode, 404);

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    const text = response.body;
    assert.match(text, /^aetnet_http_requests_total\{route="\/v1\/extract",method="POST",status="200"\} 1$/m);
    assert.match(text, /^aetnet_http_requests_total\{route="unmatched",method="GET",status="404"\} 1$/m);
    assert.match(text, /^aetnet_http_request_duration_seconds_bucket\{le="\+Inf",route="\/v1\/extract"\} 1$/m);
    assert.match(text, /^aetnet_inference_queue_depth\{model="tiny-extract"\} 0$/m);
    assert.match(text, /^aetnet_inference_batch_size_count\{model="tiny-extract"\} [1-9]/m);
    assert.match(text, /^aetnet_model_seconds_count\{model="tiny-extract"\} [1-9]/m);
    for (const name of ['aetnet_ocr_seconds_count', 'aetnet_ocr_queue_depth', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
      assert.match(text, new RegExp(`^${name} `, 'm'), `${name} exposed`);
    }
    assert.ok(!text.includes('secret-key'), 'no request header reaches the metrics');
    assert.ok(!/route="\/no\/such/.test(text), 'unknown URLs do not become labels');
  });
});
