const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];

/**
 * A tokenizer.json for a BERT-style WordPiece vocabulary small enough to write inline: the special tokens, then
 * `tokens`. Like many hub files it enables padding and truncation, which readers must ignore.
 */
export function tinyWordPieceTokenizer(tokens: string[]) {
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: 2, strategy: 'LongestFirst', stride: 0 },
    padding: { strategy: { Fixed: 32 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' },
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: null,
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries([...SPECIAL_TOKENS, ...tokens].map((token, id) => [token, id])),
    },
  };
}
