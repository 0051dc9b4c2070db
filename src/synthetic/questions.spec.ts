import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentQuestions, FIELD_QUESTIONS } from './questions';
import { seededRandom } from './random';

describe('generated questions', () => {
  const fields = [
    { name: 'invoice_number', value: '4711', wordIds: [3] },
    { name: 'total', value: '$12.00', wordIds: [9] },
    { name: 'invoice_date', value: '1/2/93', wordIds: [5] },
  ];

  it('ask for each field in its own wordings, answered by its words', () => {
    const questions = documentQuestions(fields, seededRandom(1), 0);
    for (const field of fields) {
      const own = questions.filter((q) => q.field === field.name);
      assert.ok(own.length >= 1 && own.length <= 2);
      for (const q of own) {
        assert.ok(FIELD_QUESTIONS[field.name].includes(q.question));
        assert.equal(q.answer, field.value);
        assert.deepEqual(q.answerWordIds, field.wordIds);
      }
    }
  });

  it('add unanswerable questions only about fields no present field could answer', () => {
    for (let seed = 0; seed < 20; seed++) {
      const questions = documentQuestions(fields, seededRandom(seed), 0.3);
      const unanswerable = questions.filter((q) => q.answer === null);
      assert.ok(unanswerable.length >= 1);
      for (const q of unanswerable) {
        assert.ok(!['date', 'due_date', 'budget_total', 'price', 'po_number', 'file_number'].includes(q.field), q.field);
        assert.equal(q.answerWordIds, undefined);
      }
    }
  });

  it('refuse a field that has no wordings', () => {
    assert.throws(() => documentQuestions([{ name: 'colour', value: 'red', wordIds: [0] }], seededRandom(1)), /'colour' has no questions/);
  });
});
