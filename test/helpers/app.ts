import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, mkdtempSync } from 'node:fs';
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

/**
 * Boots the real application on the test bundles with one OCR worker and quiet logs. `env` uses the same
 * variables as production (AETNET_*), overriding these defaults. Close the app after the test.
 */
export async function bootApp(env: Record<string, string | undefined> = {}): Promise<NestFastifyApplication> {
  const config = loadAppConfig({
    AETNET_SHIPPED_MODELS_DIR: TEST_BUNDLES_DIR,
    AETNET_OCR_WORKERS: '1',
    AETNET_INFERENCE_WORKERS: '1',
    LOG_LEVEL: 'error',
    // Each app gets its own state directory, so tests never write into the repository's var/.
    AETNET_DATA_DIR: mkdtempSync(join(tmpdir(), 'aetnet-test-data-')),
    ...env,
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
