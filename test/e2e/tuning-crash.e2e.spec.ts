import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_AUTH, ADMIN_KEY, uploadSampleDataset } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { pollUntil } from '../helpers/poll';

interface Job {
  id: string;
  state: string;
  stage?: string;
  trainerPid?: number;
  interruptions: number;
  progress: { step: number; totalSteps: number };
  modelId?: string;
  error?: { reason: string; logTail: string };
}

/** Three training windows (one per form) and batch 1: a checkpoint every 3 steps, at each epoch's end. */
const LONG_JOB = {
  task: 'extract',
  baseModel: 'tiny-extract',
  preset: 'tiny',
  hyperparameters: { epochs: 10, batchSize: 1, seed: 3 },
  alignment: { plain: true },
};

describe('tuning jobs survive a trainer crash and a service restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-tuning-crash-'));
  const env = { AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir };
  let app: NestFastifyApplication;
  let datasetId: string;

  const admin = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: ADMIN_AUTH, ...(payload ? { payload } : {}) });
  const getJob = async (id: string) => (await admin('GET', `/admin/tuning-jobs/${id}`)).json() as Job;
  const waitFor = (id: string, done: (job: Job) => boolean, what: string) => pollUntil(() => getJob(id), done, what, { timeoutMs: 240_000 });
  const bundles = () => (existsSync(join(dataDir, 'registry', 'bundles')) ? readdirSync(join(dataDir, 'registry', 'bundles')) : []);

  before(async () => {
    app = await bootApp(env);
    datasetId = await uploadSampleDataset(app);
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a killed trainer fails the job with the reason and the log tail; the service keeps serving', async () => {
    const created = (await admin('POST', '/admin/tuning-jobs', { ...LONG_JOB, datasetId })).json() as Job;
    const training = await waitFor(created.id, (job) => job.stage === 'training' && job.trainerPid !== undefined && job.progress.step >= 1, 'training');
    process.kill(training.trainerPid as number, 'SIGKILL');
    const failed = await waitFor(created.id, (job) => job.state === 'failed', 'failure');
    assert.match(failed.error?.reason ?? '', /trainer train was killed by SIGKILL/);
    assert.match(failed.error?.logTail ?? '', /aetnet_trainer\.train/);
    assert.equal(failed.trainerPid, undefined);
    assert.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200);
    assert.deepEqual(bundles(), []);
  });

  it('a restart mid-job interrupts it; the new service resumes it from its checkpoint and publishes', async () => {
    const created = (await admin('POST', '/admin/tuning-jobs', { ...LONG_JOB, datasetId })).json() as Job;
    const runDir = join(dataDir, 'jobs', created.id, 'run');
    await waitFor(created.id, (job) => job.stage === 'training' && existsSync(join(runDir, 'last.pt')), 'a checkpoint');
    await app.close();

    const stopped = JSON.parse(readFileSync(join(dataDir, 'jobs', created.id, 'job.json'), 'utf8')) as Job;
    assert.equal(stopped.state, 'running', 'shutdown leaves the record for the next boot');
    app = await bootApp(env);
    const resumed = await waitFor(created.id, (job) => ['succeeded', 'failed'].includes(job.state), 'the resumed job');
    assert.equal(resumed.state, 'succeeded', JSON.stringify(resumed.error));
    assert.equal(resumed.interruptions, 1);
    assert.equal(resumed.progress.step, 30);

    const log = readFileSync(join(dataDir, 'jobs', created.id, 'train.log'), 'utf8');
    assert.match(log, /--resume/);
    const steps = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((e) => e.event === 'step');
    assert.equal(steps.filter((e) => e.step === 1).length, 1, 'the resumed run did not start over');

    assert.deepEqual(bundles(), [resumed.modelId]);
    const jobs = (await admin('GET', '/admin/tuning-jobs')).json().jobs as Job[];
    assert.deepEqual(jobs.map((job) => job.state), ['succeeded', 'failed']);
  });
});
