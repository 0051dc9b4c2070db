import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPageRenderer } from '../../src/synthetic/page-canvas';
import { generateDocument, SyntheticDocument } from '../../src/synthetic/synthetic-document';
import { ADMIN_KEY, tuneAndWait, uploadDataset } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { buildZip } from '../helpers/zip';

interface AskScores {
  anls: number;
  exactMatch: number;
  questions: number;
  answered: number;
  noAnswerRate: number;
  minScore: number;
  thresholds: Array<{ threshold: number; answered: number; precision: number; recall: number; anls: number }>;
}

interface Job {
  state: string;
  error?: unknown;
  evaluation?: { split: string; documents: number; baseModel: string; base: AskScores; tuned: AskScores };
}

/** JSONL lines of one invoice: its words, a question per recorded field of interest, and one it does not answer. */
function manifestLines(image: string, document: SyntheticDocument): string[] {
  const value = (name: string) => document.fields.find((field) => field.name === name)?.value;
  const questions: Array<[string, string | null]> = [
    ['What is the total amount?', value('total') ?? null],
    ['Who is the vendor?', value('vendor') ?? null],
    ['Who signed the contract?', null],
  ];
  return questions.map(([question, answer]) => JSON.stringify({ image, question, answer, words: document.words }));
}

describe('a question-answering tune, reported base vs tuned through the service', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-ask-tune-'));
  let app: NestFastifyApplication;
  let job: Job;

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir });
    const renderer = createPageRenderer();
    const invoices = await Promise.all([21, 22, 23, 24].map((seed) => generateDocument('invoice', seed, renderer, { clean: true })));
    const images = invoices.map((invoice, i) => ({ name: `pages/invoice-${i}.${invoice.format}`, data: invoice.image, compress: false }));
    const manifest = invoices.flatMap((invoice, i) => manifestLines(images[i].name, invoice)).join('\n');
    const upload = await uploadDataset(app, await buildZip([...images, { name: 'manifest.jsonl', data: manifest }]), { format: 'jsonl', task: 'ask', evalSplit: '0.5' });
    assert.equal(upload.statusCode, 201, upload.body);
    job = await tuneAndWait<Job>(app, { datasetId: upload.json().id, task: 'ask', baseModel: 'tiny-ask', preset: 'tiny', hyperparameters: { epochs: 1, maxSteps: 2, batchSize: 1, seed: 3 } });
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("asks both models every held-out question as /v1/ask answers it: ANLS, EM, answered, the threshold's trade-off", () => {
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const evaluation = job.evaluation!;
    assert.deepEqual([evaluation.split, evaluation.documents, evaluation.baseModel], ['test', 2, 'tiny-ask']);
    for (const side of [evaluation.base, evaluation.tuned]) {
      assert.equal(side.questions, 6, JSON.stringify(side));
      assert.ok(side.anls >= 0 && side.anls <= 1 && side.exactMatch <= side.anls + 1e-9, JSON.stringify(side));
      assert.equal(side.minScore, 0.1);
      assert.equal(side.noAnswerRate, (side.questions - side.answered) / side.questions);
      const thresholds = side.thresholds.map((point) => point.threshold);
      assert.deepEqual(thresholds, [0, 0.1, 0.2, 0.3, 0.5, 0.7]);
      // A higher threshold never answers more questions.
      side.thresholds.slice(1).forEach((point, i) => assert.ok(point.answered <= side.thresholds[i].answered, JSON.stringify(side.thresholds)));
      assert.equal(side.thresholds[1].answered, side.answered, 'the default threshold is the reported one');
    }
  });
});
