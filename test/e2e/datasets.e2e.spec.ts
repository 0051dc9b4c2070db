import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DatasetsService } from '../../src/datasets/datasets.service';
import { ADMIN_AUTH, ADMIN_KEY, uploadDataset } from '../helpers/admin';
import { bootApp, TINY_EXTRACT_BUNDLE } from '../helpers/app';
import { renderFormPng, textLayerPdf } from '../helpers/fixtures';
import { funsdEntries, renderFunsdForm, RenderedForm, sampleForms } from '../helpers/form-dataset';
import { buildZip, renameEntry } from '../helpers/zip';


interface ErrorBody {
  error: { code: string; message: string; details?: { report?: { problems: Array<{ file: string; field?: string; severity: string }> } } };
}

interface Dataset {
  id: string;
  name: string;
  task: string;
  format: string;
  status: string;
  evalSplit: number | string;
  labels: string[];
  report: { documents: number; pages: number; labels: Record<string, number>; splits: { train: number; test: number }; ocrDocuments: number; problems: unknown[] };
}

/** Dataset directories (staging excluded): what a failed upload must not add to. */
function storedDatasets(dataDir: string): string[] {
  const root = join(dataDir, 'datasets');
  return existsSync(root) ? readdirSync(root).filter((name) => !name.startsWith('.')) : [];
}

function stagingLeftovers(dataDir: string): string[] {
  const staging = join(dataDir, 'datasets', '.staging');
  return existsSync(staging) ? readdirSync(staging) : [];
}

