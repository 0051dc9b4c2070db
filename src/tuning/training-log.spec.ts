import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyTrainingEvent, curvePoints, INITIAL_PROGRESS, LineSplitter, parseTrainingLogLine, TrainingLogEvent } from './training-log';

const stepLine = (step: number, terms: Record<string, number>) =>
  JSON.stringify({ event: 'step', epoch: 1, step, totalSteps: 8, lr: 0.001, samplesPerSec: 3, terms, etaSeconds: 12.5 });

describe('LineSplitter', () => {
  it('holds a partial line until its newline arrives', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push('{"a":1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(splitter.push(':2}\n\n'), ['{"b":2}']);
    assert.deepEqual(splitter.push(''), []);
  });
});

describe('parseTrainingLogLine', () => {
  it('reads a step with its loss terms', () => {
    const event = parseTrainingLogLine(stepLine(3, { task: 1.5, ditc: 0.25, total: 1.75 }));
    assert.deepEqual(event, { event: 'step', epoch: 1, step: 3, totalSteps: 8, lr: 0.001, etaSeconds: 12.5, terms: { task: 1.5, ditc: 0.25, total: 1.75 } });
  });

  it('keeps every metric of an eval line', () => {
    const event = parseTrainingLogLine(JSON.stringify({ event: 'eval', epoch: 2, step: 8, f1: 0.5, perLabel: { ANSWER: { f1: 0.4 } } }));
    assert.deepEqual(event, { event: 'eval', epoch: 2, step: 8, metrics: { f1: 0.5, perLabel: { ANSWER: { f1: 0.4 } } } });
  });

  it("reads the run's measured speed from its done line", () => {
    const event = parseTrainingLogLine(JSON.stringify({ event: 'done', step: 8, metrics: {}, speed: { samplesPerSec: 2.5, minutesPerEpoch: 1 } }));
    assert.deepEqual(event, { event: 'done', step: 8, metrics: {}, samplesPerSec: 2.5 });
    assert.equal(applyTrainingEvent(INITIAL_PROGRESS, event as TrainingLogEvent).samplesPerSec, 2.5);
    assert.deepEqual(parseTrainingLogLine(JSON.stringify({ event: 'done', step: 0, speed: { samplesPerSec: null } })), { event: 'done', step: 0, metrics: {} });
  });

  it('ignores garbage, unknown events and non-numeric terms', () => {
    assert.equal(parseTrainingLogLine('not json'), undefined);
    assert.equal(parseTrainingLogLine('[1,2]'), undefined);
    assert.equal(parseTrainingLogLine('{"event":"step"}'), undefined);
    assert.equal(parseTrainingLogLine('{"event":"other","step":1}'), undefined);
    const event = parseTrainingLogLine(stepLine(1, { task: 1, pita: Number.NaN }).replace('null', '"x"'));
    assert.deepEqual(event?.event === 'step' && event.terms, { task: 1 });
  });
});

describe('applyTrainingEvent', () => {
  it('tracks step, percent, ETA and the latest value of each term', () => {
    const events = [stepLine(2, { task: 2, ditc: 1 }), stepLine(4, { task: 1 })].map((line) => parseTrainingLogLine(line) as TrainingLogEvent);
    const progress = events.reduce(applyTrainingEvent, INITIAL_PROGRESS);
    assert.equal(progress.step, 4);
    assert.equal(progress.percent, 50);
    assert.equal(progress.etaSeconds, 12.5);
    assert.deepEqual(progress.terms, { task: 1, ditc: 1 });
  });

  it('never reports 100 % before the job is done, and records evaluations', () => {
    let progress = applyTrainingEvent(INITIAL_PROGRESS, { event: 'step', epoch: 0, step: 8, totalSteps: 8, terms: {} });
    assert.equal(progress.percent, 99);
    progress = applyTrainingEvent(progress, { event: 'eval', epoch: 1, step: 8, metrics: { f1: 0.3 } });
    progress = applyTrainingEvent(progress, { event: 'done', step: 8, metrics: { f1: 0.3 } });
    assert.deepEqual(progress.evaluation, { f1: 0.3 });
    assert.equal(progress.etaSeconds, 0);
  });
});

describe('curvePoints', () => {
  const step = (n: number, task: number) => JSON.stringify({ event: 'step', epoch: 0, step: n, totalSteps: 100, lr: 0.001 * n, terms: { task } });

  it('reads every step with its learning rate and terms, skipping other events and junk', () => {
    const text = [step(1, 2.5), '{"event":"eval","step":1}', 'garbage', step(2, 2.0), ''].join('\n');
    assert.deepEqual(curvePoints(text, 10), [
      { step: 1, epoch: 0, lr: 0.001, terms: { task: 2.5 } },
      { step: 2, epoch: 0, lr: 0.002, terms: { task: 2.0 } },
    ]);
  });

  it('keeps the later line when a resumed run logs steps again', () => {
    const text = [step(1, 3), step(2, 2), step(3, 1), step(2, 2.2), step(3, 1.1)].join('\n');
    assert.deepEqual(curvePoints(text, 10).map((point) => [point.step, point.terms.task]), [[1, 3], [2, 2.2], [3, 1.1]]);
  });

  it('thins a long run evenly to the limit and keeps the last step', () => {
    const text = Array.from({ length: 1000 }, (_, index) => step(index + 1, 1)).join('\n');
    const points = curvePoints(text, 100);
    assert.equal(points.length, 100);
    assert.equal(points[0].step, 1);
    assert.equal(points.at(-1)?.step, 1000);
    assert.ok(points.every((point, index) => index === 0 || point.step > points[index - 1].step));
  });
});
