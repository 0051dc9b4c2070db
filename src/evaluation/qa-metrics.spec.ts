import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anls, exactMatch, levenshtein, normaliseAnswer, qaScores } from './qa-metrics';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('qa metrics (same definitions as trainer qa_metrics.py)', () => {
  it('normalises case and whitespace', () => {
    assert.equal(normaliseAnswer('  12/03/1990 \n Lorillard  '), '12/03/1990 lorillard');
  });

  it('counts edits', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein('same', 'same'), 0);
  });

  it('scores ANLS with the 0.5 threshold and the best of several answers', () => {
    close(anls('abcd', ['abce']), 0.75);
    assert.equal(anls('abcd', ['wxyz']), 0);
    close(anls('ABCD', ['wxyz', 'abcd ']), 1);
    close(anls('abcdef', ['abcxyz']), 0.5);
  });

  it('treats a question without answers as right only for "no answer"', () => {
    assert.equal(anls('', []), 1);
    assert.equal(anls('something', []), 0);
    assert.equal(exactMatch('', []), 1);
    assert.equal(exactMatch('x', []), 0);
  });

  it('matches exactly after normalising', () => {
    assert.equal(exactMatch('Date:  Today', ['date: today']), 1);
    assert.equal(exactMatch('Date', ['date: today']), 0);
  });

  it('averages over questions and reports the no-answer rate', () => {
    const scores = qaScores(['abcd', '', 'x'], [['abce'], ['y'], ['x']]);
    close(scores.anls, (0.75 + 0 + 1) / 3);
    close(scores.exactMatch, 1 / 3);
    assert.equal(scores.answered, 2);
    close(scores.noAnswerRate, 1 / 3);
    assert.deepEqual(qaScores([], []), { anls: 0, exactMatch: 0, questions: 0, answered: 0, noAnswerRate: 0 });
    assert.throws(() => qaScores(['a'], []), RangeError);
  });
});
