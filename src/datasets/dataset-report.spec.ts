import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignSplits, datasetLabels, hasErrors, labelCounts, parseEvalSplit } from './dataset-report';
import { StoredDocument } from './dataset-types';

describe('assignSplits', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `doc${i}`);

  it('holds out the requested fraction, deterministically and whatever the order', () => {
    const first = assignSplits(ids, 0.2);
    const reversed = assignSplits([...ids].reverse(), 0.2);
    assert.equal([...first.values()].filter((split) => split === 'test').length, 2);
    assert.deepEqual(new Map([...first].sort()), new Map([...reversed].sort()));
  });

  it('keeps one document on each side of a tiny dataset, and none held out at 0', () => {
    assert.deepEqual([...assignSplits(['a', 'b'], 0.05).values()].sort(), ['test', 'train']);
    assert.deepEqual([...assignSplits(['a', 'b'], 0.9).values()].sort(), ['test', 'train']);
    assert.deepEqual([...assignSplits(['a', 'b', 'c'], 0).values()], ['train', 'train', 'train']);
  });
});

describe('labels and counts', () => {
  const page = (labels: number[]) => ({ image: 'x.png', width: 1, height: 1, words: labels.map((label) => ({ text: 'w', box: [0, 0, 1, 1] as [number, number, number, number], segment: 0, label })) });

  it('counts words per BIO label for extract', () => {
    const labels = datasetLabels('extract', []);
    const documents: StoredDocument[] = [{ id: 'a', split: 'train', wordsFrom: 'dataset', pages: [page([0, 3, 4, 5])] }];
    const counts = labelCounts('extract', labels, documents);
    assert.equal(counts.O, 1);
    assert.equal(counts['B-QUESTION'], 1);
    assert.equal(counts['I-QUESTION'], 1);
    assert.equal(counts['B-ANSWER'], 1);
    assert.equal(counts['B-HEADER'], 0);
  });

  it('sorts class names and counts documents per class', () => {
    const labels = datasetLabels('classify', [{ id: 'a', imagePath: 'x', classLabel: 'letter' }, { id: 'b', imagePath: 'y', classLabel: 'invoice' }]);
    assert.deepEqual(labels, ['invoice', 'letter']);
    const documents: StoredDocument[] = [
      { id: 'a', split: 'train', wordsFrom: 'ocr', pages: [], classLabel: 1 },
      { id: 'b', split: 'train', wordsFrom: 'ocr', pages: [], classLabel: 1 },
    ];
    assert.deepEqual(labelCounts('classify', labels, documents), { invoice: 0, letter: 2 });
  });

  it('counts answered and unanswered questions for ask', () => {
    const documents: StoredDocument[] = [
      { id: 'a', split: 'train', wordsFrom: 'ocr', pages: [], questions: [{ id: 'q1', question: 'q?', answers: ['x'] }, { id: 'q2', question: 'r?', answers: [] }] },
    ];
    assert.deepEqual(labelCounts('ask', [], documents), { answered: 1, unanswered: 1 });
  });
});

describe('hasErrors and parseEvalSplit', () => {
  it('only errors make a dataset unusable', () => {
    assert.equal(hasErrors([{ file: 'a', message: 'ignored', severity: 'warning' }]), false);
    assert.equal(hasErrors([{ file: 'a', message: 'bad', severity: 'error' }]), true);
  });

  it('defaults to 0.2 and rejects values outside [0, 0.9]', () => {
    assert.equal(parseEvalSplit(undefined), 0.2);
    assert.equal(parseEvalSplit('0.3'), 0.3);
    assert.equal(typeof parseEvalSplit('1.5'), 'string');
    assert.equal(typeof parseEvalSplit('half'), 'string');
  });
});
