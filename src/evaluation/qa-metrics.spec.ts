import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anls, exactMatch, levenshtein, normaliseAnswer, qaScores, thresholdSweep } from './qa-metrics';

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

describe('thresholdSweep', () => {
  const results = [
    { predicted: '12/03/90', confidence: 0.9, answers: ['12/03/90'] },
    { predicted: 'John', confidence: 0.4, answers: ['John Smith Jr.'] },
    { predicted: 'Paris', confidence: 0.2, answers: ['London'] },
    { predicted: 'INV-7', confidence: 0.6, answers: [] },
    { predicted: '', confidence: 0, answers: ['lost'] },
  ];

  it('turns answers under the threshold into no answer and counts precision over answered, recall over answerable', () => {
    const [zero, mid, high] = thresholdSweep(results, [0, 0.5, 0.95]);
    assert.deepEqual([zero.answered, zero.correct], [4, 1]);
    assert.equal(zero.precision, 1 / 4);
    assert.equal(zero.recall, 1 / 4);
    assert.deepEqual([mid.answered, mid.correct, mid.precision, mid.recall], [2, 1, 1 / 2, 1 / 4]);
    assert.deepEqual([high.answered, high.correct, high.precision, high.recall], [0, 0, 0, 0]);
    // ANLS at 0.5: the right date (1), the unanswerable one answered (0), the others become "" (0): 1 / 5.
    assert.equal(mid.anls, 1 / 5);
    assert.equal(high.anls, 1 / 5, 'declining the unanswerable question scores it');
  });
});
