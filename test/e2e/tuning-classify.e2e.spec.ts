import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPageRenderer } from '../../src/synthetic/page-canvas';
import { generateDocument } from '../../src/synthetic/synthetic-document';
import { ADMIN_KEY, tuneAndWait, uploadDataset } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { buildZip } from '../helpers/zip';

interface Scores {
  accuracy: number;
  macroF1: number;
  perLabel: Record<string, { f1: number; support: number }>;
  confusion: number[][];
  documents: number;
}

interface Job {
  id: string;
  state: string;
  error?: unknown;
  evaluation?: { split: string; baseModel: string; base: Scores; tuned: Scores };
}

describe('a classification tune, reported base vs tuned through the service', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-classify-tune-'));
  let app: NestFastifyApplication;
  let job: Job;

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir });
    const renderer = createPageRenderer();
    // Folders of the customer's own classes (a receipt class the base model does not know): words come from OCR.
    const entries = [];
    for (const [label, type] of [['invoice', 'invoice'], ['receipt', 'budget'], ['letter', 'letter']] as const) {
      for (const seed of [1, 2]) {
        const page = await generateDocument(type, seed, renderer, { clean: true });
        entries.push({ name: `${label}/${label}-${seed}.${page.format}`, data: page.image, compress: false });
      }
    }
    const upload = await uploadDataset(app, await buildZip(entries), { format: 'folders', task: 'classify', evalSplit: '0.5' });
    assert.equal(upload.statusCode, 201, upload.body);
    job = await tuneAndWait<Job>(app, {
      datasetId: upload.json().id,
      task: 'classify',
      baseModel: 'tiny-classify',
      preset: 'tiny',
      hyperparameters: { epochs: 1, maxSteps: 2, batchSize: 1, seed: 5 },
    });
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scores both models on the held-out documents: accuracy, per-class F1 and the confusion matrix', () => {
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const { evaluation } = job;
    assert.equal(evaluation?.split, 'test');
    assert.equal(evaluation?.baseModel, 'tiny-classify');
    for (const side of [evaluation!.base, evaluation!.tuned]) {
      assert.equal(side.documents, 3);
      assert.ok(side.accuracy >= 0 && side.accuracy <= 1);
      assert.equal(Object.values(side.perLabel).reduce((sum, scores) => sum + scores.support, 0), 3);
      assert.equal(side.confusion.flat().reduce((sum, n) => sum + n, 0), 3);
    }
    // The tuned head knows exactly the dataset's classes; the base's own (memo) gets a column of its own.
    assert.deepEqual(Object.keys(evaluation!.tuned.perLabel), ['invoice', 'letter', 'receipt']);
    assert.deepEqual(Object.keys(evaluation!.base.perLabel), ['invoice', 'letter', 'receipt', 'memo']);
  });
});
