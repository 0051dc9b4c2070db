import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { funsdQaPairs } from './funsd-qa';
import { parseFunsdForm } from './funsd-reader';

const word = (text: string, x: number) => ({ text, box: [x, 0, x + 10, 10] });
const annotation = {
  form: [
    { id: 0, label: 'header', words: [word('REPORT', 0)], linking: [] },
    { id: 1, label: 'question', words: [word('Date', 0), word('sent:', 20)], linking: [[1, 2]] },
    { id: 2, label: 'answer', words: [word('12/1/98', 40)], linking: [[1, 2]] },
    { id: 3, label: 'question', words: [word('To:', 0)], linking: [[3, 5], [3, 4]] },
    { id: 4, label: 'answer', words: [word('Ann', 40), word('Lee', 60)], linking: [[3, 4]] },
    { id: 5, label: 'answer', words: [word('Bob', 40)], linking: [[3, 5]] },
    { id: 6, label: 'question', words: [word(':', 0)], linking: [[6, 7]] },
    { id: 7, label: 'answer', words: [word('x', 40)], linking: [[6, 7]] },
    { id: 8, label: 'question', words: [word('Fax:', 0)], linking: [[0, 8]] },
  ],
};

describe('funsdQaPairs', () => {
  const { words, entities } = parseFunsdForm(annotation, 'a.json');
  const pairs = funsdQaPairs('doc', words, entities);

  it('asks each linked question with its own text and as "What is the <key>?"', () => {
    assert.deepEqual(pairs.slice(0, 2), [
      { questionId: 'doc:1:text', question: 'Date sent:', answers: ['12/1/98'], answerSpans: [{ firstWord: 3, lastWord: 3 }] },
      { questionId: 'doc:1:plain', question: 'What is the Date sent?', answers: ['12/1/98'], answerSpans: [{ firstWord: 3, lastWord: 3 }] },
    ]);
  });

  it('keeps every linked answer in reading order, whichever entity lists the link', () => {
    assert.deepEqual(pairs[2].answers, ['Ann Lee', 'Bob']);
    assert.deepEqual(pairs[2].answerSpans, [{ firstWord: 5, lastWord: 6 }, { firstWord: 7, lastWord: 7 }]);
  });

  it('skips questions with an empty key and links to anything but answers', () => {
    assert.deepEqual(pairs.map((pair) => pair.questionId), ['doc:1:text', 'doc:1:plain', 'doc:3:text', 'doc:3:plain']);
  });
});
