import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeBio } from '../heads/bio-decode';
import { decodeBioTags } from '../heads/token-classification';
import { classificationScores } from './classify-metrics';
import { EntityCounter } from './entity-metrics';
import { anls, exactMatch, qaScores } from './qa-metrics';

/** The golden cases trainer/tests/test_golden_metrics.py reads too: the service's and the trainer's metrics agree. */
const CASES = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'metric-cases.json'), 'utf8'));
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

describe('golden metric cases (shared with the trainer)', () => {
  it('ANLS and exact match per answer, and the scores of a set', () => {
    for (const { prediction, answers, anls: expected, exactMatch: em } of CASES.qa.answers) {
      close(anls(prediction, answers), expected, `anls(${JSON.stringify(prediction)})`);
      close(exactMatch(prediction, answers), em, `exactMatch(${JSON.stringify(prediction)})`);
    }
    const { predictions, answers, ...expected } = CASES.qa.scores;
    const scores = qaScores(predictions, answers);
    for (const name of ['anls', 'exactMatch', 'questions', 'answered'] as const) close(scores[name], expected[name], name);
  });

  it('entity precision/recall/F1 from BIO tags, as served entities are decoded', () => {
    for (const { gold, predicted, precision, recall, f1, perLabelF1 } of CASES.entities) {
      const counter = new EntityCounter();
      const spans = (tags: string[]) =>
        decodeBio(tags.map((label) => ({ text: 'w', box: [0, 0, 1, 1] as [number, number, number, number], label, confidence: 1 }))).map((e) => ({ label: e.label, wordIds: e.words }));
      gold.forEach((tags: string[], i: number) => counter.addSpans(spans(tags), spans(predicted[i])));
      const { micro, perLabel } = counter.scores();
      close(micro.precision, precision, 'precision');
      close(micro.recall, recall, 'recall');
      close(micro.f1, f1, 'f1');
      assert.deepEqual(Object.keys(perLabel), Object.keys(perLabelF1));
      for (const [label, value] of Object.entries(perLabelF1)) close(perLabel[label].f1, value as number, label);
    }
  });

  it('classification accuracy, macro F1 and the confusion matrix', () => {
    for (const { labels, pairs, accuracy, macroF1, confusion } of CASES.classification) {
      const scores = classificationScores(pairs, labels);
      close(scores.accuracy, accuracy, 'accuracy');
      close(scores.macroF1, macroF1, 'macroF1');
      assert.deepEqual(scores.confusion, confusion);
    }
  });

  it('BIO-constrained decoding of token labels, as the trainer evaluates', () => {
    for (const { about, labels, logProbs, tags } of CASES.bioDecoding as Array<{ about: string; labels: string[]; logProbs: number[][]; tags: string[] }>) {
      const decoded = decodeBioTags(Float64Array.from(logProbs.flat()), logProbs.length, labels);
      assert.deepEqual(decoded.map((tag) => labels[tag]), tags, about);
    }
  });
});
