import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '../helpers/app';
import { solidPng } from '../helpers/fixtures';

const PAGE = { width: 1240, height: 1754 };
const LIVENESS_BUDGET_MS = 100;

/** A dense page of client words: thousands of tokens, so each request needs many windows and forward passes. */
function denseWords(count: number) {
  const columns = 20;
  const cellWidth = PAGE.width / columns;
  const rowHeight = PAGE.height / Math.ceil(count / columns);
  return Array.from({ length: count }, (_, i) => {
    const x = (i % columns) * cellWidth;
    const y = Math.floor(i / columns) * rowHeight;
    return { text: i % 3 === 0 ? `Field${i}:` : `value${i}`, box: [x, y, x + cellWidth - 2, y + rowHeight - 1], segment: Math.floor(i / 4) };
  });
}

describe('inference stays off the event loop', () => {
  let app: NestFastifyApplication;

  before(async () => {
    // Page cache off: the same document again would reuse its first forward pass instead of running long ones.
    app = await bootApp({ AETNET_INFERENCE_THREADS: '1', AETNET_PAGE_CACHE_MAX_ENTRIES: '0' });
  });

  after(async () => {
    await app?.close();
  });

  it(`answers GET /health/live within ${LIVENESS_BUDGET_MS} ms while long forwards run`, async () => {
    const payload = { document: (await solidPng(PAGE.width, PAGE.height)).toString('base64'), words: denseWords(600) };
    // A first request warms the JIT, so what is measured below is the forward passes, not cold-start parsing.
    assert.equal((await app.inject({ method: 'POST', url: '/v1/extract', payload })).statusCode, 200);

    let inFlight = true;
    const started = performance.now();
    const extracts = Promise.all(
      Array.from({ length: 3 }, () => app.inject({ method: 'POST', url: '/v1/extract', payload })),
    ).finally(() => {
      inFlight = false;
    });

    const latencies: number[] = [];
    while (inFlight) {
      const probeStarted = performance.now();
      const live = await app.inject({ method: 'GET', url: '/health/live' });
      latencies.push(performance.now() - probeStarted);
      assert.equal(live.statusCode, 200);
      await sleep(10);
    }
    const responses = await extracts;
    const busyMs = performance.now() - started;

    for (const response of responses) assert.equal(response.statusCode, 200, response.body);
    const modelMs = responses.reduce((sum, r) => sum + r.json().pages[0].timings.modelMs, 0);
    assert.ok(latencies.length >= 5, `only ${latencies.length} probes during ${busyMs.toFixed(0)} ms of extraction`);
    const worst = Math.max(...latencies);
    assert.ok(
      worst < LIVENESS_BUDGET_MS,
      `slowest liveness answer ${worst.toFixed(1)} ms (${latencies.length} probes, ${modelMs.toFixed(0)} ms of model time)`,
    );
  });
});
