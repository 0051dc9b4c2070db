import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkCounter } from './link-metrics';

describe('LinkCounter', () => {
  it('counts a link when both of its entities match linked gold entities', () => {
    const counter = new LinkCounter();
    const gold: Array<[number, number]> = [[0, 1], [2, 3]];
    // Predicted entity 5 ↔ gold 0, 6 ↔ gold 1, 7 unmatched.
    const matched = new Map([[5, 0], [6, 1]]);
    counter.add(gold, [[5, 6], [5, 7], [5, 6]], (index) => matched.get(index));
    const scores = counter.scores();
    assert.deepEqual([scores.gold, scores.predicted, scores.correct], [2, 3, 1], 'a repeated link is predicted twice, correct once');
    assert.ok(Math.abs(scores.f1 - 0.4) < 1e-12);
  });
});
