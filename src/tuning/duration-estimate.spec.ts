import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateDuration, formatDuration, QUICK_EPOCHS, QUICK_STEP_FACTOR, REFERENCE_SECONDS_PER_SAMPLE, speedKey } from './duration-estimate';

describe('estimateDuration', () => {
  it("counts the trainer's whole batches over the epochs, capped by maxSteps", () => {
    const estimate = estimateDuration(150, 'mpnet6', 'full', {});
    assert.deepEqual([estimate.batchSize, estimate.epochs, estimate.steps], [4, 20, 37 * 20]);
    assert.equal(estimate.seconds, Math.round(740 * 4 * REFERENCE_SECONDS_PER_SAMPLE.mpnet6));
    assert.match(estimate.basis, /reference figure for preset mpnet6, schedule full/);
    assert.equal(estimateDuration(150, 'mpnet6', 'full', { maxSteps: 100, batchSize: 2 }).steps, 100);
    assert.equal(estimateDuration(3, 'tiny', 'full', { batchSize: 4 }).steps, 0);
  });

  it('gives the quick schedule its few epochs and faster steps, unless epochs are given', () => {
    const quick = estimateDuration(150, 'mpnet6', 'quick', {});
    assert.deepEqual([quick.epochs, quick.steps], [QUICK_EPOCHS, 37 * QUICK_EPOCHS]);
    assert.equal(quick.seconds, Math.round(37 * QUICK_EPOCHS * 4 * REFERENCE_SECONDS_PER_SAMPLE.mpnet6 * QUICK_STEP_FACTOR));
    assert.equal(estimateDuration(150, 'mpnet6', 'quick', { epochs: 2 }).epochs, 2);
    assert.deepEqual([speedKey('mpnet6', 'full'), speedKey('mpnet6', 'quick')], ['mpnet6', 'mpnet6:quick']);
  });

  it("uses this machine's measured speed when a job of the preset has finished here", () => {
    const estimate = estimateDuration(40, 'tiny', 'full', { epochs: 2, batchSize: 2 }, { secondsPerSample: 0.5, jobId: 'tj-1', measuredAt: '2026-12-01T00:00:00Z' });
    assert.deepEqual([estimate.steps, estimate.secondsPerStep, estimate.seconds], [40, 1, 40]);
    assert.match(estimate.basis, /measured on this machine by job tj-1/);
  });
});

describe('formatDuration', () => {
  it('reads as seconds, minutes or hours', () => {
    assert.equal(formatDuration(40), '40 s');
    assert.equal(formatDuration(720), '12 min');
    assert.equal(formatDuration(3900), '1 h 05 min');
  });
});
