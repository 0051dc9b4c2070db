import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PPOCR_DEFAULTS, PpocrNetworks, readTextLines } from './ppocr-pipeline';
import { createRaster } from './raster';

const VOCABULARY = ['', 'N', 'o', '1', ' '];

/**
 * Networks that find one text line at detector-input pixels x 16–79, y 8–15 and read "No 1" on whatever crop
 * they are given (columns: N o ␠ 1, then blanks).
 */
function fakeNetworks(calls: Array<{ batch: number; width: number }>): PpocrNetworks {
  return {
    async detect(_input, width, height) {
      const map = new Float32Array(width * height);
      for (let y = 8; y <= 15; y++) for (let x = 16; x <= 79; x++) map[y * width + x] = 0.95;
      return map;
    },
    async recognize(_input, batch, width) {
      calls.push({ batch, width });
      const columns = width / 8;
      const classes = VOCABULARY.length;
      const probabilities = new Float32Array(batch * columns * classes);
      const best = [1, 2, 4, 3];
      for (let n = 0; n < batch; n++) {
        for (let t = 0; t < columns; t++) probabilities[(n * columns + t) * classes + (best[t] ?? 0)] = 0.9;
      }
      return { probabilities, columns, classes };
    },
  };
}

describe('readTextLines', () => {
  it('detects, crops, recognises and returns one block per line with words boxed in page pixels', async () => {
    const calls: Array<{ batch: number; width: number }> = [];
    const page = createRaster(100, 40);
    page.data.fill(255);
    const blocks = await readTextLines(page, fakeNetworks(calls), VOCABULARY, { ...PPOCR_DEFAULTS, detectionLongSide: 100 });
    assert.equal(calls.length, 1);
    assert.equal(blocks.length, 1);
    const words = blocks[0].paragraphs[0].lines[0].words;
    assert.deepEqual(words.map((w) => w.text), ['No', '1']);
    assert.ok(Math.abs(words[0].confidence - 90) < 1e-4);
    for (const word of words) {
      assert.ok(word.bbox.x0 >= 0 && word.bbox.x1 <= 100 && word.bbox.y0 >= 0 && word.bbox.y1 <= 40);
      assert.ok(word.bbox.x0 < word.bbox.x1 && word.bbox.y0 < word.bbox.y1);
    }
    assert.ok(words[0].bbox.x1 <= words[1].bbox.x0);
  });

  it('drops lines the recogniser is unsure of, and returns nothing for a blank page', async () => {
    const unsure: PpocrNetworks = {
      ...fakeNetworks([]),
      async recognize(_input, batch, width) {
        const columns = width / 8;
        const probabilities = new Float32Array(batch * columns * VOCABULARY.length);
        for (let t = 0; t < columns; t++) probabilities[t * VOCABULARY.length + 1] = 0.3;
        return { probabilities, columns, classes: VOCABULARY.length };
      },
    };
    const page = createRaster(100, 40);
    assert.deepEqual(await readTextLines(page, unsure, VOCABULARY, { ...PPOCR_DEFAULTS, detectionLongSide: 100 }), []);
    const blank: PpocrNetworks = { ...fakeNetworks([]), detect: async (_input, width, height) => new Float32Array(width * height) };
    assert.deepEqual(await readTextLines(page, blank, VOCABULARY, PPOCR_DEFAULTS), []);
  });
});
