/** The tokens that frame every window, read from a tokenizer.json so WordPiece and BPE files both work. */
export interface SpecialTokens {
  cls: string;
  sep: string;
  pad: string;
  clsId: number;
  sepId: number;
  padId: number;
}

/** The parts of a tokenizer.json that name special tokens (everything else is left to the tokenizers package). */
export interface TokenizerFileConfig {
  post_processor?: unknown;
  padding?: { pad_token?: unknown } | null;
}

const FALLBACK_NAMES = {
  cls: ['[CLS]', '<s>', '<cls>'],
  sep: ['[SEP]', '</s>', '<sep>'],
  pad: ['[PAD]', '<pad>'],
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** cls/sep named by the post-processor's configuration (Bert, Roberta, Template, or a Sequence of them). */
function postProcessorSpecials(processor: unknown): { cls?: string; sep?: string } {
  if (!isObject(processor)) return {};
  if (processor.type === 'Sequence' && Array.isArray(processor.processors)) {
    for (const inner of processor.processors) {
      const found = postProcessorSpecials(inner);
      if (found.cls || found.sep) return found;
    }
    return {};
  }
  if ((processor.type === 'BertProcessing' || processor.type === 'RobertaProcessing') && Array.isArray(processor.cls) && Array.isArray(processor.sep)) {
    return { cls: String(processor.cls[0]), sep: String(processor.sep[0]) };
  }
  if (processor.type === 'TemplateProcessing' && Array.isArray(processor.single)) {
    const registry = isObject(processor.special_tokens) ? processor.special_tokens : {};
    const specials = processor.single
      .filter((piece): piece is Json => isObject(piece) && isObject(piece.SpecialToken))
      .map((piece) => {
        const key = String((piece.SpecialToken as Json).id);
        const entry = registry[key];
        return isObject(entry) && Array.isArray(entry.tokens) && entry.tokens.length > 0 ? String(entry.tokens[0]) : key;
      });
    const firstIsSpecial = isObject(processor.single[0]) && isObject((processor.single[0] as Json).SpecialToken);
    return { cls: firstIsSpecial ? specials[0] : undefined, sep: specials.length > (firstIsSpecial ? 1 : 0) ? specials[specials.length - 1] : undefined };
  }
  return {};
}

/**
 * Resolve cls/sep/pad and their ids. The post-processor's configuration is only read for names; special tokens
 * are added by the layout encoder so every window gets its own.
 */
export function resolveSpecialTokens(config: TokenizerFileConfig, tokenToId: (token: string) => number | null | undefined, source: string): SpecialTokens {
  const named = postProcessorSpecials(config.post_processor);
  const padFromPadding = typeof config.padding?.pad_token === 'string' ? config.padding.pad_token : undefined;
  const pick = (role: 'cls' | 'sep' | 'pad', preferred: string | undefined): [string, number] => {
    const candidates = preferred ? [preferred, ...FALLBACK_NAMES[role]] : FALLBACK_NAMES[role];
    for (const token of candidates) {
      const id = tokenToId(token);
      if (typeof id === 'number') return [token, id];
    }
    throw new Error(`${source}: no ${role} token found (looked for ${candidates.join(', ')})`);
  };
  const [cls, clsId] = pick('cls', named.cls);
  const [sep, sepId] = pick('sep', named.sep);
  const [pad, padId] = pick('pad', padFromPadding);
  return { cls, sep, pad, clsId, sepId, padId };
}
