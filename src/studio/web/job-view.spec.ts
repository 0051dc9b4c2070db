import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparisonRows, errorSummary, formatDuration, problemsByFile, reconnectDelayMs, terminalText } from './job-view';

describe('job view', () => {
  it('formats durations', () => {
    assert.equal(formatDuration(12.4), '12 s');
    assert.equal(formatDuration(250), '4 min 10 s');
    assert.equal(formatDuration(3900), '1 h 05 min');
    assert.equal(formatDuration(undefined), '—');
  });

  it('lines up base and tuned scores metric by metric, leaving out the counts behind them', () => {
    const rows = comparisonRows({
      split: 'test',
      base: { f1: 0.4, perLabel: { ANSWER: { f1: 0.3, support: 4 } }, note: 'x' },
      tuned: {
        f1: 0.6,
        support: 9,
        perLabel: { ANSWER: { f1: 0.5, support: 4 }, DATE: { f1: 0.9 } },
        confusion: [[1, 2]],
        pairs: { f1: 0.7, gold: 3, predicted: 2, correct: 2 },
      },
    });
    assert.deepEqual(rows, [
      { metric: 'f1', base: 0.4, tuned: 0.6 },
      { metric: 'perLabel.ANSWER.f1', base: 0.3, tuned: 0.5 },
      { metric: 'perLabel.DATE.f1', base: undefined, tuned: 0.9 },
      { metric: 'pairs.f1', base: undefined, tuned: 0.7 },
    ]);
    assert.deepEqual(comparisonRows(undefined), []);
  });

  it('groups dataset problems by file, errors first', () => {
    const groups = problemsByFile([
      { file: 'a.json', message: 'label used once', severity: 'warning' },
      { file: 'b.json', field: 'form[0].box', message: 'not 4 numbers', severity: 'error' },
      { file: 'a.json', field: 'form[2].linking', message: 'unknown id 9', severity: 'error' },
    ]);
    assert.deepEqual(groups.map((group) => [group.file, group.problems.map((problem) => problem.severity)]), [['a.json', ['error', 'warning']], ['b.json', ['error']]]);
  });

  it('reads an API error body, and names the status when there is none', () => {
    assert.deepEqual(errorSummary(415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Not a document' } }), { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Not a document' });
    assert.equal(errorSummary(502, '').code, 'HTTP_502');
  });

  it('backs off reconnects from 0.5 s to at most 8 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10].map(reconnectDelayMs), [500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('shows a log as a terminal would: only the last redraw of a progress bar', () => {
    assert.equal(terminalText('=== train\n  0%|  | 0/24\r  4%|▏ | 1/24\r  8%|▎ | 2/24\r\ndone'), '=== train\n  8%|▎ | 2/24\ndone');
  });
});
