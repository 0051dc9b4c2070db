import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Comparing SHA-256 digests (always 32 bytes) with timingSafeEqual makes the time independent of where the
 * strings differ and of their lengths, so a caller cannot guess a key byte by byte.
 */
export function keyMatches(candidate: string, key: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(key));
}

/** Whether `candidate` equals any of `keys`; every key is compared, so the time does not reveal which one matched. */
export function matchesAnyKey(candidate: string, keys: readonly string[]): boolean {
  let matched = false;
  for (const key of keys) matched = keyMatches(candidate, key) || matched;
  return matched;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent, malformed or empty. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
