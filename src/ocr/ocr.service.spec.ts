import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { renderFormPng } from '../../test/helpers/fixtures';
import { loadAppConfig } from '../config/app-config';
import { OcrService } from './ocr.service';

describe('OcrService with real tesseract', () => {
  const ocr = new OcrService(loadAppConfig({ AETNET_OCR_WORKERS: '1' }));
  after(() => ocr.onApplicationShutdown());

  it('reads words with pixel boxes, confidences and one segment per line', async () => {
    const png = await renderFormPng(['Name: John Smith', 'Date: 2024-01-05']);
    const page = { index: 0, width: 800, height: 240, png };
    const words = await ocr.recognize(page);
    assert.deepEqual(words.map((w) => w.text), ['Name:', 'John', 'Smith', 'Date:', '2024-01-05']);
    assert.deepEqual(words.map((w) => w.segment), [0, 0, 0, 1, 1]);
    for (const { box, confidence } of words) {
      assert.ok(box[0] < box[2] && box[1] < box[3] && box[2] <= page.width && box[3] <= page.height, String(box));
      assert.ok(confidence > 0.5 && confidence <= 1);
    }
    assert.equal(ocr.available, true);
  });
});
