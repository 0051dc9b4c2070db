import { createHash } from 'node:crypto';

/** A seeded uniform generator in [0, 1): the same seed gives the same documents on every machine. */
export type Random = () => number;

/** mulberry32: small, fast and seedable. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from any parts (run seed, document type, index): independent of how many documents others get. */
export function derivedSeed(...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join('/')).digest().readUInt32BE(0);
}

export const pick = <T>(rng: Random, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
export const between = (rng: Random, low: number, high: number): number => low + Math.floor(rng() * (high - low + 1));
export const chance = (rng: Random, probability: number): boolean => rng() < probability;
export function shuffled<T>(rng: Random, list: readonly T[]): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
