import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/config/app-config';

/** Repository root, from both test/helpers (ts) and dist/test/helpers (js). */
export const REPO_ROOT = [resolve(__dirname, '..', '..'), resolve(__dirname, '..', '..', '..')].find((dir) =>
  existsSync(join(dir, 'package.json')),
) as string;

/** Bundles owned by the tests (the tiny extract model lives in tiny-extract/). */
export const TEST_BUNDLES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'bundles');
export const TINY_EXTRACT_BUNDLE = join(TEST_BUNDLES_DIR, 'tiny-extract');

/** The state directories bootApp made up, removed when the test process ends (Nest's app object cannot be wrapped). */
const privateDataDirs: string[] = [];
process.once('exit', () => {
  for (const dir of privateDataDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Boots the real application on the test bundles with one OCR worker and quiet logs. `env` uses the same
 * variables as production (AETNET_*), overriding these defaults. Close the app after the test. Without an
 * AETNET_DATA_DIR in `env`, the app gets a private state directory (never the repository's var/), removed when
 * the test process exits.
 */
export async function bootApp(env: Record<string, string | undefined> = {}): Promise<NestFastifyApplication> {
  const dataDir = env.AETNET_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'aetnet-test-data-'));
  if (dataDir !== env.AETNET_DATA_DIR) privateDataDirs.push(dataDir);
  const config = loadAppConfig({
    AETNET_SHIPPED_MODELS_DIR: TEST_BUNDLES_DIR,
    AETNET_OCR_WORKERS: '1',
    AETNET_INFERENCE_WORKERS: '1',
    LOG_LEVEL: 'error',
    ...env,
    AETNET_DATA_DIR: dataDir,
  });
  return createApp(config);
}

export type MultipartPart =
  | { name: string; value: string }
  | { name: string; filename: string; data: Buffer; contentType?: string };

/** A multipart/form-data body for `app.inject` (no form library needed). */
export function multipart(parts: MultipartPart[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----aetnet-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.data,
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** POSTs `data` as the multipart `file` field of a document endpoint, with `fields` as further form fields. */
export function postDocument(app: NestFastifyApplication, url: string, data: Buffer, fields: Record<string, string> = {}, filename = 'document') {
  const extra = Object.entries(fields).map(([name, value]) => ({ name, value }));
  const { payload, headers } = multipart([{ name: 'file', filename, data }, ...extra]);
  return app.inject({ method: 'POST', url, payload, headers });
}

/** Asserts the error shape `{ error: { code, message, details? } }` with this status and code; returns the details. */
export function assertError(response: { statusCode: number; body: string }, status: number, code: string): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body);
  const { error } = JSON.parse(response.body) as { error: { code: string; message: string; details?: Record<string, unknown> } };
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  return error.details ?? {};
}
