import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRaster } from './raster';
import { DecodedCharacter, decodeCtc, planRecognitionBatches, recognitionTensor, recognitionVocabulary, wordsFromCharacters } from './text-recognition';

describe('planRecognitionBatches', () => {
  it('sorts crops by aspect ratio and closes a batch when full or when widths spread too far', () => {
    // Resized to height 48 these are 48, 96, 100, 480, 96 wide.
    const crops = [{ width: 10, height: 10 }, { width: 20, height: 10 }, { width: 50, height: 24 }, { width: 100, height: 10 }, { width: 40, height: 20 }];
    const plans = planRecognitionBatches(crops, { maxBatch: 2, maxWidthSpread: 1.3, minWidth: 64, maxWidth: 400 });
    assert.deepEqual(plans.map((p) => p.indices), [[0], [1, 4], [2], [3]]);
    assert.deepEqual(plans.map((p) => p.width), [64, 96, 104, 400]);
  });
});

describe('recognitionTensor', () => {
  it('resizes each crop to height 48 and pads it with zeros to the batch width, BGR in [−1, 1]', () => {
    const crop = createRaster(24, 12);
    crop.data.fill(255);
    const { tensor, resizedWidths } = recognitionTensor([crop], 64);
    assert.deepEqual(resizedWidths, [64]);
    assert.equal(tensor.length, 3 * 48 * 64);
    const narrow = createRaster(6, 12);
    narrow.data.fill(255);
    const padded = recognitionTensor([narrow], 64);
    assert.deepEqual(padded.resizedWidths, [24]);
    assert.equal(padded.tensor[23], 1);
    assert.equal(padded.tensor[24], 0);
  });
});

describe('recognitionVocabulary and decodeCtc', () => {
  it('reads the character list with either line ending, blank first and space last', () => {
    assert.deepEqual(recognitionVocabulary('a\r\nb\r\n'), ['', 'a', 'b', ' ']);
    assert.deepEqual(recognitionVocabulary('a\nb'), ['', 'a', 'b', ' ']);
  });

  it('merges runs, drops blanks, keeps repeated letters split by a blank, and records columns', () => {
    const vocabulary = ['', 'a', 'b', ' '];
    // Columns: a a _ a b b ␠ b
    const best = [1, 1, 0, 1, 2, 2, 3, 2];
    const probabilities = new Float32Array(2 + best.length * 4);
    best.forEach((k, t) => {
      for (let c = 0; c < 4; c++) probabilities[2 + t * 4 + c] = c === k ? 0.9 - t * 0.01 : 0.02;
    });
    const decoded = decodeCtc(probabilities, 2, best.length, 4, vocabulary);
    assert.deepEqual(decoded.map((c) => [c.text, c.firstColumn, c.lastColumn]), [['a', 0, 1], ['a', 3, 3], ['b', 4, 5], [' ', 6, 6], ['b', 7, 7]]);
    assert.ok(Math.abs(decoded[0].probability - 0.9) < 1e-6);
  });
});

describe('wordsFromCharacters', () => {
  const character = (text: string, column: number): DecodedCharacter => ({ text, probability: 0.8, firstColumn: column, lastColumn: column });

  it('splits at spaces and at gaps far wider than the character pitch, with extents in crop pixels', () => {
    // Resized width 160 = crop width 80: one column = 8 input px = 4 crop px.
    const characters = [character('N', 0), character('o', 1), character(' ', 2), character('1', 3), character('2', 4), character('X', 15)];
    const words = wordsFromCharacters(characters, { columnWidth: 8, resizedWidth: 160, cropWidth: 80 });
    assert.deepEqual(words.map((w) => w.text), ['No', '12', 'X']);
    // Pitch 4 crop px; "No" centres at 2 and 6 → 0 to 8.
    assert.deepEqual([words[0].left, words[0].right], [0, 8]);
    assert.deepEqual([words[2].left, words[2].right], [60, 64]);
    assert.ok(Math.abs(words[1].confidence - 0.8) < 1e-9);
  });

  it('returns no words for an empty or all-space line', () => {
    assert.deepEqual(wordsFromCharacters([], { columnWidth: 8, resizedWidth: 64, cropWidth: 64 }), []);
    assert.deepEqual(wordsFromCharacters([character(' ', 1)], { columnWidth: 8, resizedWidth: 64, cropWidth: 64 }), []);
  });
});
