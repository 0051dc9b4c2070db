import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAbandonedTemp, RegistryStore, tempName } from './registry-store';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('isAbandonedTemp', () => {
  const owner = { host: 'host-a', isAlive: (pid: number) => pid === 7 };

  it('ignores names that are not temp entries', () => {
    assert.equal(isAbandonedTemp('tiny-extract', 10 * DAY_MS, owner), false);
    assert.equal(isAbandonedTemp('.hidden', 10 * DAY_MS, owner), false);
  });

  it('removes this host’s temps of dead processes only', () => {
    assert.equal(isAbandonedTemp(tempName('staging', 8, 'host-a'), 0, owner), true);
    assert.equal(isAbandonedTemp(tempName('trash', 7, 'host-a'), 0, owner), false);
  });

  it('leaves another host’s temps alone for a day', () => {
    assert.equal(isAbandonedTemp(tempName('staging', 8, 'host-b.example'), DAY_MS - 1, owner), false);
    assert.equal(isAbandonedTemp(tempName('staging', 8, 'host-b.example'), DAY_MS + 1, owner), true);
  });
});

describe('RegistryStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'aetnet-registry-'));
  after(() => rm(root, { recursive: true, force: true }));

  async function bundleSource(name: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await writeFile(join(dir, 'manifest.json'), '{}');
    return dir;
  }

  it('stages, commits and retires a bundle by renames', async () => {
    const store = new RegistryStore(join(root, 'registry'));
    await store.prepare();
    const staged = await store.stage(await bundleSource('out-1'));
    assert.equal(existsSync(join(root, 'out-1')), false, 'moved, not copied');
    assert.deepEqual(await store.publishedIds(), [], 'a staged bundle is not visible');
    assert.equal(await store.commit(staged, 'v1'), true);
    await store.dropSource(staged);
    assert.deepEqual(await store.publishedIds(), ['v1']);

    const second = await store.stage(await bundleSource('out-2'));
    assert.equal(await store.commit(second, 'v1'), false, 'an id is published once');
    await store.unstage(second);
    assert.equal(existsSync(join(root, 'out-2', 'manifest.json')), true, 'a refused bundle goes back to its source');

    const trash = await store.retire('v1');
    assert.deepEqual(await store.publishedIds(), []);
    await store.discard(trash);
    assert.deepEqual(await readdir(store.bundlesDir), []);
  });

  it('writes active.json atomically and reads it back', async () => {
    const store = new RegistryStore(join(root, 'registry-active'));
    await store.prepare();
    assert.deepEqual(await store.readActive(), { active: {}, previous: {} });
    const before = await store.changeStamp();
    await store.writeActive({ active: { extract: 'v1' }, previous: { extract: ['v0'] } });
    assert.notEqual(await store.changeStamp(), before);
    assert.deepEqual(JSON.parse(await readFile(store.activeFile, 'utf8')), { active: { extract: 'v1' }, previous: { extract: ['v0'] } });
    assert.deepEqual((await readdir(store.root)).sort(), ['active.json', 'bundles']);
  });

  it('removes temp directories left by a dead process on prepare', async () => {
    const store = new RegistryStore(join(root, 'registry-crash'));
    await store.prepare();
    const deadPid = 2 ** 22 + 1;
    const leftover = join(store.bundlesDir, tempName('staging', deadPid));
    const live = join(store.bundlesDir, tempName('staging'));
    await mkdir(leftover);
    await mkdir(live);
    assert.deepEqual(await store.prepare(), [leftover]);
    assert.equal(existsSync(live), true);
  });
});
