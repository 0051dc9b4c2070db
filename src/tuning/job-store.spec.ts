import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobStore } from './job-store';
import { INITIAL_PROGRESS } from './training-log';
import { TuningJob } from './tuning-job';

const job = (id: string, createdAt: string): TuningJob => ({
  id,
  state: 'queued',
  spec: { datasetId: 'ds', task: 'extract', baseModel: 'm', preset: 'tiny', hyperparameters: {}, alignment: { plain: true } },
  createdAt,
  updatedAt: createdAt,
  progress: INITIAL_PROGRESS,
  interruptions: 0,
});

async function withStore(test: (store: JobStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'aetnet-jobs-'));
  try {
    await test(new JobStore(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe('JobStore', () => {
  it('creates, reads and lists records newest first', () =>
    withStore(async (store) => {
      await store.create(job('tj-aaaaaa', '2024-01-01T00:00:00.000Z'));
      await store.create(job('tj-bbbbbb', '2024-01-02T00:00:00.000Z'));
      assert.equal((await store.get('tj-aaaaaa'))?.state, 'queued');
      assert.deepEqual((await store.list()).map((j) => j.id), ['tj-bbbbbb', 'tj-aaaaaa']);
    }));

  it('answers undefined for unknown or path-like ids', () =>
    withStore(async (store) => {
      assert.equal(await store.get('tj-missing'), undefined);
      assert.equal(await store.get('../../etc/passwd'), undefined);
      assert.throws(() => store.jobDir('../x'));
    }));

  it('applies concurrent updates one after another and leaves no temp files', () =>
    withStore(async (store, root) => {
      await store.create(job('tj-cccccc', '2024-01-01T00:00:00.000Z'));
      await Promise.all(
        Array.from({ length: 10 }, () => store.update('tj-cccccc', (current) => ({ interruptions: current.interruptions + 1 }))),
      );
      assert.equal((await store.get('tj-cccccc'))?.interruptions, 10);
      assert.deepEqual(await readdir(join(root, 'tj-cccccc')), ['job.json']);
    }));

  it('makes ids that its own pattern accepts', () => {
    assert.doesNotThrow(() => new JobStore('/x').jobDir(JobStore.newId()));
  });
});
