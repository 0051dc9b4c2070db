import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFunsdAnnotation } from '../datasets/funsd-reader';
import { EntityCounter } from './entity-metrics';
import { funsdGoldEntities, predictedBoxes, predictedSpans, toClientWords } from './funsd-entities';

const annotation = {
  form: [
    { id: 0, label: 'header', words: [{ text: 'FORM', box: [10, 10, 50, 20] }, { text: 'A', box: [55, 10, 60, 20] }] },
    { id: 1, label: 'question', words: [{ text: 'Name:', box: [10, 40, 40, 50] }] },
    { id: 2, label: 'other', words: [{ text: '—', box: [45, 40, 48, 50] }] },
    { id: 3, label: 'answer', words: [{ text: ' ', box: [50, 40, 52, 50] }, { text: 'Ada', box: [60, 40, 80, 52] }, { text: 'L.', box: [82, 38, 90, 50] }] },
    { id: 4, label: 'answer', words: [{ text: '  ', box: [0, 0, 1, 1] }] },
  ],
};
const words = parseFunsdAnnotation(annotation, 'doc.json');

describe('funsdGoldEntities', () => {
  it('gives one entity per non-other FUNSD entity, word indices in the order the words are sent', () => {
    const gold = funsdGoldEntities(words);
    assert.deepEqual(gold.spans, [
      { label: 'HEADER', wordIds: [0, 1] },
      { label: 'QUESTION', wordIds: [2] },
      { label: 'ANSWER', wordIds: [4, 5] },
    ]);
  });

  it('boxes an entity by the union of its non-blank words', () => {
    const gold = funsdGoldEntities(words);
    assert.deepEqual(gold.boxes[0], { label: 'HEADER', box: [10, 10, 60, 20] });
    assert.deepEqual(gold.boxes[2], { label: 'ANSWER', box: [60, 38, 90, 52] });
  });

  it('refuses unlabelled words', () => {
    assert.throws(() => funsdGoldEntities([{ text: 'x', box: [0, 0, 1, 1], segment: 0 }]), /no label/);
  });
});

describe('toClientWords', () => {
  it('sends text, pixel box and segment = FUNSD entity id, without labels', () => {
    const sent = toClientWords(words);
    assert.equal(sent.length, words.length);
    assert.deepEqual(sent[4], { text: 'Ada', box: [60, 40, 80, 52], segment: 3 });
    assert.ok(sent.every((word) => !('label' in word)));
  });
});

describe('predicted entities against gold', () => {
  it('scores a perfect prediction as F1 1 with spans and with boxes', () => {
    const predicted = [
      { label: 'HEADER', box: [10, 10, 60, 20] as [number, number, number, number], words: [0, 1] },
      { label: 'QUESTION', box: [10, 40, 40, 50] as [number, number, number, number], words: [2] },
      { label: 'ANSWER', box: [60, 38, 90, 52] as [number, number, number, number], words: [5, 4] },
    ];
    const gold = funsdGoldEntities(words);
    const spans = new EntityCounter();
    spans.addSpans(gold.spans, predictedSpans(predicted));
    const boxes = new EntityCounter();
    boxes.addBoxes(gold.boxes, predictedBoxes(predicted));
    assert.equal(spans.scores().micro.f1, 1);
    assert.equal(boxes.scores().micro.f1, 1);
  });

  it('compares labels case-insensitively against the uppercase gold labels', () => {
    assert.deepEqual(predictedSpans([{ label: 'answer', box: [0, 0, 1, 1], words: [3] }]), [{ label: 'ANSWER', wordIds: [3] }]);
  });
});
