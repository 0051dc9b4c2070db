import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RegistryService } from '../../src/registry/registry.service';
import { bootApp, TINY_EXTRACT_BUNDLE } from '../helpers/app';
import { ADMIN_AUTH, ADMIN_KEY } from '../helpers/admin';
import { formWords, renderFormPng } from '../helpers/fixtures';
import { pollUntil } from '../helpers/poll';

const SHIPPED_ID = 'tiny-extract';
const POLL_MS = 100;
/** Shared by both replicas; the queue limit is raised because the swap test queues many windows at once. */
// Page cache off: the swap-under-load test needs every one of its identical requests to run the graph.
const ENV = { AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_REGISTRY_POLL_MS: String(POLL_MS), AETNET_QUEUE_LIMIT: '10000', AETNET_PAGE_CACHE_MAX_ENTRIES: '0' };
const FORM_LINES = ['REGISTRATION FORM', 'Name: John Smith', 'Date: 12/03/1990'];

interface VersionBody {
  id: string;
  task: string;
  active: boolean;
  source: 'shipped' | 'tuned';
  createdAt: string;
  metrics: Record<string, unknown>;
}
interface ListBody {
  tasks: Array<{ task: string; active: string | null; versions: VersionBody[] }>;
}

describe('model versions: publish, hot swap, rollback, delete, download', async () => {
  let workDir: string;
  let dataDir: string;
  let app: NestFastifyApplication;
  let registry: RegistryService;
  let form: Buffer;

  /** A copy of the tiny bundle under a new id, as the trainer's export would leave it. */
  async function exportedBundle(id: string, edit: (manifest: Record<string, any>) => void = () => undefined): Promise<string> {
    const dir = join(workDir, `export-${id}-${Math.random().toString(16).slice(2)}`);
    await cp(TINY_EXTRACT_BUNDLE, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.id = id;
    manifest.metrics = { f1: 0.5 };
    edit(manifest);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  const list = async (target = app): Promise<ListBody> => {
    const response = await target.inject({ method: 'GET', url: '/admin/models', headers: ADMIN_AUTH });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  };
  const extractTask = async (target = app) => (await list(target)).tasks.find((t) => t.task === 'extract')!;
  const activeExtract = async (target = app) => (await extractTask(target)).active;
  const admin = (method: 'POST' | 'DELETE' | 'GET', url: string, target = app) => target.inject({ method, url, headers: ADMIN_AUTH });
  const extract = async (target = app, document = form, lines = FORM_LINES): Promise<string> => {
    const response = await target.inject({ method: 'POST', url: '/v1/extract', payload: { document: document.toString('base64'), words: formWords(lines) } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().model.id;
  };

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'aetnet-versions-'));
    dataDir = join(workDir, 'data');
    form = await renderFormPng(FORM_LINES);
    app = await bootApp({ ...ENV, AETNET_DATA_DIR: dataDir });
    registry = app.get(RegistryService);
  });

  after(async () => {
    await app?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('requires the admin key', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/admin/models' })).statusCode, 401);
    const wrong = await app.inject({ method: 'GET', url: '/admin/models', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 401);
  });

  it('lists the shipped bundle as the active, read-only extract version', async () => {
    const task = await extractTask();
    assert.equal(task.active, SHIPPED_ID);
    const shipped = task.versions.find((v) => v.id === SHIPPED_ID)!;
    assert.equal(shipped.source, 'shipped');
    assert.equal(shipped.active, true);
    assert.ok(!Number.isNaN(Date.parse(shipped.createdAt)));
    const refused = await admin('DELETE', `/admin/models/${SHIPPED_ID}`);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'MODEL_READ_ONLY');
  });

  it('publishes a version atomically, not active', async () => {
    const source = await exportedBundle('tiny-v2');
    const model = await registry.publish(source);
    assert.equal(model.id, 'tiny-v2');
    assert.equal(existsSync(source), false, 'the export directory was moved in');
    assert.deepEqual(await readdir(join(dataDir, 'registry', 'bundles')), ['tiny-v2']);
    const version = (await extractTask()).versions.find((v) => v.id === 'tiny-v2')!;
    assert.deepEqual([version.active, version.source, version.metrics], [false, 'tuned', { f1: 0.5 }]);
    assert.equal(await extract(), SHIPPED_ID);
  });

  it('refuses invalid bundles and taken ids, leaving nothing behind', async () => {
    const broken = await exportedBundle('tiny-broken', (manifest) => {
      manifest.labels = ['O', 'HEADER'];
    });
    await assert.rejects(registry.publish(broken), (error: any) => error.code === 'INVALID_BUNDLE');
    assert.equal(existsSync(join(broken, 'manifest.json')), true, 'a refused bundle stays where it was');
    const missingGraph = await exportedBundle('tiny-no-graph');
    await rm(join(missingGraph, 'model.onnx'));
    await assert.rejects(registry.publish(missingGraph), (error: any) => error.code === 'INVALID_BUNDLE');
    await assert.rejects(registry.publish(await exportedBundle('tiny-v2')), (error: any) => error.code === 'MODEL_EXISTS');
    await assert.rejects(registry.publish(await exportedBundle(SHIPPED_ID)), (error: any) => error.code === 'MODEL_EXISTS');
    assert.deepEqual(await readdir(join(dataDir, 'registry', 'bundles')), ['tiny-v2']);
  });

  it('activates a version: /v1/extract uses it', async () => {
    const response = await admin('POST', '/admin/models/tiny-v2/activate');
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().active, true);
    assert.equal(await extract(), 'tiny-v2');
    assert.equal(await activeExtract(), 'tiny-v2');
    const persisted = JSON.parse(await readFile(join(dataDir, 'registry', 'active.json'), 'utf8'));
    assert.deepEqual(persisted.active, { extract: 'tiny-v2' });
    assert.equal((await admin('POST', '/admin/models/missing/activate')).json().error.code, 'MODEL_NOT_FOUND');
  });

  it('swaps versions under load: requests in flight finish, none fail', async () => {
    await registry.publish(await exportedBundle('tiny-v3'));
    // A long page (many windows per request) keeps the single inference worker busy through the swap.
    const longLines = Array.from({ length: 24 }, (_, i) => `Field ${i}: value number ${i} of the long form`);
    const longForm = await renderFormPng(longLines);
    const inFlight = Array.from({ length: 12 }, () => extract(app, longForm, longLines).then((id) => ({ id, finishedAt: Date.now() })));
    await sleep(20);
    const activation = await admin('POST', '/admin/models/tiny-v3/activate');
    const swappedAt = Date.now();
    assert.equal(activation.statusCode, 200, activation.body);
    const served = await Promise.all(inFlight);
    assert.ok(served.every(({ id }) => id === 'tiny-v2' || id === 'tiny-v3'), served.map(({ id }) => id).join());
    assert.ok(
      served.some(({ id, finishedAt }) => id === 'tiny-v2' && finishedAt > swappedAt),
      'a request that resolved the old version finished on it after the swap',
    );
    assert.equal(await extract(), 'tiny-v3');
  });

  it('rolls back to the previous active version, then has none left', async () => {
    const first = await admin('POST', '/admin/models/extract/rollback');
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().id, 'tiny-v2');
    assert.equal(await extract(), 'tiny-v2');
    assert.equal((await admin('POST', '/admin/models/extract/rollback')).json().id, SHIPPED_ID);
    const none = await admin('POST', '/admin/models/extract/rollback');
    assert.equal(none.statusCode, 409);
    assert.equal(none.json().error.code, 'NO_PREVIOUS_VERSION');
    assert.equal((await admin('POST', '/admin/models/translate/rollback')).statusCode, 400);
    assert.equal((await admin('POST', '/admin/models/tiny-v2/activate')).statusCode, 200);
  });

  it('refuses to delete the active version; deletes another from disk', async () => {
    const refused = await admin('DELETE', '/admin/models/tiny-v2');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'MODEL_ACTIVE');
    const removed = await admin('DELETE', '/admin/models/tiny-v3');
    assert.equal(removed.statusCode, 204);
    await pollUntil(() => readdir(join(dataDir, 'registry', 'bundles')), (names) => names.join() === 'tiny-v2', 'the deleted bundle to leave the disk', { timeoutMs: 2000, intervalMs: POLL_MS / 2 });
    assert.ok(!(await extractTask()).versions.some((v) => v.id === 'tiny-v3'));
    assert.equal((await admin('DELETE', '/admin/models/tiny-v3')).statusCode, 404);
  });

  it('downloads a bundle as a tar archive', async () => {
    const response = await admin('GET', '/admin/models/tiny-v2/bundle');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/x-tar');
    assert.equal(Number(response.headers['content-length']), response.rawPayload.length);
    const archive = join(workDir, 'download.tar');
    await writeFile(archive, response.rawPayload);
    const listing = spawnSync('tar', ['-tf', archive], { encoding: 'utf8' });
    assert.equal(listing.status, 0, listing.stderr);
    assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['tiny-v2/manifest.json', 'tiny-v2/model.onnx', 'tiny-v2/tokenizer.json']);
    const manifest = spawnSync('tar', ['-xOf', archive, 'tiny-v2/manifest.json'], { encoding: 'utf8' });
    assert.equal(JSON.parse(manifest.stdout).id, 'tiny-v2');
    assert.equal((await admin('GET', '/admin/models/missing/bundle')).statusCode, 404);
  });

  it('a second replica on the same data directory picks up publications and activations', async () => {
    const replica = await bootApp({ ...ENV, AETNET_DATA_DIR: dataDir });
    try {
      assert.equal(await activeExtract(replica), 'tiny-v2', 'the replica boots with the persisted activation');
      await registry.publish(await exportedBundle('tiny-v4'));
      await pollUntil(() => extractTask(replica), (task) => task.versions.some((v) => v.id === 'tiny-v4'), 'the replica to list tiny-v4', { timeoutMs: 3000, intervalMs: POLL_MS / 2 });
      assert.equal((await admin('POST', '/admin/models/tiny-v4/activate')).statusCode, 200);
      await pollUntil(() => activeExtract(replica), (active) => active === 'tiny-v4', 'the replica to activate tiny-v4', { timeoutMs: 10 * POLL_MS, intervalMs: POLL_MS / 2 });
      assert.equal(await extract(replica), 'tiny-v4');
    } finally {
      await replica.close();
    }
  });
});
