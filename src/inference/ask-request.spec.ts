import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../common/domain-error';
import { MAX_QUESTION_CHARS, parseMinScore, parseQuestions, parseTopK } from './ask-request';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return error.code;
  }
  return undefined;
}

describe('parseQuestions', () => {
  it('reads a JSON array of strings and trims them', () => {
    assert.deepEqual(parseQuestions('[" What is the date? ", "Who signed?"]', 32), ['What is the date?', 'Who signed?']);
  });

  it('refuses a missing, empty, non-JSON or non-array field', () => {
    for (const text of [undefined, ' ', '[]', 'What is the date?', '{"q": "x"}', '"one"']) {
      assert.equal(codeOf(() => parseQuestions(text, 32)), 'INVALID_QUESTIONS', String(text));
    }
  });

  it('refuses non-string and blank questions, naming the index', () => {
    assert.throws(() => parseQuestions('["ok", 3]', 32), (error: DomainError) => error.code === 'INVALID_QUESTIONS' && error.details?.index === 1);
    assert.equal(codeOf(() => parseQuestions('["ok", "  "]', 32)), 'INVALID_QUESTIONS');
  });

  it('limits the number and the length of questions', () => {
    assert.equal(codeOf(() => parseQuestions(JSON.stringify(['a', 'b', 'c']), 2)), 'TOO_MANY_QUESTIONS');
    assert.equal(codeOf(() => parseQuestions(JSON.stringify(['x'.repeat(MAX_QUESTION_CHARS + 1)]), 2)), 'QUESTION_TOO_LONG');
  });
});

describe('parseTopK and parseMinScore', () => {
  it('default when absent and accept values in range', () => {
    assert.equal(parseTopK(undefined), 3);
    assert.equal(parseTopK('5'), 5);
    assert.equal(parseMinScore(undefined, 0.1), 0.1);
    assert.equal(parseMinScore('0.4', 0.1), 0.4);
  });

  it('refuse values out of range', () => {
    for (const text of ['0', '21', '2.5', 'many']) assert.equal(codeOf(() => parseTopK(text)), 'INVALID_REQUEST', text);
    for (const text of ['-0.1', '1.5', 'high']) assert.equal(codeOf(() => parseMinScore(text, 0.1)), 'INVALID_REQUEST', text);
  });
});
