import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { LayoutTokenizer } from '../layout';
import { askQuestionLimit } from '../registry/bundle-manifest';
import { fitQuestion } from './qa-evaluation';

const TOKENIZER = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'bundles', 'tiny-ask', 'tokenizer.json');

describe('fitQuestion', () => {
  it('keeps a question within the limit and cuts a longer one at a word boundary', async () => {
    const tokenizer = await LayoutTokenizer.fromFile(TOKENIZER);
    assert.deepEqual(await fitQuestion(tokenizer, 'What is the date?', 10), { text: 'What is the date?', truncated: false });
    const cut = await fitQuestion(tokenizer, 'one two three four five six', 3);
    assert.deepEqual(cut, { text: 'one two three', truncated: true });
    assert.ok((await tokenizer.tokenizeText(cut.text)).length <= 3);
  });

  it('uses the bundle question limit within the window', () => {
    const ask = (head: object, maxLength: number) => ({ id: 'x', maxLength, tasks: { ask: { labels: [], outputs: {}, ...head } } });
    assert.equal(askQuestionLimit(ask({ maxQuestionTokens: 64 }, 512)), 64);
    assert.equal(askQuestionLimit(ask({}, 64)), 60);
    assert.equal(askQuestionLimit(ask({ maxQuestionTokens: 20 }, 64)), 20);
  });
});
