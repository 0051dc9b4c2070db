import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_AUTH, ADMIN_KEY, parseSse, uploadSampleDataset } from '../helpers/admin';
import { assertError, bootApp } from '../helpers/app';
import { formWords, renderFormPng } from '../helpers/fixtures';
const FORM_LINES = ['REGISTRATION FORM', 'Name: John Smith', 'City: Springfield'];

interface Job {
  id: string;
  state: string;
  stage?: string;
  progress: { percent: number; step: number; totalSteps: number; terms: Record<string, number> };
  evaluation?: { split: string; baseModel: string; base: { f1: number; perLabel: Record<string, unknown>; pairs?: { gold: number } }; tuned: { f1: number; perLabel: Record<string, unknown>; pages: number; pairs?: { gold: number } } };
  modelId?: string;
  error?: { reason: string; logTail: string };
  estimate?: { trainWindows: number; steps: number; seconds: number; basis: string };
}

const TINY_JOB = {
  task: 'extract',
  baseModel: 'tiny-extract',
  preset: 'tiny',
  hyperparameters: { epochs: 1, maxSteps: 3, batchSize: 1, learningRate: 0.001, seed: 7 },
  alignment: { preset: 'code-funsd' },
  evalSplit: 0.25,
};

describe('admin tuning jobs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-tuning-'));
  let app: NestFastifyApplication;
  let datasetId: string;
  let job: Job;

  const admin = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: ADMIN_AUTH, ...(payload ? { payload } : {}) });

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir, AETNET_TUNING_MAX_SECONDS: '1000' });
    datasetId = await uploadSampleDataset(app);
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts a job: 202 with the job and its Location', async () => {
    const response = await admin('POST', '/admin/tuning-jobs', { ...TINY_JOB, datasetId });
    assert.equal(response.statusCode, 202, response.body);
    job = response.json() as Job;
    assert.match(job.id, /^tj-/);
    assert.equal(response.headers.location, `/admin/tuning-jobs/${job.id}`);
    assert.ok(['queued', 'running'].includes(job.state));
    // 3 of the 4 sample forms train (one held out), one window each at batch 1: 3 steps a epoch, capped at 3.
    assert.deepEqual([job.estimate?.trainWindows, job.estimate?.steps], [3, 3]);
    assert.match(job.estimate?.basis ?? '', /reference figure for preset tiny/);
  });

  it('streams progress over SSE until done, and the job succeeds with a published model', async () => {
    const response = await app.inject({ method: 'GET', url: `/admin/tuning-jobs/${job.id}/events`, headers: ADMIN_AUTH });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const events = parseSse<Job>(response.body);
    assert.equal(events.at(-1)?.event, 'done');
    const final = events.at(-1)?.data as Job;
    assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
    assert.ok(events.some((e) => e.event === 'progress' && e.data?.stage === 'training'), 'a training stage was streamed');
    job = (await admin('GET', `/admin/tuning-jobs/${job.id}`)).json() as Job;
    assert.equal(job.progress.percent, 100);
    assert.equal(job.progress.step, 3);
    for (const term of ['task', 'ditc', 'imc', 'glitc', 'pita', 'total']) assert.equal(typeof job.progress.terms[term], 'number', term);
    assert.match(job.modelId ?? '', /^tuned-extract-tiny-/);
  });

  it('reports base vs tuned on the same held-out split, in the job and in the bundle manifest', async () => {
    const evaluation = job.evaluation!;
    assert.equal(evaluation.split, 'test');
    assert.equal(evaluation.baseModel, 'tiny-extract');
    assert.equal(evaluation.tuned.pages, 1);
    for (const side of [evaluation.base, evaluation.tuned]) assert.equal(typeof side.f1, 'number');
    // The held-out form has links: both sides' pairs are scored against them.
    for (const side of [evaluation.base, evaluation.tuned]) assert.ok((side.pairs?.gold ?? 0) > 0, 'key → value links scored');
    const models = (await admin('GET', '/admin/models')).json() as { tasks: Array<{ task: string; versions: Array<{ id: string }> }> };
    const extract = models.tasks.find((t) => t.task === 'extract');
    assert.ok(extract?.versions.some((v) => v.id === job.modelId), 'the tuned model is a version');
    const listed = (await app.inject({ method: 'GET', url: '/v1/models' })).json() as { models: Array<{ id: string; metrics: { f1?: number } }> };
    assert.equal(listed.models.find((m) => m.id === job.modelId)?.metrics.f1, evaluation.tuned.f1);
  });

  it('serves the curves of every step: each loss term and the learning rate', async () => {
    const response = await admin('GET', `/admin/tuning-jobs/${job.id}/curves`);
    assert.equal(response.statusCode, 200, response.body);
    const { points } = response.json() as { points: Array<{ step: number; lr: number; terms: Record<string, number> }> };
    assert.deepEqual(points.map((point) => point.step), [1, 2, 3]);
    for (const point of points) {
      assert.equal(typeof point.lr, 'number');
      for (const term of ['task', 'ditc', 'imc', 'glitc', 'pita', 'total']) assert.equal(typeof point.terms[term], 'number', term);
    }
    assert.deepEqual(points.at(-1)?.terms, job.progress.terms, 'the last point is the job’s latest progress');
    assert.equal(((await admin('GET', `/admin/tuning-jobs/${job.id}/curves?points=2`)).json() as { points: unknown[] }).points.length, 2);
    assertError(await admin('GET', `/admin/tuning-jobs/${job.id}/curves?points=1`), 400, 'VALIDATION_FAILED');
    assertError(await admin('GET', '/admin/tuning-jobs/tj-00000000-missing/curves'), 404, 'JOB_NOT_FOUND');
  });

  it('serves the tuned model once activated, and rolls back', async () => {
    const document = (await renderFormPng(FORM_LINES)).toString('base64');
    let pairsFrom = '';
    const extract = async () => {
      const response = await app.inject({ method: 'POST', url: '/v1/extract', payload: { document, words: formWords(FORM_LINES) } });
      assert.equal(response.statusCode, 200, response.body);
      pairsFrom = response.json().pages[0].pairsFrom;
      return response.json().model.id as string;
    };
    assert.equal((await admin('POST', `/admin/models/${job.modelId}/activate`)).statusCode, 200);
    assert.equal(await extract(), job.modelId);
    // The sample forms' links trained a key-value head with the rest (the tiny base has none): the tuned model pairs with it.
    assert.equal(pairsFrom, 'model');
    assert.equal((await admin('POST', '/admin/models/extract/rollback')).statusCode, 200);
    assert.equal(await extract(), 'tiny-extract');
  });

  it('a warm start with 0 steps serves what its base serves (the weights are read back from the bundle)', async () => {
    const created = await admin('POST', '/admin/tuning-jobs', { ...TINY_JOB, datasetId, baseModel: undefined, hyperparameters: { maxSteps: 0, batchSize: 1 } });
    assert.equal(created.statusCode, 202, created.body);
    assert.deepEqual([created.json().spec.baseModel, created.json().spec.start], ['tiny-extract', 'warm'], 'the active model, warm by default');
    const events = parseSse<Job>((await app.inject({ method: 'GET', url: `/admin/tuning-jobs/${created.json().id}/events`, headers: ADMIN_AUTH })).body);
    const warm = events.at(-1)?.data as Job;
    assert.equal(warm.state, 'succeeded', JSON.stringify(warm.error));
    const document = (await renderFormPng(FORM_LINES)).toString('base64');
    const labels = async (model: string) => {
      const response = await app.inject({ method: 'POST', url: '/v1/extract', payload: { document, words: formWords(FORM_LINES), model } });
      assert.equal(response.statusCode, 200, response.body);
      const [page] = response.json().pages as Array<{ words: Array<{ label: string; confidence: number }> }>;
      return page.words;
    };
    const [base, tuned] = [await labels('tiny-extract'), await labels(warm.modelId!)];
    assert.deepEqual(tuned.map((word) => word.label), base.map((word) => word.label));
    base.forEach((word, i) => assert.ok(Math.abs(word.confidence - tuned[i].confidence) < 0.01, `word ${i}: ${word.confidence} vs ${tuned[i].confidence}`));
  });

  it('a quick job trains its few epochs with the lower layers frozen, estimated as such', async () => {
    const created = await admin('POST', '/admin/tuning-jobs', { ...TINY_JOB, datasetId, schedule: 'quick', hyperparameters: { maxSteps: 2, batchSize: 1 } });
    assert.equal(created.statusCode, 202, created.body);
    const quick = created.json() as Job & { spec: { schedule: string }; estimate: { epochs: number } };
    assert.deepEqual([quick.spec.schedule, quick.estimate.epochs], ['quick', 6]);
    assert.match(quick.estimate.basis, /schedule quick/);
    const events = parseSse<Job>((await app.inject({ method: 'GET', url: `/admin/tuning-jobs/${quick.id}/events`, headers: ADMIN_AUTH })).body);
    assert.equal((events.at(-1)?.data as Job).state, 'succeeded', JSON.stringify((events.at(-1)?.data as Job).error));
    assert.match((await admin('GET', `/admin/tuning-jobs/${quick.id}/logs?tail=500`)).body, /aetnet_trainer\.train .*--schedule quick/);
    assertError(await admin('POST', '/admin/tuning-jobs', { ...TINY_JOB, datasetId, schedule: 'slow' }), 400, 'VALIDATION_FAILED');
  });

  it('lists jobs and serves the trainer log', async () => {
    const list = (await admin('GET', '/admin/tuning-jobs')).json() as { jobs: Job[] };
    assert.equal(list.jobs.at(-1)?.id, job.id, 'newest first');
    assert.equal(list.jobs.length, 3);
    const logs = await admin('GET', `/admin/tuning-jobs/${job.id}/logs?tail=500`);
    assert.equal(logs.statusCode, 200);
    assert.match(String(logs.headers['content-type']), /^text\/plain/);
    assert.match(logs.body, /aetnet_trainer\.train/);
    assert.match(logs.body, /aetnet_trainer\.export/);
    assert.equal((await admin('GET', `/admin/tuning-jobs/${job.id}/logs?tail=0`)).json().error.code, 'VALIDATION_FAILED');
  });

  it('refuses to cancel a finished job, and cancels a waiting or running one once', async () => {
    const finished = await admin('POST', `/admin/tuning-jobs/${job.id}/cancel`);
    assert.equal(finished.statusCode, 409);
    assert.equal(finished.json().error.code, 'JOB_NOT_CANCELLABLE');
    const created = (await admin('POST', '/admin/tuning-jobs', { ...TINY_JOB, datasetId, hyperparameters: { epochs: 50, batchSize: 1 } })).json() as Job;
    const cancelled = await admin('POST', `/admin/tuning-jobs/${created.id}/cancel`);
    assert.equal(cancelled.statusCode, 202, cancelled.body);
    const again = await admin('POST', `/admin/tuning-jobs/${created.id}/cancel`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'JOB_NOT_CANCELLABLE');
    const events = parseSse<Job>((await app.inject({ method: 'GET', url: `/admin/tuning-jobs/${created.id}/events`, headers: ADMIN_AUTH })).body);
    assert.equal(events.at(-1)?.data?.state, 'cancelled');
    const bundles = join(dataDir, 'registry', 'bundles');
    assert.ok((existsSync(bundles) ? readdirSync(bundles) : []).every((id) => !id.includes(created.id.slice(3))), 'no half-written bundle');
  });

  describe('bad input: a 4xx with a code', () => {
    const rejects = async (payload: object, status: number, code: string) => assertError(await admin('POST', '/admin/tuning-jobs', payload), status, code);

    it('a missing dataset or model', async () => {
      await rejects({ ...TINY_JOB, datasetId: 'ds-000000000000' }, 404, 'DATASET_NOT_FOUND');
      await rejects({ ...TINY_JOB, datasetId, baseModel: 'no-such-model' }, 404, 'MODEL_NOT_FOUND');
      await rejects({ ...TINY_JOB, datasetId, baseModel: '/nonexistent/layoutlmv3', preset: 'base' }, 404, 'MODEL_NOT_FOUND');
    });

    it("a task other than the dataset's, and a base model for another task (both named)", async () => {
      await rejects({ ...TINY_JOB, datasetId, task: 'classify' }, 422, 'TASK_MISMATCH');
      const details = await rejects({ ...TINY_JOB, datasetId, baseModel: 'tiny-classify' }, 400, 'INVALID_REQUEST');
      assert.deepEqual(details, { baseModel: 'tiny-classify', baseModelTasks: ['classify'], task: 'extract' });
    });

    it("a job estimated over the service's time limit: 400 with the estimate", async () => {
      const details = await rejects({ ...TINY_JOB, datasetId, preset: 'base', start: 'cold', hyperparameters: { epochs: 100, batchSize: 1 } }, 400, 'ESTIMATE_OVER_LIMIT');
      const estimate = details.estimate as { steps: number; seconds: number };
      assert.equal(details.limitSeconds, 1000);
      assert.ok(estimate.steps === 300 && estimate.seconds > 1000, JSON.stringify(estimate));
    });

    it('a warm start from a model of another preset: 400 naming both presets', async () => {
      const details = await rejects({ ...TINY_JOB, datasetId, preset: 'small' }, 400, 'WARM_START_UNAVAILABLE');
      assert.deepEqual(details, { baseModel: 'tiny-extract', preset: 'small', trainedWith: 'tiny' });
      await rejects({ ...TINY_JOB, datasetId, start: 'lukewarm' }, 400, 'VALIDATION_FAILED');
    });

    it("a cold start whose pretrained vocabulary is not the base model's tokenizer: 400 naming both", async () => {
      const details = await rejects({ ...TINY_JOB, datasetId, preset: 'mpnet6', start: 'cold' }, 400, 'INVALID_REQUEST');
      assert.deepEqual(details, { baseModel: 'tiny-extract', baseVocabulary: 30522, preset: 'mpnet6' });
    });

    it('hyperparameters out of range, unknown fields, ambiguous alignment, another eval split', async () => {
      for (const hyperparameters of [{ epochs: 0 }, { epochs: 101 }, { maxSteps: 100001 }, { batchSize: 257 }, { learningRate: 0.5 }, { learningRate: 1e-9 }]) {
        await rejects({ ...TINY_JOB, datasetId, hyperparameters }, 400, 'VALIDATION_FAILED');
      }
      await rejects({ ...TINY_JOB, datasetId, preset: 'huge' }, 400, 'VALIDATION_FAILED');
      await rejects({ ...TINY_JOB, datasetId, surprise: true }, 400, 'VALIDATION_FAILED');
      await rejects({ ...TINY_JOB, datasetId, alignment: { preset: 'paper', plain: true } }, 400, 'VALIDATION_FAILED');
      await rejects({ ...TINY_JOB, datasetId, alignment: { preset: 'unknown' } }, 400, 'VALIDATION_FAILED');
      await rejects({ ...TINY_JOB, datasetId, evalSplit: 0.5 }, 400, 'VALIDATION_FAILED');
    });

    it('an unknown job, and no admin key', async () => {
      const missing = await admin('GET', '/admin/tuning-jobs/tj-000000000000');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'JOB_NOT_FOUND');
      assert.equal((await admin('GET', '/admin/tuning-jobs/..%2F..%2Fetc')).json().error.code, 'JOB_NOT_FOUND');
      assert.equal((await app.inject({ method: 'GET', url: '/admin/tuning-jobs' })).statusCode, 401);
    });
  });
});
