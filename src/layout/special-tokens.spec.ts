import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSpecialTokens } from './special-tokens';

const lookup = (vocab: Record<string, number>) => (token: string) => vocab[token] ?? null;

describe('resolveSpecialTokens', () => {
  it('reads cls/sep from a template post-processor and pad from padding', () => {
    const config = {
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: 'CLS' } }, { Sequence: { id: 'A' } }, { SpecialToken: { id: 'SEP' } }],
        special_tokens: { CLS: { tokens: ['[CLS]'] }, SEP: { tokens: ['[SEP]'] } },
      },
      padding: { pad_token: '[PAD]' },
    };
    assert.deepEqual(resolveSpecialTokens(config, lookup({ '[PAD]': 0, '[CLS]': 101, '[SEP]': 102 }), 't.json'), {
      cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', clsId: 101, sepId: 102, padId: 0,
    });
  });

  it('reads a RobertaProcessing inside a Sequence', () => {
    const config = { post_processor: { type: 'Sequence', processors: [{ type: 'ByteLevel' }, { type: 'RobertaProcessing', cls: ['<s>', 0], sep: ['</s>', 2] }] } };
    assert.deepEqual(resolveSpecialTokens(config, lookup({ '<s>': 0, '<pad>': 1, '</s>': 2 }), 't.json'), {
      cls: '<s>', sep: '</s>', pad: '<pad>', clsId: 0, sepId: 2, padId: 1,
    });
  });

  it('falls back to well-known names without a post-processor', () => {
    assert.deepEqual(resolveSpecialTokens({}, lookup({ '<s>': 0, '<pad>': 1, '</s>': 2 }), 't.json').clsId, 0);
    assert.deepEqual(resolveSpecialTokens({ post_processor: null }, lookup({ '[CLS]': 5, '[SEP]': 6, '[PAD]': 7 }), 't.json').padId, 7);
  });

  it('names the file and the missing role', () => {
    assert.throws(() => resolveSpecialTokens({}, lookup({ '<s>': 0, '</s>': 2 }), 'tok.json'), /tok\.json: no pad token/);
  });
});
