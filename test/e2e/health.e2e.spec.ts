import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootApp, TINY_EXTRACT_BUNDLE } from '../helpers/app';

interface ReadinessBody {
  status: string;
  ocr: { engine: string; available: boolean; reason?: string };
  models: Array<{ id: string; task: string; executionProvider: string; executionProviderFallback?: string }>;
}

describe('health and app foundation, without models', () => {
  let app: NestFastifyApplication;
  const emptyModelsDir = mkdtempSync(join(tmpdir(), 'aetnet-no-models-'));

  before(async () => {
    app = await bootApp({ AETNET_SHIPPED_MODELS_DIR: emptyModelsDir });
  });
  after(async () => {
    await app?.close();
    rmSync(emptyModelsDir, { recursive: true, force: true });
  });

  it('GET /health/live answers ok', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
    assert.ok(response.headers['x-request-id']);
  });

  it('GET /health/ready is 503 while no model is loaded, with OCR up', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { status: 'not_ready', ocr: { engine: 'ppocr', available: true }, models: [] });
  });

  it('unknown routes answer 404 NOT_FOUND in the error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(response.statusCode, 404);
    assert.equal((response.json() as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('serves the OpenAPI document at /docs-json', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs-json' });
    assert.equal(response.statusCode, 200);
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    assert.ok(paths.includes('/health/ready'), paths.join(', '));
    assert.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode, 200);
  });
});

describe('health with the tiny model', { skip: !existsSync(TINY_EXTRACT_BUNDLE) && 'tiny bundle not exported yet' }, () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp();
  });
  after(() => app?.close());

  it('GET /health/ready is 200 and lists models with their execution provider', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as ReadinessBody;
    assert.equal(body.status, 'ready');
    assert.ok(body.models.length > 0);
    for (const model of body.models) assert.equal(model.executionProvider, 'cpu');
  });
});

describe('health when CUDA is preferred', { skip: !existsSync(TINY_EXTRACT_BUNDLE) && 'tiny bundle not exported yet' }, () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp({ AETNET_EXECUTION_PROVIDERS: 'cuda,cpu' });
  });
  after(() => app?.close());

  it('serves on CUDA, or on the CPU with the reason CUDA did not load', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(response.statusCode, 200, response.body);
    const { models } = response.json() as ReadinessBody;
    assert.ok(models.length > 0);
    for (const model of models) {
      const onCpu = model.executionProvider === 'cpu';
      assert.equal(model.executionProvider, onCpu ? 'cpu' : 'cuda');
      assert.match(model.executionProviderFallback ?? 'none', onCpu ? /^cuda: \S/ : /^none$/);
    }
  });
});
