/**
 * Entity-level scores of token predictions on a prepared split, with the trainer's semantics
 * (trainer/src/aetnet_trainer/evaluate.py): a page's windows are merged token by token, each token taken from the
 * window where it is most central; only first sub-tokens count; entities are chunked IOB2 the lenient seqeval way.
 * Pure, so the base model and the tuned model are scored by the same code on the same windows.
 */

export interface ScoredWindow {
  docId: string;
  page: number;
  tokenStart: number;
  /** Gold tag per position ([CLS] … [SEP]), null where the position is not scored (special, continuation tokens). */
  gold: ReadonlyArray<string | null>;
  /** Predicted tag per position, same length. */
  predicted: readonly string[];
}

export interface Score {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface TokenEvaluation extends Score {
  perLabel: Record<string, Score>;
  tokenAccuracy: number;
  pages: number;
}

type Chunk = [type: string, first: number, last: number];

function splitTag(tag: string): [prefix: string, type: string] {
  if (tag === 'O' || tag === '') return ['O', '_'];
  const dash = tag.indexOf('-');
  return dash < 0 ? [tag, '_'] : [tag.slice(0, dash), tag.slice(dash + 1) || '_'];
}

const endsChunk = (prevPrefix: string, prefix: string, prevType: string, type: string) =>
  prevPrefix === 'E' || prevPrefix === 'S' || ((prevPrefix === 'B' || prevPrefix === 'I') && ['B', 'S', 'O'].includes(prefix)) ||
  (prevPrefix !== 'O' && prevType !== type);

const startsChunk = (prevPrefix: string, prefix: string, prevType: string, type: string) =>
  prefix === 'B' || prefix === 'S' || (['E', 'S', 'O'].includes(prevPrefix) && (prefix === 'E' || prefix === 'I')) ||
  (prefix !== 'O' && prevType !== type);

/** seqeval's default IOB2 chunking: an I- after O or after another type opens a new entity. */
export function chunkTags(tags: readonly string[]): Chunk[] {
  const found: Chunk[] = [];
  let prevPrefix = 'O';
  let prevType = '_';
  let begin = 0;
  [...tags, 'O'].forEach((tag, index) => {
    const [prefix, type] = splitTag(tag);
    if (endsChunk(prevPrefix, prefix, prevType, type)) found.push([prevType, begin, index - 1]);
    if (startsChunk(prevPrefix, prefix, prevType, type)) begin = index;
    prevPrefix = prefix;
    prevType = type;
  });
  return found;
}

/** Per page, the gold and predicted tags of the scored tokens in page order. */
export function mergePageWindows(windows: readonly ScoredWindow[]): Map<string, { gold: string[]; predicted: string[] }> {
  const best = new Map<string, Map<number, { centrality: number; gold: string; predicted: string }>>();
  for (const window of windows) {
    const key = `${window.docId}\u0000${window.page}`;
    const page = best.get(key) ?? new Map();
    best.set(key, page);
    const content = window.gold.length - 2;
    for (let offset = 0; offset < content; offset++) {
      const gold = window.gold[offset + 1];
      if (gold === null) continue;
      const centrality = Math.min(offset, content - 1 - offset);
      const position = window.tokenStart + offset;
      const seen = page.get(position);
      if (!seen || centrality > seen.centrality) page.set(position, { centrality, gold, predicted: window.predicted[offset + 1] });
    }
  }
  const pages = new Map<string, { gold: string[]; predicted: string[] }>();
  for (const [key, tokens] of best) {
    const ordered = [...tokens.entries()].sort((a, b) => a[0] - b[0]).map(([, token]) => token);
    pages.set(key, { gold: ordered.map((t) => t.gold), predicted: ordered.map((t) => t.predicted) });
  }
  return pages;
}

function score(correct: number, predicted: number, support: number): Score {
  const precision = predicted ? correct / predicted : 0;
  const recall = support ? correct / support : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support };
}

export function evaluateTokenWindows(windows: readonly ScoredWindow[]): TokenEvaluation {
  const pages = [...mergePageWindows(windows).values()];
  const gold = new Set<string>();
  const predicted = new Set<string>();
  let tokens = 0;
  let hits = 0;
  pages.forEach((page, index) => {
    for (const [type, first, last] of chunkTags(page.gold)) gold.add(`${index}|${type}|${first}|${last}`);
    for (const [type, first, last] of chunkTags(page.predicted)) predicted.add(`${index}|${type}|${first}|${last}`);
    tokens += page.gold.length;
    hits += page.gold.filter((tag, i) => tag === page.predicted[i]).length;
  });
  const correct = new Set([...predicted].filter((entity) => gold.has(entity)));
  const typeOf = (entity: string) => entity.split('|')[1];
  const count = (entities: Set<string>, type: string) => [...entities].filter((entity) => typeOf(entity) === type).length;
  const perLabel: Record<string, Score> = {};
  for (const type of [...new Set([...gold, ...predicted].map(typeOf))].sort()) {
    perLabel[type] = score(count(correct, type), count(predicted, type), count(gold, type));
  }
  return { ...score(correct.size, predicted.size, gold.size), perLabel, tokenAccuracy: tokens ? hits / tokens : 0, pages: pages.length };
}
