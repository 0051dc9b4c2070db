import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Box } from '../layout';
import { decodePairs, geometricDistance, geometricPairs, geometryScore, PairableEntity, PairGeometry, pairGeometryFeatures, windowPairScores, withGeometry } from './key-value-pairs';

const q = (x0: number, y0: number, x1: number, y1: number): PairableEntity => ({ label: 'QUESTION', box: [x0, y0, x1, y1] });
const a = (x0: number, y0: number, x1: number, y1: number): PairableEntity => ({ label: 'ANSWER', box: [x0, y0, x1, y1] });

describe('geometric key-value pairs', () => {
  it('pairs a key with the value on its line to the right, else the one below', () => {
    const entities = [q(10, 10, 60, 30), a(70, 12, 150, 28), q(10, 50, 80, 70), a(12, 80, 90, 100)];
    assert.deepEqual(geometricPairs(entities), [
      { key: 0, value: 1, confidence: null },
      { key: 2, value: 3, confidence: null },
    ]);
  });

  it('gives each value to its nearest key and lists a key left without one', () => {
    // Two keys on one line: the value right after the second belongs to it, not to the first.
    const entities = [q(10, 10, 60, 30), q(200, 10, 260, 30), a(270, 10, 330, 30), { label: 'HEADER', box: [0, 0, 5, 5] } as PairableEntity];
    assert.deepEqual(geometricPairs(entities), [
      { key: 0, value: null, confidence: null },
      { key: 1, value: 2, confidence: null },
    ]);
  });

  it('ignores values to the left, above, or beside but not overlapping below', () => {
    const key: [number, number, number, number] = [100, 100, 160, 120];
    assert.equal(geometricDistance(key, [10, 100, 90, 120]), undefined, 'left');
    assert.equal(geometricDistance(key, [100, 40, 160, 60]), undefined, 'above');
    assert.equal(geometricDistance(key, [300, 200, 360, 220]), undefined, 'below, far to the right');
    assert.equal(geometricDistance(key, [170, 101, 200, 119]), 10);
    assert.equal(geometricDistance(key, [110, 130, 150, 150]), 20);
  });
});

describe('decodePairs', () => {
  it('gives each value its most probable key against "no key", with the softmax probability; keys may take several values', () => {
    const entities = [q(0, 0, 1, 1), q(0, 2, 1, 3), a(0, 4, 1, 5), a(0, 6, 1, 7), a(0, 8, 1, 9)];
    const logits: Record<string, number> = { '0,2': 3, '1,2': 1, '0,3': 2, '1,4': -1 };
    const pairs = decodePairs(entities, (key, value) => logits[`${key},${value}`]);
    assert.deepEqual(pairs.map((pair) => [pair.key, pair.value]), [[0, 2], [0, 3], [1, null]]);
    // Value 2: softmax over (3, 1, none = 0).
    assert.ok(Math.abs((pairs[0].confidence ?? 0) - Math.exp(3) / (Math.exp(3) + Math.exp(1) + 1)) < 1e-12);
    assert.equal(pairs[2].confidence, null);
  });
});

describe('windowPairScores', () => {
  it('pools each entity over its words\' first tokens and averages the scores over the windows holding both', () => {
    const dim = 2;
    // Tokens: [CLS] w0 w1 w1' w2 [SEP]; the question is words 0–1, the answer word 2.
    const wordIds = [-1, 0, 1, 1, 2, -1];
    const keys = new Float32Array([0, 0, 2, 0, 4, 0, 9, 9, 0, 0, 0, 0]);
    const values = new Float32Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0]);
    const entities = [
      { label: 'QUESTION', box: [0, 0, 1, 1] as [number, number, number, number], words: [0, 1] },
      { label: 'ANSWER', box: [2, 0, 3, 1] as [number, number, number, number], words: [2] },
    ];
    const score = windowPairScores([{ wordIds, keys, values }], entities, dim);
    // Key = mean of tokens 1 and 2 = (3, 0); value = (1, 1); ⟨·,·⟩/√2.
    assert.ok(Math.abs((score(0, 1) ?? NaN) - 3 / Math.SQRT2) < 1e-6);
    const cut = windowPairScores([{ wordIds: [-1, 1, 2, -1], keys, values }], entities, dim);
    assert.equal(cut(0, 1), undefined, 'the question is not whole in that window');
  });
});

describe('pair geometry', () => {
  // The trainer's modeling.pair_geometry and KeyValueHead.geometry_scores give the same cases (trainer tests/test_pairs.py).
  const golden = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'pair-geometry', 'golden.json'), 'utf8')) as {
    boxes: Box[];
    geometry: PairGeometry;
    pairs: Array<{ key: number; value: number; features: number[]; score: number }>;
  };

  it('computes the trainer\'s features and MLP score for every golden pair', () => {
    assert.ok(golden.pairs.length >= 20);
    for (const pair of golden.pairs) {
      const features = pairGeometryFeatures(golden.boxes[pair.key], golden.boxes[pair.value]);
      features.forEach((value, index) => assert.ok(Math.abs(value - pair.features[index]) < 1e-5, `pair ${pair.key}>${pair.value} feature ${index}: ${value} vs ${pair.features[index]}`));
      assert.ok(Math.abs(geometryScore(golden.geometry, features) - pair.score) < 1e-4, `pair ${pair.key}>${pair.value} score`);
    }
  });

  it('adds the geometry score to the semantic one, on boxes taken to page coordinates, and keeps unscored pairs unscored', () => {
    const entities = [q(100, 100, 300, 130), a(320, 102, 500, 128)];
    const page = { width: 1000, height: 1000 };
    const semantic = (key: number, value: number) => (key === 0 && value === 1 ? 0.5 : undefined);
    const score = withGeometry(semantic, entities, page, golden.geometry);
    const expected = 0.5 + geometryScore(golden.geometry, pairGeometryFeatures([100, 100, 300, 130], [320, 102, 500, 128]));
    assert.ok(Math.abs((score(0, 1) as number) - expected) < 1e-9);
    assert.equal(score(1, 0), undefined);
    // The same page at twice the pixel size scores the same.
    const doubled = withGeometry(semantic, entities.map((entity) => ({ ...entity, box: entity.box.map((v) => 2 * v) as typeof entity.box })), { width: 2000, height: 2000 }, golden.geometry);
    assert.ok(Math.abs((doubled(0, 1) as number) - expected) < 1e-9);
  });
});
