import { readFile } from 'node:fs/promises';
import { Tokenizer } from 'tokenizers';
import { resolveSpecialTokens, SpecialTokens, TokenizerFileConfig } from './special-tokens';
import { joinWords, tokenWordIndex } from './token-alignment';

/** Content tokens of a page (no special tokens) and, per token, the index of its word in the input list. */
export interface TokenizedWords {
  ids: number[];
  wordIndex: number[];
}

function usesByteLevel(preTokenizer: unknown): boolean {
  if (typeof preTokenizer !== 'object' || preTokenizer === null) return false;
  const node = preTokenizer as { type?: unknown; pretokenizers?: unknown };
  if (node.type === 'ByteLevel') return true;
  return Array.isArray(node.pretokenizers) && node.pretokenizers.some(usesByteLevel);
}

/** The only file that imports the `tokenizers` package: words → sub-token ids aligned to words. */
export class LayoutTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly special: SpecialTokens,
    readonly vocabSize: number,
    private readonly leadingSpace: boolean,
  ) {}

  static async fromFile(path: string): Promise<LayoutTokenizer> {
    return LayoutTokenizer.fromString(await readFile(path, 'utf8'), path);
  }

  static fromString(json: string, source = 'tokenizer.json'): LayoutTokenizer {
    let config: TokenizerFileConfig & { pre_tokenizer?: unknown };
    try {
      config = JSON.parse(json);
    } catch (error) {
      throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
    }
    const tokenizer = Tokenizer.fromString(json);
    // Windows are cut and padded by the layout encoder; the file's own settings would cut or pad the page.
    tokenizer.disablePadding();
    tokenizer.disableTruncation();
    const special = resolveSpecialTokens(config, (token) => tokenizer.tokenToId(token), source);
    return new LayoutTokenizer(tokenizer, special, tokenizer.getVocabSize(true), usesByteLevel(config.pre_tokenizer));
  }

  get clsId(): number {
    return this.special.clsId;
  }

  get sepId(): number {
    return this.special.sepId;
  }

  get padId(): number {
    return this.special.padId;
  }

  /**
   * Free text (a question) → token ids, split on whitespace and encoded exactly like page words, so a question
   * word and the same word on the page get the same tokens.
   */
  async tokenizeText(text: string): Promise<number[]> {
    return (await this.tokenizeWords(text.split(/\s+/))).ids;
  }

  /** Blank words get no tokens; `wordIndex` refers to positions in `words`, blanks included. */
  async tokenizeWords(words: readonly string[]): Promise<TokenizedWords> {
    const joined = joinWords(words, this.leadingSpace);
    if (joined.text.trim() === '') return { ids: [], wordIndex: [] };
    const encoding = await this.tokenizer.encode(joined.text, null, { addSpecialTokens: false });
    return { ids: encoding.getIds(), wordIndex: tokenWordIndex(encoding.getOffsets(), joined.wordAtChar) };
  }
}
