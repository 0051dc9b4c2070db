import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadAppConfig } from '../../src/config/app-config';
import { assertError, bootApp, postDocument } from '../helpers/app';
import { renderFormPng, solidPng, unionBox, wordsOnLine } from '../helpers/fixtures';

/**
 * Both OCR engines through the real service: AETNET_OCR_ENGINE picks one, /health/ready names it, /v1/extract
 * reads a page the test renders, and awkward pages give words or a 4xx, never a crash or a hang.
 */

const LINES = ['INVOICE NUMBER 4711', 'Total amount 12.50'];

interface Word {
  text: string;
  box: number[];
}

async function extractWords(app: NestFastifyApplication, png: Buffer): Promise<Word[]> {
  const response = await postDocument(app, '/v1/extract', png, {}, 'page.png');
  assert.equal(response.statusCode, 200, response.body);
  return (response.json() as { pages: Array<{ words: Word[] }> }).pages[0].words;
}

const overlaps = (a: number[], b: number[]) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/** PP-OCR's model files come from the install script; without them these tests fail, saying so. */
const PPOCR_DIR = loadAppConfig({}).ppocrDir;

for (const engine of ['tesseract', 'ppocr'] as const) {
  describe(`OCR engine ${engine} end to end`, () => {
    let app: NestFastifyApplication;

    before(async () => {
      if (engine === 'ppocr') assert.ok(existsSync(join(PPOCR_DIR, 'small', 'rec.onnx')), `PP-OCR models missing in ${PPOCR_DIR}: run bash scripts/fetch-ppocr.sh`);
      app = await bootApp({ AETNET_OCR_ENGINE: engine, AETNET_INFERENCE_THREADS: '1', AETNET_PPOCR_THREADS: '1' });
    });
    after(async () => {
      await app?.close();
    });

    it('is named in /health/ready', async () => {
      const response = await app.inject({ method: 'GET', url: '/health/ready' });
      assert.deepEqual(response.json().ocr, { engine, available: true });
    });

    it('reads the rendered words where they are drawn', async () => {
      const words = await extractWords(app, await renderFormPng(LINES));
      const texts = words.map((w) => w.text.toLowerCase());
      for (const expected of ['invoice', 'number', '4711', 'total', 'amount', '12.50']) assert.ok(texts.includes(expected), `${expected} not in ${texts.join(' ')}`);
      const invoice = words.find((w) => w.text.toLowerCase() === 'invoice')!;
      assert.ok(overlaps(invoice.box, unionBox(wordsOnLine(LINES[0], 0).words.slice(0, 1).map((w) => w.box))), `box ${invoice.box}`);
      const total = words.find((w) => w.text.toLowerCase() === 'total')!;
      assert.ok(total.box[1] > invoice.box[3], 'second line below the first');
    });

    it('gives no words for a white page, a page of noise, a 1×1 page and a 1×4000 strip', async () => {
      assert.deepEqual(await extractWords(app, await solidPng(600, 400)), []);
      const noise = Buffer.from(Array.from({ length: 300 * 200 * 3 }, (_, i) => ((i * 7919) % 251) * (i % 3 === 0 ? 1 : 0.5)));
      const noisePng = await sharp(noise, { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer();
      assert.ok(Array.isArray(await extractWords(app, noisePng)));
      assert.deepEqual(await extractWords(app, await solidPng(1, 1, '#000000')), []);
      assert.ok(Array.isArray(await extractWords(app, await solidPng(1, 4000, '#808080'))));
    });
  });
}

describe('PP-OCR refusals', () => {
  it('without its model files: not ready, the file and the install step named; OCR requests get 503', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aetnet-no-ppocr-'));
    const app = await bootApp({ AETNET_OCR_ENGINE: 'ppocr', AETNET_PPOCR_DIR: empty });
    try {
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.statusCode, 503);
      const { ocr } = ready.json() as { ocr: { engine: string; available: boolean; reason: string } };
      assert.equal(ocr.engine, 'ppocr');
      assert.equal(ocr.available, false);
      assert.match(ocr.reason, new RegExp(`${join(empty, 'small', 'det.onnx')}.*bash scripts/fetch-ppocr\\.sh`));
      const response = await postDocument(app, '/v1/extract', await renderFormPng(LINES), {}, 'page.png');
      assertError(response, 503, 'MODEL_UNAVAILABLE');
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a page slower than AETNET_OCR_PAGE_TIMEOUT_MS fails with 422 OCR_TIMEOUT; its engine is replaced and OCR stays available', async () => {
    const app = await bootApp({ AETNET_OCR_ENGINE: 'ppocr', AETNET_OCR_PAGE_TIMEOUT_MS: '1', AETNET_PPOCR_THREADS: '1' });
    try {
      const slow = await postDocument(app, '/v1/extract', await renderFormPng(LINES), {}, 'page.png');
      const details = assertError(slow, 422, 'OCR_TIMEOUT');
      assert.deepEqual(details, { page: 1, timeoutMs: 1 });
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.json().ocr.available, true);
    } finally {
      await app.close();
    }
  });
});
