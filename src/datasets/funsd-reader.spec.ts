import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FUNSD_LABELS, parseFunsdAnnotation, parseFunsdForm } from './funsd-reader';

const label = (name: string) => FUNSD_LABELS.indexOf(name as never);

const annotation = {
  form: [
    { id: 0, label: 'other', words: [{ text: 'R&D', box: [292, 91, 376, 175] }, { text: 'Lab', box: [380, 91, 420, 175] }] },
    { id: 4, label: 'question', linking: [[4, 7]], words: [{ text: '', box: [1, 1, 2, 2] }, { text: 'Date:', box: [10, 20, 30, 40] }, { text: 'sent', box: [32, 20, 50, 40] }] },
    { id: 7, label: 'answer', linking: [[4, 7]], words: [{ text: '12/1/98', box: [60, 20, 90, 40] }] },
    { id: 9, label: 'header', words: [] },
  ],
};

describe('parseFunsdAnnotation', () => {
  it('labels other as O, the first non-empty word B-, the rest I-, with segment = entity id', () => {
    assert.deepEqual(parseFunsdAnnotation(annotation, 'a.json'), [
      { text: 'R&D', box: [292, 91, 376, 175], segment: 0, label: label('O') },
      { text: 'Lab', box: [380, 91, 420, 175], segment: 0, label: label('O') },
      { text: 'Date:', box: [10, 20, 30, 40], segment: 4, label: label('B-QUESTION') },
      { text: 'sent', box: [32, 20, 50, 40], segment: 4, label: label('I-QUESTION') },
      { text: '12/1/98', box: [60, 20, 90, 40], segment: 7, label: label('B-ANSWER') },
    ]);
  });

  it('names the file and the field of a malformed annotation', () => {
    const withBadBox = structuredClone(annotation);
    withBadBox.form[2].words[0].box = [1, 2, 3];
    assert.throws(() => parseFunsdAnnotation(withBadBox, 'annotations/x.json'), {
      message: 'annotations/x.json: form[2].words[0].box: expected 4 numbers',
    });
    assert.throws(() => parseFunsdAnnotation({ form: [{ id: 1, label: ' ', words: [] }] }, 'y.json'), { message: 'y.json: form[0].label: empty label' });
    assert.throws(() => parseFunsdAnnotation({ form: [{ id: 1, label: 'a <b>', words: [] }] }, 'y.json'), /y\.json: form\[0\]\.label: label "a <b>" must be letters or digits/);
    // A type of the dataset's own is read; FUNSD's label set cannot index it.
    assert.throws(() => parseFunsdAnnotation({ form: [{ id: 1, label: 'title', words: [{ text: 'A', box: [0, 0, 1, 1] }] }] }, 'y.json'), /y\.json: form: label B-TITLE is not in the label set O, B-HEADER/);
    assert.deepEqual(parseFunsdAnnotation({ form: [{ id: 1, label: 'title', words: [{ text: 'A', box: [0, 0, 1, 1] }] }] }, 'y.json', ['O', 'B-TITLE', 'I-TITLE']).map((w) => w.label), [1]);
    assert.throws(() => parseFunsdAnnotation({ form: [{ id: 1, label: 'other', words: [{ box: [0, 0, 1, 1] }] }] }, 'z.json'), {
      message: 'z.json: form[0].words[0].text: expected a string',
    });
    assert.throws(() => parseFunsdAnnotation({ forms: [] }, 'w.json'), { message: 'w.json: form: expected an array' });
    assert.throws(() => parseFunsdAnnotation({ form: [{ label: 'other', words: [] }] }, 'v.json'), { message: 'v.json: form[0].id: expected an integer' });
  });

  it('reports each entity with the span of its words and its links', () => {
    const { entities } = parseFunsdForm(annotation, 'a.json');
    assert.deepEqual(entities, [
      { id: 0, label: 'other', wordSpan: { firstWord: 0, lastWord: 1 }, linking: [] },
      { id: 4, label: 'question', wordSpan: { firstWord: 2, lastWord: 3 }, linking: [[4, 7]] },
      { id: 7, label: 'answer', wordSpan: { firstWord: 4, lastWord: 4 }, linking: [[4, 7]] },
      { id: 9, label: 'header', wordSpan: undefined, linking: [] },
    ]);
    assert.throws(() => parseFunsdForm({ form: [{ id: 1, label: 'other', words: [], linking: [[1]] }] }, 'l.json'), {
      message: 'l.json: form[0].linking: expected an array of [from, to] entity ids',
    });
  });
});
