import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CurvePoint, extentOf, polylinePoints, seriesOf, withProgress } from './curves';

const point = (step: number, task: number, lr = 0.001): CurvePoint => ({ step, epoch: 0, lr, terms: { task, total: task * 2 } });

describe('curves', () => {
  it('appends a new step, replaces a repeated one, and cuts the tail when a resumed run goes back', () => {
    const points = [point(1, 3), point(2, 2)];
    assert.deepEqual(withProgress(points, { step: 3, epoch: 0, learningRate: 0.002, terms: { task: 1 } }).map((p) => p.step), [1, 2, 3]);
    assert.deepEqual(withProgress(points, { step: 2, epoch: 0, terms: { task: 1.5 } }).at(-1)?.terms, { task: 1.5 });
    assert.deepEqual(withProgress(points, { step: 1, epoch: 0, terms: { task: 9 } }).map((p) => p.terms.task), [9]);
    assert.equal(withProgress(points, { step: 0, epoch: 0, terms: {} }).length, 2, 'no step yet: nothing to draw');
  });

  it('makes one series per term in the trainer’s order, and the learning rate apart', () => {
    const { losses, learningRate } = seriesOf([point(1, 3), { step: 2, epoch: 0, terms: { task: 2, pita: 0.5, custom: 1 } }]);
    assert.deepEqual(losses.map((series) => series.name), ['total', 'task', 'pita', 'custom']);
    assert.deepEqual(losses[0].points, [[1, 6]]);
    assert.deepEqual(learningRate.points, [[1, 0.001]]);
  });

  it('scales points into the plot, y downwards from 0', () => {
    const series = { name: 'task', points: [[1, 0], [3, 4]] as Array<[number, number]> };
    const extent = extentOf([series]);
    assert.deepEqual(extent, { x: [1, 3], y: [0, 4] });
    assert.equal(polylinePoints(series, extent!, 100, 50), '0.0,50.0 100.0,0.0');
    assert.equal(extentOf([]), undefined);
    assert.deepEqual(extentOf([{ name: 'one', points: [[5, 2]] }]), { x: [5, 6], y: [0, 2] });
  });
});
