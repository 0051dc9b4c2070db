import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseWords } from './words-source';

describe('chooseWords', () => {
  const word = (text: string) => ({ text, box: [0, 0, 1, 1] as [number, number, number, number], confidence: 1, segment: 0 });

  it("takes the client's words, else the PDF text layer, else asks for OCR", () => {
    assert.deepEqual(chooseWords({ textWords: [word('layer')] }, [word('client')]), { source: 'client', words: [word('client')] });
    assert.deepEqual(chooseWords({ textWords: [word('layer')] }, undefined), { source: 'text-layer', words: [word('layer')] });
    assert.deepEqual(chooseWords({}, undefined), { source: 'ocr' });
  });
});
