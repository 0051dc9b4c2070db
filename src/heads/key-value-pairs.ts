import type { PixelBox } from '../common/document-types';

/**
 * Key–value pairs between a page's entities: which answer belongs to which question ("FAX NUMBER:" → "(336)
 * 335-7363"), FUNSD's links. Candidates are limited by label: a key is a QUESTION, a value an ANSWER.
 */

export const KEY_LABEL = 'QUESTION';
export const VALUE_LABEL = 'ANSWER';

export interface PairableEntity {
  label: string;
  box: PixelBox;
}

/** Indices into the page's entities; a key without a value has `value: null`. */
export interface EntityPair {
  key: number;
  value: number | null;
  /** The model's probability of the link; null for a pair made by the geometric rule (or a key left without a value). */
  confidence: number | null;
}

const height = (box: PixelBox) => box[3] - box[1];
const width = (box: PixelBox) => box[2] - box[0];
const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * Distance from a key to a value the rule accepts, or undefined: a value on the key's line starting right of the
 * key's start (horizontal gap), else one below it that overlaps it horizontally (vertical gap, counted double so a
 * same-line value wins at equal distance).
 */
export function geometricDistance(key: PixelBox, value: PixelBox): number | undefined {
  const sameLine = overlap(key[1], key[3], value[1], value[3]) >= 0.5 * Math.min(height(key), height(value));
  if (sameLine && value[0] >= key[0] + 0.5 * width(key)) return Math.max(0, value[0] - key[2]);
  const below = value[1] >= key[3] - 0.5 * height(key);
  if (below && overlap(key[0], key[2], value[0], value[2]) > 0) return 2 * Math.max(0, value[1] - key[3]);
  return undefined;
}

/**
 * The geometric baseline: every question takes the nearest answer to its right on the same line, else the nearest
 * below; closest pairs first, each answer given to one question at most. Keys left without a value are listed.
 */
export function geometricPairs(entities: readonly PairableEntity[]): EntityPair[] {
  const keys = indicesOf(entities, KEY_LABEL);
  const values = indicesOf(entities, VALUE_LABEL);
  const candidates = keys.flatMap((key) =>
    values.flatMap((value) => {
      const distance = geometricDistance(entities[key].box, entities[value].box);
      return distance === undefined ? [] : [{ key, value, distance }];
    }),
  );
  candidates.sort((a, b) => a.distance - b.distance || a.key - b.key || a.value - b.value);
  const keyTaken = new Set<number>();
  const valueTaken = new Set<number>();
  const pairs: EntityPair[] = [];
  for (const { key, value } of candidates) {
    if (keyTaken.has(key) || valueTaken.has(value)) continue;
    keyTaken.add(key);
    valueTaken.add(value);
    pairs.push({ key, value, confidence: null });
  }
  return withLoneKeys(pairs, keys);
}

/**
 * Pairs from a model's link probabilities (`probability(key, value)`, 0–1): each answer goes to its most probable
 * question when that is above `threshold` (an answer has one key; a key may have several values).
 */
export function decodePairs(entities: readonly PairableEntity[], probability: (key: number, value: number) => number | undefined, threshold = 0.5): EntityPair[] {
  const keys = indicesOf(entities, KEY_LABEL);
  const pairs: EntityPair[] = [];
  for (const value of indicesOf(entities, VALUE_LABEL)) {
    let best: { key: number; p: number } | undefined;
    for (const key of keys) {
      const p = probability(key, value);
      if (p !== undefined && p > threshold && (!best || p > best.p)) best = { key, p };
    }
    if (best) pairs.push({ key: best.key, value, confidence: best.p });
  }
  return withLoneKeys(pairs, keys);
}

function indicesOf(entities: readonly PairableEntity[], label: string): number[] {
  return entities.flatMap((entity, index) => (entity.label === label ? [index] : []));
}

/** Pairs in reading order of their keys, then values; every key without a value as `value: null`. */
function withLoneKeys(pairs: EntityPair[], keys: readonly number[]): EntityPair[] {
  const paired = new Set(pairs.map((pair) => pair.key));
  const lone = keys.filter((key) => !paired.has(key)).map((key): EntityPair => ({ key, value: null, confidence: null }));
  return [...pairs, ...lone].sort((a, b) => a.key - b.key || (a.value ?? Infinity) - (b.value ?? Infinity));
}
