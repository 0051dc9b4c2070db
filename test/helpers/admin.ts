import assert from 'node:assert/strict';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { multipart } from './app';
import { funsdEntries, sampleForms } from './form-dataset';
import { buildZip } from './zip';

/** The admin key of the tests that boot with AETNET_ADMIN_KEY, and the headers that present it. */
export const ADMIN_KEY = 'test-admin-key';
export const ADMIN_AUTH = { authorization: `Bearer ${ADMIN_KEY}` };

/** POST /admin/datasets: the form `fields`, then the zip as `file`. */
export function uploadDataset(app: NestFastifyApplication, zip: Buffer, fields: Record<string, string>) {
  const form = multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', filename: 'dataset.zip', data: zip, contentType: 'application/zip' }]);
  return app.inject({ method: 'POST', url: '/admin/datasets', payload: form.payload, headers: { ...form.headers, ...ADMIN_AUTH } });
}

/** Uploads the sample forms as a FUNSD extract dataset with a quarter held out; returns the dataset id. */
export async function uploadSampleDataset(app: NestFastifyApplication): Promise<string> {
  const response = await uploadDataset(app, await buildZip(funsdEntries(await sampleForms())), { format: 'funsd', task: 'extract', evalSplit: '0.25' });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

/** Parses a text/event-stream body into its named events and their JSON data. */
export function parseSse<T>(body: string): Array<{ event: string; data?: T }> {
  return body
    .split('\n\n')
    .filter((block) => block.trim() && !block.startsWith(':'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { event, data: data ? (JSON.parse(data) as T) : undefined };
    });
}

/** POST /admin/tuning-jobs (202 expected), then follows the job's SSE stream to its end: the final record. */
export async function tuneAndWait<T>(app: NestFastifyApplication, payload: object): Promise<T> {
  const created = await app.inject({ method: 'POST', url: '/admin/tuning-jobs', headers: ADMIN_AUTH, payload });
  assert.equal(created.statusCode, 202, created.body);
  const events = parseSse<T>((await app.inject({ method: 'GET', url: `/admin/tuning-jobs/${created.json().id}/events`, headers: ADMIN_AUTH })).body);
  return events.at(-1)?.data as T;
}
