import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerToken, keyMatches, matchesAnyKey } from './key-compare';

describe('keyMatches', () => {
  it('accepts the exact key and rejects any other, whatever the length', () => {
    assert.equal(keyMatches('s3cret-admin', 's3cret-admin'), true);
    assert.equal(keyMatches('s3cret-admiN', 's3cret-admin'), false);
    assert.equal(keyMatches('s3cret', 's3cret-admin'), false);
    assert.equal(keyMatches('s3cret-admin-and-more', 's3cret-admin'), false);
    assert.equal(keyMatches('', 's3cret-admin'), false);
  });

  it('does not throw on different lengths (digests are compared, not the raw strings)', () => {
    assert.doesNotThrow(() => keyMatches('a', 'a much longer key than the candidate'));
  });

  it('takes about the same time for an early and a late mismatch', () => {
    const key = 'k'.repeat(4096);
    const early = `x${'k'.repeat(4095)}`;
    const late = `${'k'.repeat(4095)}x`;
    const time = (candidate: string) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 2000; i += 1) keyMatches(candidate, key);
      return Number(process.hrtime.bigint() - start);
    };
    // Best of several alternating runs, so a busy neighbour process does not decide the result.
    const best = { early: Infinity, late: Infinity };
    for (let run = 0; run < 5; run += 1) {
      best.early = Math.min(best.early, time(early));
      best.late = Math.min(best.late, time(late));
    }
    const ratio = best.early / best.late;
    // Generous bounds: a shared CI machine is noisy; a byte-wise early exit would differ by orders of magnitude.
    assert.ok(ratio > 0.33 && ratio < 3, `early/late time ratio ${ratio.toFixed(2)}`);
  });
});

describe('matchesAnyKey', () => {
  it('finds a key anywhere in the list', () => {
    assert.equal(matchesAnyKey('b', ['a', 'b', 'c']), true);
    assert.equal(matchesAnyKey('d', ['a', 'b', 'c']), false);
    assert.equal(matchesAnyKey('a', []), false);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header', () => {
    assert.equal(bearerToken('Bearer abc.123'), 'abc.123');
    assert.equal(bearerToken('bearer   abc'), 'abc');
  });

  it('is undefined for missing, other-scheme or empty headers', () => {
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken('Basic dXNlcjpwYXNz'), undefined);
    assert.equal(bearerToken('Bearer '), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(['Bearer a']), undefined);
  });
});
