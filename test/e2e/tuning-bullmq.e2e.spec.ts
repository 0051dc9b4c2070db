import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_AUTH, ADMIN_KEY, parseSse, uploadSampleDataset } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { pollUntil } from '../helpers/poll';
const REDIS_SERVER = '/usr/bin/redis-server';

/** BullMQ drives Redis through the optional ioredis package. */
function ioredisInstalled(): boolean {
  try {
    require.resolve('ioredis');
    return true;
  } catch {
    return false;
  }
}

const skipReason = !existsSync(REDIS_SERVER)
  ? `${REDIS_SERVER} is not installed`
  : !ioredisInstalled()
    ? 'the ioredis package (BullMQ\'s Redis driver) is not installed'
    : undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 50; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return redis;
    await sleep(100);
  }
  redis.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

describe('tuning jobs through BullMQ: an enqueue-only API replica and a worker replica share the queue', { skip: skipReason }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-tuning-bullmq-'));
  let redis: ChildProcess | undefined;
  let api: NestFastifyApplication;
  let worker: NestFastifyApplication;

  before(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const shared = { AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir, REDIS_URL: `redis://127.0.0.1:${port}`, AETNET_JOB_QUEUE: 'aetnet-test', AETNET_REGISTRY_POLL_MS: '200' };
    api = await bootApp({ ...shared, AETNET_MAX_CONCURRENT_JOBS: '0' });
    worker = await bootApp({ ...shared, AETNET_MAX_CONCURRENT_JOBS: '1' });
  });
  after(async () => {
    await api?.close();
    await worker?.close();
    redis?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a job accepted by the API replica is trained by the worker and its model reaches the API replica', async () => {
    const datasetId = await uploadSampleDataset(api);
    const created = await api.inject({
      method: 'POST',
      url: '/admin/tuning-jobs',
      headers: ADMIN_AUTH,
      payload: { datasetId, task: 'extract', baseModel: 'tiny-extract', preset: 'tiny', hyperparameters: { epochs: 1, maxSteps: 2, batchSize: 1 }, alignment: { plain: true } },
    });
    assert.equal(created.statusCode, 202, created.body);

    const events = await api.inject({ method: 'GET', url: `/admin/tuning-jobs/${created.json().id}/events`, headers: ADMIN_AUTH });
    const job = parseSse<{ state: string; modelId: string; error?: unknown }>(events.body).find((e) => e.event === 'done')?.data;
    assert.ok(job, 'the stream ends with a done event');
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));

    const servedIds = async () => ((await api.inject({ method: 'GET', url: '/v1/models' })).json().models as Array<{ id: string }>).map((m) => m.id);
    await pollUntil(servedIds, (ids) => ids.includes(job.modelId), 'the API replica to see the model the worker published');
  });
});
