import { levenshtein } from '../evaluation/qa-metrics';
import { bestAgainstNone, decodePairs, KEY_LABEL, PairableEntity, VALUE_LABEL } from './key-value-pairs';

/**
 * Asking by key lookup: a question about a form names one of its keys ("What is the fax number?" → "FAX NO.:"), and
 * the answer is the value the key-value head pairs with that key. The question is matched to the page's keys as
 * text, so questions that name no printed key ("Who signed the letter?") find nothing and get no answer.
 */

/** Words that ask rather than name the key, dropped from the start of a question ("What is the", "Who's"). */
const ASKING_WORDS = new Set(['what', 'whats', 'who', 'whom', 'whose', 'when', 'where', 'which', 'how', 'is', 'are', 'was', 'were', 's', 'the', 'a', 'an', 'please', 'give', 'tell', 'me']);

/** The words that name a key: lower case, letters and digits only, the asking words at its start dropped. */
export function keyText(text: string): string {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
  const first = words.findIndex((word) => !ASKING_WORDS.has(word));
  return first < 0 ? '' : words.slice(first).join(' ');
}

/** 1 − normalised edit distance between the key words of a question and of a key (0 when either names nothing). */
export function keySimilarity(question: string, key: string): number {
  return keyTextSimilarity(keyText(question), keyText(key));
}

/** keySimilarity of key words already taken out (keyText). */
export function keyTextSimilarity(asked: string, printed: string): number {
  if (asked === '' || printed === '') return 0;
  return 1 - levenshtein(asked, printed) / Math.max(asked.length, printed.length);
}

/** An entity of a page as extraction found it: label, box, text and its words (indices into the page's words). */
export interface LookupEntity extends PairableEntity {
  text: string;
  words: readonly number[];
}

/** One page: its entities and the key-value head's scorer over entities relabelled as the lookup needs. */
export interface KeyedPage<E extends LookupEntity = LookupEntity> {
  entities: readonly E[];
  scorer: (entities: readonly E[]) => (key: number, value: number) => number | undefined;
}

export interface LookupCandidate {
  /** Index of the page in the document. */
  page: number;
  key: number;
  value: number;
  similarity: number;
  /** similarity × the link's probability: the page's pairs decoded as /v1/extract decodes them, or (`fromKey`) the
   * value's probability among the key's candidate values and "no value". */
  confidence: number;
  /** The head left this key without a value, so the value was chosen from the key's side. */
  fromKey: boolean;
}

/**
 * The values of the keys a question names (similarity ≥ `minKeySimilarity`), best first. A named entity is taken as
 * the key whatever label extraction gave it (a key read as an answer or a header still names the field), and the
 * page's pairs are decoded with it as /v1/extract decodes them (each value picks its most probable key). A named key
 * that no value picked takes its best scored value from its own side (softmax over the page's values and a fixed 0
 * for "no value"); such answers rank after every decoded pair.
 */
export function lookupAnswers<E extends LookupEntity>(question: string, pages: readonly KeyedPage<E>[], minKeySimilarity: number): LookupCandidate[] {
  const candidates: LookupCandidate[] = [];
  pages.forEach((page, pageIndex) => {
    const keys = new Map<number, number>();
    page.entities.forEach((entity, index) => {
      const similarity = keySimilarity(question, entity.text);
      if (similarity >= minKeySimilarity) keys.set(index, similarity);
    });
    if (keys.size === 0) return;
    const relabelled = page.entities.map((entity, index) => (keys.has(index) ? { ...entity, label: KEY_LABEL } : entity));
    const score = page.scorer(relabelled);
    const pairs = decodePairs(relabelled, score);
    const values = relabelled.flatMap((entity, index) => (entity.label === VALUE_LABEL ? [index] : []));
    for (const [key, similarity] of keys) {
      const decoded = pairs.filter((pair) => pair.key === key && pair.value !== null);
      for (const pair of decoded) candidates.push({ page: pageIndex, key, value: pair.value!, similarity, confidence: similarity * (pair.confidence ?? 1), fromKey: false });
      if (decoded.length > 0) continue;
      const best = bestAgainstNone(
        values.flatMap((value) => {
          const logit = score(key, value);
          return logit === undefined ? [] : [{ value, logit }];
        }),
      );
      if (best) candidates.push({ page: pageIndex, key, value: best.value, similarity, confidence: similarity * best.probability, fromKey: true });
    }
  });
  return candidates.sort((a, b) => Number(a.fromKey) - Number(b.fromKey) || b.confidence - a.confidence || a.page - b.page || a.value - b.value);
}
