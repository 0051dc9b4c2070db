import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LayoutTokenizer } from './tokenizer';

/** A tiny BERT-style WordPiece tokenizer whose file enables padding and truncation, like many hub files. */
function wordPieceJson(): string {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'total', 'amount', ':', 'un', '##paid', 'r', '&', 'd', 'ok'];
  return JSON.stringify({
    version: '1.0',
    truncation: { direction: 'Right', max_length: 3, strategy: 'LongestFirst', stride: 0 },
    padding: { strategy: { Fixed: 16 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' },
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: null,
    model: {
      type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  });
}

/** GPT-2's reversible byte → printable character map used by byte-level BPE. */
function byteLevelAlphabet(): string[] {
  const printable = new Set<number>();
  for (const [from, to] of [[33, 126], [161, 172], [174, 255]]) for (let b = from; b <= to; b++) printable.add(b);
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable.has(b) ? b : 256 + extra++));
}

/** A tiny RoBERTa-style byte-level BPE tokenizer: `<s>`/`</s>`/`<pad>`, no prefix space added by the file. */
const BPE_SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'];
const BPE_VOCAB = [...BPE_SPECIALS, ...byteLevelAlphabet(), 'Ġt', 'Ġto', 'Ġtot', 'Ġtota', 'Ġtotal', 'Ġ:'];

function byteLevelBpeJson(): string {
  const specials = BPE_SPECIALS;
  const vocab = BPE_VOCAB;
  const merges = ['Ġ t', 'Ġt o', 'Ġto t', 'Ġtot a', 'Ġtota l', 'Ġ :'];
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
      merges,
    },
  });
}

describe('LayoutTokenizer (WordPiece)', () => {
  const tokenizer = LayoutTokenizer.fromString(wordPieceJson());

  it('reads the special tokens', () => {
    assert.deepEqual(tokenizer.special, { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', clsId: 2, sepId: 3, padId: 0 });
    assert.equal(tokenizer.clsId, 2);
    assert.equal(tokenizer.sepId, 3);
    assert.equal(tokenizer.padId, 0);
    assert.equal(tokenizer.vocabSize, 13);
  });

  it('maps sub-tokens to words, ignores the file padding/truncation and adds no special tokens', async () => {
    const result = await tokenizer.tokenizeWords(['Total', 'amount:', 'UNPAID', 'R&D']);
    assert.deepEqual(result.ids, [4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(result.wordIndex, [0, 1, 1, 2, 2, 3, 3, 3]);
  });

  it('skips blank words without shifting the others', async () => {
    const result = await tokenizer.tokenizeWords(['', 'total', '  ', 'ok']);
    assert.deepEqual(result.ids, [4, 12]);
    assert.deepEqual(result.wordIndex, [1, 3]);
  });

  it('encodes a question like page words', async () => {
    assert.deepEqual(await tokenizer.tokenizeText('  Total\n amount: '), [4, 5, 6]);
    assert.deepEqual(await tokenizer.tokenizeText(' '), []);
  });

  it('returns nothing for a page without text', async () => {
    assert.deepEqual(await tokenizer.tokenizeWords([]), { ids: [], wordIndex: [] });
    assert.deepEqual(await tokenizer.tokenizeWords([' ']), { ids: [], wordIndex: [] });
  });
});

describe('LayoutTokenizer (byte-level BPE)', () => {
  const tokenizer = LayoutTokenizer.fromString(byteLevelBpeJson());

  it('reads <s>, </s> and <pad>', () => {
    assert.deepEqual(tokenizer.special, { cls: '<s>', sep: '</s>', pad: '<pad>', clsId: 0, sepId: 2, padId: 1 });
  });

  it('encodes the first word like the others (with its leading space) and aligns by offsets', async () => {
    const total = BPE_VOCAB.indexOf('Ġtotal');
    const colon = BPE_VOCAB.indexOf('Ġ:');
    const result = await tokenizer.tokenizeWords(['total', ':', 'total']);
    assert.deepEqual(result.ids, [total, colon, total]);
    assert.deepEqual(result.wordIndex, [0, 1, 2]);
  });

  it('encodes a question with the same leading space as page words', async () => {
    const total = BPE_VOCAB.indexOf('Ġtotal');
    assert.deepEqual(await tokenizer.tokenizeText('total :'), [total, BPE_VOCAB.indexOf('Ġ:')]);
  });

  it('keeps multi-byte characters with their word', async () => {
    const result = await tokenizer.tokenizeWords(['é', 'total']);
    assert.deepEqual(result.wordIndex.slice(-1), [1]);
    assert.ok(result.wordIndex.slice(0, -1).every((word) => word === 0));
  });
});
