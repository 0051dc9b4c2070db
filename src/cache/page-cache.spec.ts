import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash, PageCache } from './page-cache';

describe('PageCache', () => {
  it('returns what was stored and counts hits and misses', () => {
    const cache = new PageCache({ maxEntries: 4, maxBytes: 100 });
    assert.equal(cache.get('a'), undefined);
    cache.set('a', { words: 3 }, 10);
    assert.deepEqual(cache.get('a'), { words: 3 });
    assert.deepEqual(cache.stats(), { entries: 1, bytes: 10, hits: 1, misses: 1, evictions: 0 });
  });

  it('evicts the least recently used entry beyond the entry limit', () => {
    const cache = new PageCache({ maxEntries: 2, maxBytes: 100 });
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    cache.get('a'); // b is now the least recently used
    cache.set('c', 3, 1);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.stats().evictions, 1);
  });

  it('evicts until the byte budget holds', () => {
    const cache = new PageCache({ maxEntries: 10, maxBytes: 100 });
    cache.set('a', 'a', 40);
    cache.set('b', 'b', 40);
    cache.set('c', 'c', 50);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), 'b');
    assert.equal(cache.stats().bytes, 90);
  });

  it('does not store a value larger than the whole budget', () => {
    const cache = new PageCache({ maxEntries: 10, maxBytes: 100 });
    cache.set('small', 1, 10);
    cache.set('huge', 2, 101);
    assert.equal(cache.get('huge'), undefined);
    assert.equal(cache.get('small'), 1);
  });

  it('replaces an entry under the same key without double-counting bytes', () => {
    const cache = new PageCache({ maxEntries: 10, maxBytes: 100 });
    cache.set('a', 1, 30);
    cache.set('a', 2, 20);
    assert.equal(cache.get('a'), 2);
    assert.equal(cache.stats().bytes, 20);
  });

  it('stores nothing when disabled (maxEntries 0)', () => {
    const cache = new PageCache({ maxEntries: 0, maxBytes: 100 });
    cache.set('a', 1, 1);
    assert.equal(cache.get('a'), undefined);
  });

  it('computes once, then hits', async () => {
    const cache = new PageCache({ maxEntries: 10, maxBytes: 100 });
    let calls = 0;
    const compute = async () => ++calls;
    assert.deepEqual(await cache.getOrCompute('k', compute, () => 1), { value: 1, hit: false });
    assert.deepEqual(await cache.getOrCompute('k', compute, () => 1), { value: 1, hit: true });
    assert.equal(calls, 1);
  });
});

describe('contentHash', () => {
  it('depends only on the bytes', () => {
    assert.equal(contentHash(Buffer.from('abc')), contentHash(Buffer.from('abc')));
    assert.notEqual(contentHash(Buffer.from('abc')), contentHash(Buffer.from('abd')));
    assert.match(contentHash(Buffer.alloc(0)), /^[0-9a-f]{64}$/);
  });
});