describe('admin datasets', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-datasets-'));
  const env = { AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir };
  let app: NestFastifyApplication;
  let forms: RenderedForm[];
  let funsdId: string;

  before(async () => {
    [app, forms] = await Promise.all([bootApp(env), sampleForms()]);
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a FUNSD-format zip and answers with its report', async () => {
    const zip = await buildZip(funsdEntries(forms, 'my-forms/'));
    const response = await uploadDataset(app, zip, { format: 'funsd', task: 'extract', name: 'rendered forms', evalSplit: '0.25' });
    assert.equal(response.statusCode, 201, response.body);
    const dataset = response.json() as Dataset;
    funsdId = dataset.id;
    assert.equal(dataset.status, 'ready');
    assert.equal(dataset.name, 'rendered forms');
    assert.deepEqual([dataset.report.documents, dataset.report.pages, dataset.report.ocrDocuments], [4, 4, 0]);
    assert.deepEqual(dataset.report.splits, { train: 3, test: 1 });
    assert.equal(dataset.report.labels['B-HEADER'], 4);
    assert.equal(dataset.report.labels['B-QUESTION'], 9);
    assert.equal(dataset.report.labels['B-ANSWER'], 9);
    assert.equal(dataset.report.labels['I-ANSWER'], 3);
    assert.deepEqual(dataset.report.problems, []);
  });

  it('lists and gets it; an unknown id is 404 DATASET_NOT_FOUND', async () => {
    const list = await app.inject({ method: 'GET', url: '/admin/datasets', headers: ADMIN_AUTH });
    assert.deepEqual((list.json() as { datasets: Dataset[] }).datasets.map((d) => d.id), [funsdId]);
    const one = await app.inject({ method: 'GET', url: `/admin/datasets/${funsdId}`, headers: ADMIN_AUTH });
    assert.equal((one.json() as Dataset).report.documents, 4);
    for (const id of ['ds-000000000000', '..%2F..%2Fetc']) {
      const missing = await app.inject({ method: 'GET', url: `/admin/datasets/${id}`, headers: ADMIN_AUTH });
      assert.equal(missing.statusCode, 404);
      assert.equal((missing.json() as ErrorBody).error.code, 'DATASET_NOT_FOUND');
    }
  });

  it('prepareFor writes a prepared dataset with the given tokenizer', async () => {
    const outDir = join(dataDir, 'prepared-test');
    await app.get(DatasetsService).prepareFor(funsdId, join(TINY_EXTRACT_BUNDLE, 'tokenizer.json'), { maxLength: 64, stride: 32, imageSize: 32 }, outDir);
    const metadata = JSON.parse(readFileSync(join(outDir, 'dataset.json'), 'utf8'));
    assert.equal(metadata.task, 'extract');
    assert.equal(metadata.labels.length, 7);
    assert.equal(metadata.maxLength, 64);
    assert.deepEqual([metadata.splits.train.documents, metadata.splits.test.documents], [3, 1]);
    const lines = readFileSync(join(outDir, 'train.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, metadata.splits.train.windows);
    for (const line of lines) {
      assert.equal(line.inputIds[0], metadata.specialTokens.clsId);
      assert.ok(line.inputIds.length <= 64);
      for (const field of ['bbox', 'wordBbox', 'labels', 'wordIds']) assert.equal(line[field].length, line.inputIds.length, field);
      assert.ok(existsSync(join(outDir, line.image)) && existsSync(join(outDir, line.original)));
    }
    assert.ok(lines.some((line) => line.labels.includes(3)), 'a B-QUESTION label reaches the prepared data');
    assert.ok(existsSync(join(outDir, 'test.jsonl')) && existsSync(join(outDir, 'tokenizer.json')));
    rmSync(outDir, { recursive: true, force: true });
  });

  it('OCRs documents that come without words (folders → classify)', async () => {
    const zip = await buildZip([
      { name: 'invoice/one.png', data: await renderFormPng(['INVOICE', 'Total: 12']) },
      { name: 'letter/two.png', data: await renderFormPng(['Dear Ann,', 'Thank you']) },
    ]);
    const response = await uploadDataset(app, zip, { format: 'folders', task: 'classify', evalSplit: '0.5' });
    assert.equal(response.statusCode, 201, response.body);
    const dataset = response.json() as Dataset;
    assert.deepEqual(dataset.labels, ['invoice', 'letter']);
    assert.deepEqual(dataset.report.labels, { invoice: 1, letter: 1 });
    assert.equal(dataset.report.ocrDocuments, 2);
    const outDir = join(dataDir, 'prepared-classify');
    await app.get(DatasetsService).prepareFor(dataset.id, join(TINY_EXTRACT_BUNDLE, 'tokenizer.json'), { maxLength: 64, stride: 32, imageSize: 32 }, outDir);
    const metadata = JSON.parse(readFileSync(join(outDir, 'dataset.json'), 'utf8'));
    assert.deepEqual([metadata.task, metadata.labels], ['classify', ['invoice', 'letter']]);
    const windows = ['train', 'test'].flatMap((split) => readFileSync(join(outDir, `${split}.jsonl`), 'utf8').trim().split('\n').map((line) => JSON.parse(line)));
    assert.deepEqual(new Set(windows.map((w) => w.classLabel)), new Set([0, 1]));
    assert.ok(windows.every((w) => w.labels === undefined && w.inputIds.length > 2), 'OCR words reach the windows; no token labels');
    rmSync(outDir, { recursive: true, force: true });
    const deleted = await app.inject({ method: 'DELETE', url: `/admin/datasets/${dataset.id}`, headers: ADMIN_AUTH });
    assert.equal(deleted.statusCode, 204);
  });

  it("reads a PDF's text layer as serving does, not OCR (the one words-source rule)", async () => {
    const zip = await buildZip([
      { name: 'invoice/one.pdf', data: textLayerPdf([[{ text: 'Invoice Number: 12345', x: 72, y: 720, size: 14 }]]) },
      { name: 'letter/two.pdf', data: textLayerPdf([[{ text: 'Dear Ann Lee', x: 72, y: 720, size: 14 }]]) },
    ]);
    const response = await uploadDataset(app, zip, { format: 'folders', task: 'classify', evalSplit: '0.5' });
    assert.equal(response.statusCode, 201, response.body);
    const dataset = response.json() as Dataset;
    assert.equal(dataset.report.ocrDocuments, 0);
    const held = await app.get(DatasetsService).heldOut(dataset.id);
    const all = JSON.parse(readFileSync(join(held.directory, 'documents.json'), 'utf8')) as Array<{ wordsFrom: string; pages: Array<{ words: Array<{ text: string }> }> }>;
    assert.deepEqual(all.map((document) => document.wordsFrom), ['text-layer', 'text-layer']);
    assert.deepEqual(all.map((document) => document.pages[0].words.map((word) => word.text).join(' ')).sort(), ['Dear Ann Lee', 'Invoice Number: 12345']);
    assert.equal((await app.inject({ method: 'DELETE', url: `/admin/datasets/${dataset.id}`, headers: ADMIN_AUTH })).statusCode, 204);
  });

  describe('bad uploads: a 4xx with a code, and nothing stored', () => {
    const rejects = async (zip: Buffer, fields: Record<string, string>, status: number, code: string) => {
      const before = storedDatasets(dataDir);
      const response = await uploadDataset(app, zip, fields);
      assert.equal(response.statusCode, status, response.body);
      const body = response.json() as ErrorBody;
      assert.equal(body.error.code, code);
      assert.deepEqual(storedDatasets(dataDir), before);
      assert.deepEqual(stagingLeftovers(dataDir), []);
      return body;
    };
    const extract = { format: 'funsd', task: 'extract' };

    it('a ../ entry', async () => {
      const zip = renameEntry(await buildZip([...funsdEntries(forms.slice(0, 1)), { name: 'zz/evil.txt', data: 'x' }]), 'zz/evil.txt', '../evil.txt');
      await rejects(zip, extract, 422, 'ZIP_UNSAFE_ENTRY');
      assert.equal(existsSync(join(dataDir, 'datasets', 'evil.txt')), false);
    });

    it('an absolute path', async () => {
      const zip = renameEntry(await buildZip([{ name: 'xtmp/evil', data: 'x' }]), 'xtmp/evil', '/tmp/evil');
      await rejects(zip, extract, 422, 'ZIP_UNSAFE_ENTRY');
    });

    it('a symbolic link', async () => {
      await rejects(await buildZip([{ name: 'images/link.png', data: '/etc/passwd', mode: 0o120777 }]), extract, 422, 'ZIP_UNSAFE_ENTRY');
    });

    it('a zip bomb (an entry expanding far beyond the ratio limit)', async () => {
      await rejects(await buildZip([{ name: 'images/zeros.png', data: Buffer.alloc(20 * 1024 * 1024) }]), extract, 413, 'ZIP_BOMB');
    });

    it('a file that is not a zip', async () => {
      await rejects(randomBytes(2048), extract, 422, 'ZIP_UNREADABLE');
    });

    it('an absurd label name: 400 INVALID_LABEL, reported by file and field', async () => {
      const bad = await renderFunsdForm('bad', 'TITLE', [{ key: 'Name:', value: 'Ann' }], '<b>name</b>');
      const body = await rejects(await buildZip(funsdEntries([forms[0], bad])), extract, 400, 'INVALID_LABEL');
      const problems = body.error.details?.report?.problems ?? [];
      assert.ok(problems.some((p) => p.file === 'annotations/bad.json' && p.field === 'form[0].label' && p.severity === 'error'), JSON.stringify(problems));
    });

    it('an empty dataset', async () => {
      await rejects(await buildZip([{ name: 'README.txt', data: 'nothing here' }]), extract, 422, 'DATASET_INVALID');
    });

    it('an unreadable image', async () => {
      const entries = funsdEntries(forms.slice(0, 1));
      entries[0] = { ...entries[0], data: Buffer.from('not an image') };
      await rejects(await buildZip(entries), extract, 422, 'DATASET_INVALID');
    });

    it('a format that cannot describe the task, and an unknown format', async () => {
      const zip = await buildZip(funsdEntries(forms.slice(0, 1)));
      await rejects(zip, { format: 'funsd', task: 'classify' }, 400, 'INVALID_REQUEST');
      await rejects(zip, { format: 'csv', task: 'extract' }, 400, 'INVALID_REQUEST');
    });
  });

  it('DELETE is refused while a job uses the dataset, then removes it', async () => {
    const service = app.get(DatasetsService);
    service.markInUse(funsdId);
    const refused = await app.inject({ method: 'DELETE', url: `/admin/datasets/${funsdId}`, headers: ADMIN_AUTH });
    assert.equal(refused.statusCode, 409);
    assert.equal((refused.json() as ErrorBody).error.code, 'DATASET_IN_USE');
    service.markFree(funsdId);
    const kept = await uploadDataset(app, await buildZip(funsdEntries(forms)), { format: 'funsd', task: 'extract' });
    assert.equal(kept.statusCode, 201);
    const deleted = await app.inject({ method: 'DELETE', url: `/admin/datasets/${funsdId}`, headers: ADMIN_AUTH });
    assert.equal(deleted.statusCode, 204);
    const gone = await app.inject({ method: 'GET', url: `/admin/datasets/${funsdId}`, headers: ADMIN_AUTH });
    assert.equal(gone.statusCode, 404);
    assert.deepEqual(storedDatasets(dataDir), [(kept.json() as Dataset).id]);
  });

  describe('after a restart with the same dataDir (and tight limits)', () => {
    let restarted: NestFastifyApplication;

    before(async () => {
      await app.close();
      restarted = await bootApp({ ...env, AETNET_DATASET_MAX_ENTRIES: '10', AETNET_DATASET_MAX_BYTES: '300000' });
      app = restarted;
    });

    it('still lists the stored dataset', async () => {
      const list = await restarted.inject({ method: 'GET', url: '/admin/datasets', headers: ADMIN_AUTH });
      const datasets = (list.json() as { datasets: Dataset[] }).datasets;
      assert.equal(datasets.length, 1);
      assert.equal(datasets[0].report.documents, 4);
    });

    it('rejects too many entries (413 ZIP_BOMB) and an oversized upload (413)', async () => {
      const many = await buildZip(Array.from({ length: 11 }, (_, i) => ({ name: `images/f${i}.png`, data: 'x' })));
      const tooMany = await uploadDataset(restarted, many, { format: 'funsd', task: 'extract' });
      assert.equal(tooMany.statusCode, 413);
      assert.equal((tooMany.json() as ErrorBody).error.code, 'ZIP_BOMB');
      const big = await buildZip([{ name: 'images/noise.png', data: randomBytes(400_000), compress: false }]);
      const tooBig = await uploadDataset(restarted, big, { format: 'funsd', task: 'extract' });
      assert.equal(tooBig.statusCode, 413);
      assert.equal((tooBig.json() as ErrorBody).error.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(storedDatasets(dataDir).length, 1);
      assert.deepEqual(stagingLeftovers(dataDir), []);
    });
  });
});
