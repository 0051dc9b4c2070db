import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonIfExists, syncPath, writeJsonAtomic } from './atomic-file';

describe('atomic-file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aetnet-atomic-file-'));
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes indented JSON with a final newline and leaves no temp file', async () => {
    const path = join(dir, 'record.json');
    await writeJsonAtomic(path, { id: 'a', n: 1 });
    assert.equal(await readFile(path, 'utf8'), '{\n  "id": "a",\n  "n": 1\n}\n');
    await writeJsonAtomic(path, { id: 'b' });
    assert.deepEqual(await readJsonIfExists(path), { id: 'b' });
    assert.deepEqual(await readdir(dir), ['record.json']);
  });

  it('writes through the temp path it is given', async () => {
    const sub = join(dir, 'named-temp');
    await mkdir(sub);
    await writeJsonAtomic(join(sub, 'active.json'), [1], join(sub, '.staging-1'));
    assert.deepEqual(await readdir(sub), ['active.json']);
  });

  it('keeps the old version and removes its temp file when the write fails', async () => {
    const path = join(dir, 'kept.json');
    await writeJsonAtomic(path, { version: 1 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await assert.rejects(writeJsonAtomic(path, circular), TypeError);
    const target = join(dir, 'a-directory');
    await mkdir(join(target, 'inside'), { recursive: true });
    await assert.rejects(writeJsonAtomic(target, { version: 2 }));
    assert.deepEqual(await readJsonIfExists(path), { version: 1 });
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), []);
  });

  it('reads a missing file as undefined, and refuses malformed JSON', async () => {
    assert.equal(await readJsonIfExists(join(dir, 'missing.json')), undefined);
    await writeFile(join(dir, 'broken.json'), '{"id": ');
    await assert.rejects(readJsonIfExists(join(dir, 'broken.json')), SyntaxError);
  });

  it('syncs files and directories', async () => {
    await syncPath(dir);
    await syncPath(join(dir, 'kept.json'));
    await assert.rejects(syncPath(join(dir, 'missing')), { code: 'ENOENT' });
  });
});
