import type { PixelBox } from '../common/document-types';
import { Box, normaliseBox, PageSize } from '../layout';

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
 * Pairs from the key-value head's scores (`score(key, value)`: a logit, undefined when the two never share a
 * window): each answer takes the softmax over its candidate questions and "no key" (a fixed 0), as the head was
 * trained (trainer modeling.pair_loss); the most probable wins, with its probability. A key may take several values.
 */
export function decodePairs(entities: readonly PairableEntity[], score: (key: number, value: number) => number | undefined): EntityPair[] {
  const keys = indicesOf(entities, KEY_LABEL);
  const pairs: EntityPair[] = [];
  for (const value of indicesOf(entities, VALUE_LABEL)) {
    const candidates = keys.flatMap((key) => {
      const logit = score(key, value);
      return logit === undefined ? [] : [{ key, logit }];
    });
    const best = bestAgainstNone(candidates);
    if (best && best.logit > 0) pairs.push({ key: best.key, value, confidence: best.probability });
  }
  return withLoneKeys(pairs, keys);
}

/**
 * The highest-scoring candidate with its probability in a softmax over all candidates and a fixed 0 logit for
 * "none" (no key for a value, no value for a key), as the head was trained; undefined without candidates.
 */
export function bestAgainstNone<C extends { logit: number }>(candidates: readonly C[]): (C & { probability: number }) | undefined {
  const best = candidates.reduce<C | undefined>((a, b) => (a === undefined || b.logit > a.logit ? b : a), undefined);
  if (best === undefined) return undefined;
  const top = Math.max(0, best.logit);
  const total = Math.exp(-top) + candidates.reduce((sum, candidate) => sum + Math.exp(candidate.logit - top), 0);
  return { ...best, probability: Math.exp(best.logit - top) / total };
}

/** The head's geometry MLP (manifest `pairs.geometry`): Linear layers, weights as [out][in] rows, ReLU between them. */
export interface PairGeometry {
  features: readonly string[];
  activation: 'relu';
  layers: ReadonlyArray<{ weight: readonly (readonly number[])[]; bias: readonly number[] }>;
}

/** The features pairGeometryFeatures computes, in its order (trainer modeling.PAIR_GEOMETRY_FEATURES). */
export const PAIR_GEOMETRY_FEATURES = ['gapX', 'gapY', 'centreDX', 'centreDY', 'overlapY', 'overlapX', 'leftDX', 'sameLineRight', 'belowOverlapping'];

/**
 * A key–value pair's geometry, as the trainer computes it (modeling.pair_geometry): both boxes in page units
 * (0–1000 coordinates / 1000), gaps and offsets ×10; the last two are the geometric rule's own tests.
 */
export function pairGeometryFeatures(keyBox: Box, valueBox: Box): number[] {
  const [k0, k1, k2, k3] = keyBox.map((value) => value / 1000);
  const [v0, v1, v2, v3] = valueBox.map((value) => value / 1000);
  const keyHeight = k3 - k1;
  const keyWidth = k2 - k0;
  const overlapY = overlap(k1, k3, v1, v3) / Math.max(Math.min(keyHeight, v3 - v1), 1e-3);
  const overlapX = overlap(k0, k2, v0, v2) / Math.max(Math.min(keyWidth, v2 - v0), 1e-3);
  const sameLineRight = overlapY >= 0.5 && v0 >= k0 + 0.5 * keyWidth ? 1 : 0;
  const belowOverlapping = v1 >= k3 - 0.5 * keyHeight && overlapX > 0 ? 1 : 0;
  return [10 * (v0 - k2), 10 * (v1 - k3), 5 * (v0 + v2 - k0 - k2), 5 * (v1 + v3 - k1 - k3), overlapY, overlapX, 10 * (v0 - k0), sameLineRight, belowOverlapping];
}

/** The geometry MLP's score of one feature vector. */
export function geometryScore(geometry: PairGeometry, features: readonly number[]): number {
  let activations = features;
  geometry.layers.forEach((layer, index) => {
    const last = index === geometry.layers.length - 1;
    activations = layer.weight.map((row, out) => {
      const sum = row.reduce((total, weight, input) => total + weight * activations[input], layer.bias[out]);
      return last ? sum : Math.max(0, sum);
    });
  });
  return activations[0];
}

/**
 * Adds the geometry MLP's score to `semantic` (windowPairScores) for every pair it scores; entity boxes are taken
 * to 0–1000 page coordinates as the model's words are.
 */
export function withGeometry(semantic: (key: number, value: number) => number | undefined, entities: readonly PairableEntity[], page: PageSize, geometry: PairGeometry): (key: number, value: number) => number | undefined {
  const boxes = entities.map((entity) => normaliseBox(entity.box, page));
  return (key, value) => {
    const score = semantic(key, value);
    return score === undefined ? undefined : score + geometryScore(geometry, pairGeometryFeatures(boxes[key], boxes[value]));
  };
}

/** One window's key-value head output: per token `dim` numbers, row-major; `wordIds` maps tokens to words (−1: special). */
export interface PairWindow {
  wordIds: readonly number[];
  keys: Float32Array;
  values: Float32Array;
}

/** Each word's first token in a window, in window order (the key-value head and the span reader read words there). */
export function firstTokens(wordIds: readonly number[]): Map<number, number> {
  const first = new Map<number, number>();
  wordIds.forEach((word, token) => {
    if (word >= 0 && !first.has(word)) first.set(word, token);
  });
  return first;
}

/** The mean of `vectors` over the first token of each of `words`; undefined unless every word is in the window. */
function entityVector(firstToken: ReadonlyMap<number, number>, vectors: Float32Array, words: readonly number[], dim: number): Float32Array | undefined {
  const mean = new Float32Array(dim);
  for (const word of words) {
    const token = firstToken.get(word);
    if (token === undefined) return undefined;
    for (let i = 0; i < dim; i++) mean[i] += vectors[token * dim + i] / words.length;
  }
  return mean;
}

/**
 * The head's score ⟨key, value⟩/√dim of every question–answer pair, averaged over the windows that hold both
 * entities whole (a long page has several windows; an entity cut by a window's edge is scored in another).
 */
export function windowPairScores(windows: readonly PairWindow[], entities: ReadonlyArray<PairableEntity & { words: readonly number[] }>, dim: number): (key: number, value: number) => number | undefined {
  const sums = new Map<string, { total: number; count: number }>();
  const scale = 1 / Math.sqrt(dim);
  for (const window of windows) {
    const firstToken = firstTokens(window.wordIds);
    const keys = new Map<number, Float32Array>();
    const values = new Map<number, Float32Array>();
    entities.forEach((entity, index) => {
      if (entity.label === KEY_LABEL) {
        const vector = entityVector(firstToken, window.keys, entity.words, dim);
        if (vector) keys.set(index, vector);
      } else if (entity.label === VALUE_LABEL) {
        const vector = entityVector(firstToken, window.values, entity.words, dim);
        if (vector) values.set(index, vector);
      }
    });
    for (const [key, keyVector] of keys) {
      for (const [value, valueVector] of values) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += keyVector[i] * valueVector[i];
        const entry = sums.get(`${key}>${value}`) ?? { total: 0, count: 0 };
        sums.set(`${key}>${value}`, { total: entry.total + dot * scale, count: entry.count + 1 });
      }
    }
  }
  return (key, value) => {
    const entry = sums.get(`${key}>${value}`);
    return entry ? entry.total / entry.count : undefined;
  };
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
