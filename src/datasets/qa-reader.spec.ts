import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashSplit } from './jsonl-manifest';
import { parseQaManifest } from './qa-reader';

describe('parseQaManifest', () => {
  it('reads questions with answers, word ids, pages, words and splits', () => {
    const text = [
      JSON.stringify({ image: 'forms/a.png', question: ' What is the date? ', answer: '12/1/98', split: 'train' }),
      JSON.stringify({ image: 'forms/a.png', question: 'Total?', answer: '$5', answer_word_ids: [3, 2], answer_page: 2, words: [] }),
      JSON.stringify({ image: 'forms/b.png', question: 'Fax?', answer: null }),
    ].join('\n');
    const examples = parseQaManifest(text, '/q/qa.jsonl');
    assert.deepEqual(examples[0], {
      docId: 'forms_a',
      imagePath: '/q/forms/a.png',
      questionId: 'forms_a:1',
      question: 'What is the date?',
      answer: '12/1/98',
      answerWordIds: undefined,
      answerPage: 0,
      words: undefined,
      split: 'train',
      source: '/q/qa.jsonl:1',
    });
    assert.deepEqual([examples[1].answerWordIds, examples[1].answerPage, examples[1].words, examples[1].split], [[3, 2], 1, [], hashSplit('forms/a.png')]);
    assert.equal(examples[2].answer, null);
  });

  it('names file, line and field of malformed entries', () => {
    const line = (value: object) => JSON.stringify({ image: 'a.png', question: 'Q?', answer: 'x', ...value });
    assert.throws(() => parseQaManifest(line({ question: '' }), 'qa.jsonl'), { message: 'qa.jsonl:1: question: expected a non-empty string' });
    assert.throws(() => parseQaManifest(`${line({})}\n${line({ answer: 5 })}`, 'qa.jsonl'), { message: 'qa.jsonl:2: answer: expected a string or null' });
    assert.throws(() => parseQaManifest(line({ answer_word_ids: [1, -1] }), 'qa.jsonl'), /qa\.jsonl:1: answer_word_ids: expected a non-empty array/);
    assert.throws(() => parseQaManifest(line({ answer: null, answer_word_ids: [1] }), 'qa.jsonl'), /answer_word_ids: given for a question without an answer/);
    assert.throws(() => parseQaManifest(line({ answer_page: 0 }), 'qa.jsonl'), /qa\.jsonl:1: answer_page:/);
    assert.throws(() => parseQaManifest(line({ image: 3 }), 'qa.jsonl'), /qa\.jsonl:1: image:/);
  });
});
