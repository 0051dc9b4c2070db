import { createHash } from 'node:crypto';

/**
 * Bounded least-recently-used cache for per-page work that many requests about one document repeat: decoding,
 * OCR / text-layer words, the image side of the model. Bounded by entry count and by (estimated) bytes, so a burst
 * of large documents evicts old pages instead of growing the heap.
 */

export interface PageCacheLimits {
  maxEntries: number;
  maxBytes: number;
}

export interface PageCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

interface Entry {
  value: unknown;
  bytes: number;
}

export class PageCache {
  /** Map iteration order is insertion order: re-inserting on every hit keeps the least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private readonly limits: PageCacheLimits) {
    if (!(limits.maxEntries >= 0 && limits.maxBytes >= 0)) throw new Error('cache limits must be non-negative');
  }

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value as T;
  }

  /** Stores a value with its size; a value larger than the whole budget is not stored. */
  set(key: string, value: unknown, bytes: number): void {
    this.delete(key);
    if (bytes > this.limits.maxBytes || this.limits.maxEntries === 0) return;
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.totalBytes <= this.limits.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
      this.evictions++;
    }
  }

  /** The cached value, or compute and store it; `hit` says which happened. */
  async getOrCompute<T>(key: string, compute: () => Promise<T>, sizeOf: (value: T) => number): Promise<{ value: T; hit: boolean }> {
    const cached = this.get<T>(key);
    if (cached !== undefined) return { value: cached, hit: true };
    const value = await compute();
    this.set(key, value, sizeOf(value));
    return { value, hit: false };
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  stats(): PageCacheStats {
    return { entries: this.entries.size, bytes: this.totalBytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }
}

/** Content hash of a document: the same bytes hit the same entries whatever the file name or transport. */
export function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
