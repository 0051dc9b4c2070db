import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPageRenderer } from '../../src/synthetic/page-canvas';
import { generateDocument, SyntheticDocument } from '../../src/synthetic/synthetic-document';
import { ADMIN_AUTH, ADMIN_KEY, parseSse, uploadDataset } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { buildZip } from '../helpers/zip';

/** The customer's own fields: what the generator records on an invoice, named as a receipts team would. */
const CUSTOMER_LABELS: Record<string, string> = { vendor: 'vendor', invoice_date: 'date', total: 'total' };
const TUNED_LABELS = ['O', 'B-DATE', 'I-DATE', 'B-TOTAL', 'I-TOTAL', 'B-VENDOR', 'I-VENDOR'];

/** One JSONL line: every word of the page, labelled with the customer's field it belongs to (or other). */
function manifestLine(image: string, document: SyntheticDocument) {
  const labelOf = new Map(document.fields.filter((field) => CUSTOMER_LABELS[field.name]).flatMap((field) => field.wordIds.map((id) => [id, CUSTOMER_LABELS[field.name]])));
  return { image, words: document.words.map((word, id) => ({ ...word, label: labelOf.get(id) ?? 'other' })) };
}

interface Job {
  id: string;
  state: string;
  modelId?: string;
  error?: unknown;
  evaluation?: { tuned: { perLabel: Record<string, unknown> } };
}

describe('a dataset with labels of its own: tuned through the API and served', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-labels-'));
  let app: NestFastifyApplication;
  let invoices: SyntheticDocument[];
  let datasetId: string;
  let job: Job;
  const admin = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: ADMIN_AUTH, ...(payload ? { payload } : {}) });

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir });
    const renderer = createPageRenderer();
    invoices = await Promise.all([11, 12, 13, 14, 15].map((seed) => generateDocument('invoice', seed, renderer, { clean: true })));
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the dataset with its own BIO label set and counts', async () => {
    const entries = invoices.map((invoice, i) => ({ name: `pages/invoice-${i}.${invoice.format}`, data: invoice.image, compress: false }));
    const manifest = invoices.map((invoice, i) => JSON.stringify(manifestLine(`pages/invoice-${i}.${invoice.format}`, invoice))).join('\n');
    const response = await uploadDataset(app, await buildZip([...entries, { name: 'manifest.jsonl', data: manifest }]), { format: 'jsonl', task: 'extract', evalSplit: '0.2' });
    assert.equal(response.statusCode, 201, response.body);
    const dataset = response.json() as { id: string; labels: string[]; report: { labels: Record<string, number> } };
    assert.deepEqual(dataset.labels, TUNED_LABELS);
    for (const label of ['B-DATE', 'B-TOTAL', 'B-VENDOR']) assert.equal(dataset.report.labels[label], invoices.length, label);
    datasetId = dataset.id;
  });

  it('tunes a model whose head and manifest carry those labels', async () => {
    const created = await admin('POST', '/admin/tuning-jobs', {
      datasetId,
      task: 'extract',
      baseModel: 'tiny-extract',
      preset: 'tiny',
      hyperparameters: { epochs: 40, maxSteps: 30, batchSize: 4, learningRate: 0.005, seed: 3 },
      alignment: { preset: 'code-funsd' },
    });
    assert.equal(created.statusCode, 202, created.body);
    const events = parseSse<Job>((await app.inject({ method: 'GET', url: `/admin/tuning-jobs/${(created.json() as Job).id}/events`, headers: ADMIN_AUTH })).body);
    job = events.at(-1)?.data as Job;
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    job = (await admin('GET', `/admin/tuning-jobs/${job.id}`)).json() as Job;
    const listed = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { models: Array<{ id: string; labels: Record<string, string[]> }> };
    assert.deepEqual(listed.models.find((model) => model.id === job.modelId)?.labels, { extract: TUNED_LABELS });
    for (const label of ['DATE', 'TOTAL', 'VENDOR']) assert.ok(label in (job.evaluation?.tuned.perLabel ?? {}), `the report scores ${label}`);
  });

  it('once activated, /v1/extract answers with the customer labels', async () => {
    assert.equal((await admin('POST', `/admin/models/${job.modelId}/activate`)).statusCode, 200);
    const page = invoices[0];
    const response = await app.inject({
      method: 'POST',
      url: '/v1/extract',
      payload: { document: page.image.toString('base64'), words: page.words.map(({ text, box }) => ({ text, box })) },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { model: { id: string }; pages: Array<{ entities: Array<{ label: string; text: string }>; words: Array<{ label: string }> }> };
    assert.equal(body.model.id, job.modelId);
    const [served] = body.pages;
    assert.ok(served.words.every((word) => TUNED_LABELS.includes(word.label)), 'every word carries a label of the tuned set');
    const types = new Set(served.entities.map((entity) => entity.label));
    assert.ok(['DATE', 'TOTAL', 'VENDOR'].some((type) => types.has(type)), `entities of the customer's types: ${JSON.stringify(served.entities)}`);
  });
});
