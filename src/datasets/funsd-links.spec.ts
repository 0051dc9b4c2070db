import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { funsdGoldLinks } from './funsd-links';
import { parseFunsdForm } from './funsd-reader';

const word = (text: string, x: number) => ({ text, box: [x, 0, x + 10, 10] });

describe('funsdGoldLinks', () => {
  const form = parseFunsdForm(
    {
      form: [
        { id: 0, label: 'header', words: [word('REPORT', 0)], linking: [[0, 1]] },
        { id: 1, label: 'question', words: [word('Date:', 0)], linking: [[0, 1], [1, 2]] },
        { id: 2, label: 'answer', words: [word('12/1/98', 20)], linking: [[1, 2]] },
        { id: 3, label: 'answer', words: [word('Ann', 40)], linking: [[3, 4], [3, 9]] },
        { id: 4, label: 'question', words: [word('To:', 0)], linking: [] },
        { id: 5, label: 'other', words: [word('x', 60)], linking: [] },
      ],
    },
    'f.json',
  );

  it('keeps question → answer links once each, whichever side lists them, in key order', () => {
    const { entities, links } = funsdGoldLinks(form);
    assert.deepEqual(entities.map((e) => `${e.id}:${e.label}`), ['0:HEADER', '1:QUESTION', '2:ANSWER', '3:ANSWER', '4:QUESTION']);
    // 0→1 (header → question) is not a key-value link; 3→9 names a missing entity; 3→4 is written answer-first.
    assert.deepEqual(links, [[1, 2], [4, 3]]);
    assert.deepEqual(entities[1].box, [0, 0, 10, 10]);
  });

  it('reports links to a missing entity and links between labels that do not pair', () => {
    const { missing, unpairable } = funsdGoldLinks(form);
    assert.deepEqual(missing, [{ entityIndex: 3, from: 3, to: 9 }]);
    assert.deepEqual(unpairable, { 'HEADER→QUESTION': 1 });
  });
});
