import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OcrBlock, ocrScaleFactor, OcrWord, shrinkBlocks, wordsFromBlocks } from './ocr-words';

const word = (text: string, x0: number, y0: number, x1: number, y1: number, confidence = 90): OcrWord => ({
  text,
  confidence,
  bbox: { x0, y0, x1, y1 },
});

describe('wordsFromBlocks', () => {
  it('flattens blocks in reading order with one segment per line', () => {
    const blocks: OcrBlock[] = [
      { paragraphs: [{ lines: [{ words: [word('Name:', 10, 10, 60, 30), word('Ann', 70, 10, 100, 30, 50)] }, { words: [word('Date', 10, 40, 50, 60)] }] }] },
      { paragraphs: [{ lines: [{ words: [word('Total', 10, 80, 60, 100)] }] }] },
    ];
    const words = wordsFromBlocks(blocks, { width: 200, height: 120 });
    assert.deepEqual(
      words.map((w) => [w.text, w.segment, w.confidence]),
      [['Name:', 0, 0.9], ['Ann', 0, 0.5], ['Date', 1, 0.9], ['Total', 2, 0.9]],
    );
    assert.deepEqual(words[0].box, [10, 10, 60, 30]);
  });

  it('skips whitespace words and keeps segment ids contiguous', () => {
    const blocks: OcrBlock[] = [
      { paragraphs: [{ lines: [{ words: [word(' ', 0, 0, 5, 5)] }, { words: [word(' x ', 1, 1, 4, 4), word('', 0, 0, 1, 1)] }] }] },
    ];
    assert.deepEqual(wordsFromBlocks(blocks, { width: 10, height: 10 }).map((w) => [w.text, w.segment]), [['x', 0]]);
  });

  it('clamps boxes to the page and confidences to 0–1', () => {
    const [only] = wordsFromBlocks([{ paragraphs: [{ lines: [{ words: [word('a', -3, 2.4, 120.6, 90, 130)] }] }] }], { width: 100, height: 50 });
    assert.deepEqual(only.box, [0, 2, 100, 50]);
    assert.equal(only.confidence, 1);
  });

  it('returns no words for a page without blocks', () => {
    assert.deepEqual(wordsFromBlocks(null, { width: 1, height: 1 }), []);
  });
});

describe('ocrScaleFactor and scaled words', () => {
  it('enlarges small pages up to 2× towards the target long side, never shrinks, 0 = off', () => {
    assert.equal(ocrScaleFactor({ width: 762, height: 1000 }, 2000), 2);
    assert.equal(ocrScaleFactor({ width: 1200, height: 1600 }, 2000), 1.25);
    assert.equal(ocrScaleFactor({ width: 2550, height: 3300 }, 2000), 1);
    assert.equal(ocrScaleFactor({ width: 10, height: 10 }, 2000), 2);
    assert.equal(ocrScaleFactor({ width: 762, height: 1000 }, 0), 1);
  });

  it('maps boxes read on an enlarged image back to page pixels', () => {
    const blocks = [{ paragraphs: [{ lines: [{ words: [{ text: 'FAX', confidence: 90, bbox: { x0: 20, y0: 40, x1: 81, y1: 61 } }] }] }] }];
    assert.deepEqual(wordsFromBlocks(shrinkBlocks(blocks, 2), { width: 100, height: 100 })[0].box, [10, 20, 41, 31]);
    assert.equal(shrinkBlocks(blocks, 1), blocks);
    assert.equal(shrinkBlocks(null, 2), null);
  });
});
