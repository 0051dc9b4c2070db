import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { funsdFormOnWords } from './funsd-on-words';
import { parseFunsdForm } from './funsd-reader';

/** A key "DATE:" linked to its value "12/10/98 noon" on one line, and a header. */
const FORM = parseFunsdForm(
  {
    form: [
      { id: 0, label: 'header', words: [{ text: 'FAX', box: [10, 0, 40, 10] }], linking: [] },
      { id: 1, label: 'question', words: [{ text: 'DATE:', box: [10, 20, 50, 30] }], linking: [[1, 2]] },
      { id: 2, label: 'answer', words: [{ text: '12/10/98', box: [60, 20, 100, 30] }, { text: 'noon', box: [105, 20, 130, 30] }], linking: [[1, 2]] },
    ],
  },
  'form.json',
);

const word = (text: string, box: [number, number, number, number], segment: number) => ({ text, box, confidence: 0.9, segment });

describe('FUNSD annotation on OCR words', () => {
  it('gives each word the entity whose box holds most of it, B- then I- in the words’ order, links kept', () => {
    const ocr = [
      word('FAX', [11, 1, 39, 9], 0),
      word('DATE:', [10, 21, 49, 29], 1),
      word('12/10/98', [61, 21, 99, 29], 1),
      word('noon', [106, 21, 129, 29], 1),
      word('stamp', [300, 300, 340, 310], 2),
    ];
    const form = funsdFormOnWords(FORM, ocr);
    assert.deepEqual(form.tags, ['B-HEADER', 'B-QUESTION', 'B-ANSWER', 'I-ANSWER', 'O']);
    assert.deepEqual(form.words.map((word) => [word.text, word.segment]), [['FAX', 0], ['DATE:', 1], ['12/10/98', 1], ['noon', 1], ['stamp', 2]]);
    assert.deepEqual(form.entities.map((entity) => entity.wordSpan), [{ firstWord: 0, lastWord: 0 }, { firstWord: 1, lastWord: 1 }, { firstWord: 2, lastWord: 3 }]);
    assert.deepEqual(form.entities[2].linking, [[1, 2]]);
  });

  it('leaves an entity without a word span when its words are not one run, and a word half outside every entity O', () => {
    const ocr = [
      word('12/10/98', [61, 21, 99, 29], 0),
      word('DATE:', [10, 21, 49, 29], 1),
      word('noon', [106, 21, 129, 29], 2),
      // "FAX" read with a long tail of noise: less than half of it is in the header's box.
      word('FAX~~~~', [11, 1, 120, 9], 3),
    ];
    const form = funsdFormOnWords(FORM, ocr);
    assert.deepEqual(form.tags, ['B-ANSWER', 'B-QUESTION', 'I-ANSWER', 'O']);
    assert.equal(form.entities[2].wordSpan, undefined);
    assert.equal(form.entities[0].wordSpan, undefined);
    assert.deepEqual(form.entities[1].wordSpan, { firstWord: 1, lastWord: 1 });
  });
});
