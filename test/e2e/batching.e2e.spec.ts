import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '../helpers/app';
import { solidPng } from '../helpers/fixtures';

/** Client words for a one-line page; the count sets how many tokens (so how long a window) the request has. */
function lineWords(count: number) {
  return Array.from({ length: count }, (_, i) => ({ text: i % 2 ? `value${i}` : `Field${i}:`, box: [10 + 60 * i, 20, 60 + 60 * i, 40], segment: Math.floor(i / 3) }));
}

/** The value of one sample line of the Prometheus text, or undefined. */
function sample(metrics: string, name: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

type Labelled = Array<{ label: string; confidence: number }>;

describe('dynamic batching of /v1/extract', () => {
  let app: NestFastifyApplication;
  let document: string;

  before(async () => {
    // A generous wait makes the four concurrent requests meet in one batch even on a busy machine; the page cache is
    // off, or the repeated requests would reuse their first forward passes.
    app = await bootApp({ AETNET_BATCH_MAX_WAIT_MS: '300', AETNET_BATCH_MAX_SIZE: '8', AETNET_INFERENCE_THREADS: '1', AETNET_PAGE_CACHE_MAX_ENTRIES: '0' });
    document = (await solidPng(1000, 60)).toString('base64');
  });

  after(async () => {
    await app?.close();
  });

  const extract = (words: ReturnType<typeof lineWords>) => app.inject({ method: 'POST', url: '/v1/extract', payload: { document, words } });

  it('merges 4 concurrent requests of different lengths into one forward pass with the same answers as alone', async () => {
    const wordCounts = [3, 5, 8, 12];
    const alone: Labelled[] = [];
    for (const count of wordCounts) {
      const response = await extract(lineWords(count));
      assert.equal(response.statusCode, 200, response.body);
      alone.push(response.json().pages[0].words);
    }
    const before = await app.inject({ method: 'GET', url: '/metrics' });
    const countBefore = sample(before.body, 'aetnet_inference_batch_size_count{model="tiny-extract"}') ?? 0;
    const sumBefore = sample(before.body, 'aetnet_inference_batch_size_sum{model="tiny-extract"}') ?? 0;

    const together = await Promise.all(wordCounts.map((count) => extract(lineWords(count))));
    together.forEach((response, index) => {
      assert.equal(response.statusCode, 200, response.body);
      const words: Labelled = response.json().pages[0].words;
      assert.deepEqual(words.map((w) => w.label), alone[index].map((w) => w.label));
      words.forEach((word, i) => assert.ok(Math.abs(word.confidence - alone[index][i].confidence) < 1e-4, `request ${index} word ${i}`));
    });

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const batches = (sample(metrics, 'aetnet_inference_batch_size_count{model="tiny-extract"}') ?? 0) - countBefore;
    const rows = (sample(metrics, 'aetnet_inference_batch_size_sum{model="tiny-extract"}') ?? 0) - sumBefore;
    assert.ok(rows >= 4 && batches < rows, `${rows} rows went in ${batches} forward passes: no batch > 1`);
  });
});

describe('bounded inference queue', () => {
  let app: NestFastifyApplication;

  before(async () => {
    // One row may wait, and it waits long enough for a second request to find the queue full.
    app = await bootApp({ AETNET_QUEUE_LIMIT: '1', AETNET_BATCH_MAX_WAIT_MS: '1500', AETNET_INFERENCE_THREADS: '1' });
  });

  after(async () => {
    await app?.close();
  });

  it('answers 503 OVERLOADED with Retry-After when the queue is full, and serves the waiting request', async () => {
    const document = (await solidPng(1000, 60)).toString('base64');
    const payload = { document, words: lineWords(4) };
    const first = app.inject({ method: 'POST', url: '/v1/extract', payload });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refused = await app.inject({ method: 'POST', url: '/v1/extract', payload });
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(refused.json().error.code, 'OVERLOADED');
    assert.ok(Number(refused.headers['retry-after']) >= 1, `Retry-After ${refused.headers['retry-after']}`);
    assert.equal((await first).statusCode, 200);
  });
});
