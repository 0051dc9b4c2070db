import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DomainError } from '../common/domain-error';
import { loadAppConfig } from '../config/app-config';
import type { InferencePool, SessionInfo } from '../model/inference-pool';
import { RegistryService } from './registry.service';

const TINY_EXTRACT = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'bundles', 'tiny-extract');
const ENCODER_FILE = 'image_encoder.onnx';

/** A pool that "loads" a bundle's graphs with the names its manifest declares, and records loads and releases. */
class FakePool {
  readonly loads: Array<{ path: string; label?: string }> = [];
  readonly released: string[] = [];

  async load(path: string, info: SessionInfo = {}) {
    this.loads.push({ path, label: info.label });
    if (path.endsWith(ENCODER_FILE)) return { executionProvider: 'cpu', providerFailures: [], inputNames: ['pixel_values'], outputNames: ['image_embeddings'] };
    const manifest = JSON.parse(await readFile(join(dirname(path), 'manifest.json'), 'utf8'));
    return { executionProvider: 'cpu', providerFailures: [], inputNames: Object.keys(manifest.inputs), outputNames: Object.keys(manifest.outputs) };
  }

  release(path: string): void {
    this.released.push(path);
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'timed out');
    await new Promise((done) => setTimeout(done, 10));
  }
}

describe('RegistryService: sessions of removed versions', () => {
  let workDir: string;
  let pool: FakePool;
  let registry: RegistryService;
  let bundlesDir: string;
  let config: ReturnType<typeof loadAppConfig>;

  /** The tiny bundle under a new id, optionally split (its image encoder file is never opened: the pool is fake). */
  async function exported(id: string, split = false): Promise<string> {
    const dir = join(workDir, `export-${id}-${Math.random().toString(16).slice(2)}`);
    await cp(TINY_EXTRACT, dir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    manifest.id = id;
    if (split) {
      manifest.onnx.imageEncoderFile = ENCODER_FILE;
      if ('pixel_values' in manifest.inputs) {
        delete manifest.inputs.pixel_values;
        manifest.inputs.image_embeddings = { dtype: 'float32', shape: ['batch', 'patches', 'hidden'] };
      }
      await writeFile(join(dir, ENCODER_FILE), '');
    }
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'aetnet-registry-'));
    // A shipped version stays the active one, so published versions can be removed.
    const shipped = join(workDir, 'shipped');
    await cp(TINY_EXTRACT, join(shipped, 'tiny-extract'), { recursive: true });
    pool = new FakePool();
    config = loadAppConfig({
      AETNET_DATA_DIR: join(workDir, 'data'),
      AETNET_SHIPPED_MODELS_DIR: shipped,
      AETNET_REGISTRY_POLL_MS: '600000',
    });
    registry = new RegistryService(config, pool as unknown as InferencePool);
    await registry.onModuleInit();
    bundlesDir = join(workDir, 'data', 'registry', 'bundles');
  });

  after(async () => {
    registry?.onModuleDestroy();
    await rm(workDir, { recursive: true, force: true });
  });

  it('loads both sessions of a split bundle, labelled by the model id', async () => {
    await registry.publish(await exported('split', true));
    assert.deepEqual(pool.loads.slice(-2), [
      { path: join(bundlesDir, 'split', 'model.onnx'), label: 'split' },
      { path: join(bundlesDir, 'split', ENCODER_FILE), label: 'split:imageEncoder' },
    ]);
  });

  it('frees every session of a removed version at once when no request holds it', async () => {
    await registry.remove('split');
    assert.deepEqual(pool.released, [join(bundlesDir, 'split', 'model.onnx'), join(bundlesDir, 'split', ENCODER_FILE)]);
  });

  it('frees a removed version’s session after its last request, and refuses its id until then', async () => {
    pool.released.length = 0;
    await registry.publish(await exported('held'));
    const first = registry.acquire('extract', 'held');
    const second = registry.acquire('extract', 'held');
    await registry.remove('held');
    first.release();
    assert.deepEqual(pool.released, [], 'a request still runs on it');

    const again = await exported('held');
    await assert.rejects(registry.publish(again), (error: DomainError) => error.code === 'MODEL_EXISTS');

    second.release();
    assert.deepEqual(pool.released, [join(bundlesDir, 'held', 'model.onnx')]);
    const republished = await registry.publish(again);
    assert.equal(republished.id, 'held');
  });

  it('a replica frees the session of a version another replica deleted', async () => {
    const replicaPool = new FakePool();
    const replica = new RegistryService({ ...config, registryPollMs: 20 }, replicaPool as unknown as InferencePool);
    await replica.onModuleInit();
    try {
      await registry.publish(await exported('shared'));
      await until(() => replica.list().some((model) => model.id === 'shared'));
      await registry.remove('shared');
      await until(() => replicaPool.released.length > 0);
      assert.deepEqual(replicaPool.released, [join(bundlesDir, 'shared', 'model.onnx')]);
    } finally {
      replica.onModuleDestroy();
    }
  });
});
