import { createHash } from 'node:crypto';

/** A malformed manifest line: the message names the file, the line and the field. */
export class ManifestFormatError extends Error {
  constructor(file: string, line: number, field: string, problem: string) {
    super(`${file}:${line}: ${field}: ${problem}`);
    this.name = 'ManifestFormatError';
  }
}

export interface ManifestLine {
  /** 1-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
}

export type SplitName = 'train' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'test'];

/** JSONL text → one object per non-blank line; a line that is not a JSON object fails naming file and line. */
export function parseJsonl(text: string, file: string): ManifestLine[] {
  const lines: ManifestLine[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ManifestFormatError(file, index + 1, '(line)', `not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ManifestFormatError(file, index + 1, '(line)', 'expected a JSON object');
    }
    lines.push({ line: index + 1, value: value as Record<string, unknown> });
  });
  if (lines.length === 0) throw new ManifestFormatError(file, 1, '(file)', 'no entries');
  return lines;
}

/**
 * Deterministic 80/20 train/test split from a key (the image path as written): the same key always lands in the
 * same split, whatever else the manifest holds.
 */
export function hashSplit(key: string): SplitName {
  const bucket = createHash('sha256').update(key).digest().readUInt32BE(0) % 100;
  return bucket < 80 ? 'train' : 'test';
}

/** The entry's `split` if given (train/test), else the hash split of `key`. */
export function entrySplit(entry: ManifestLine, file: string, key: string): SplitName {
  const split = entry.value.split;
  if (split === undefined) return hashSplit(key);
  if (typeof split !== 'string' || !SPLIT_NAMES.includes(split as SplitName)) {
    throw new ManifestFormatError(file, entry.line, 'split', `expected one of ${SPLIT_NAMES.join(', ')}`);
  }
  return split as SplitName;
}

/** A document id usable as a file name: the image path without extension, other characters replaced by '_'. */
export function documentIdFromPath(relativePath: string): string {
  return relativePath.replace(/\.[^./\\]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'document';
}

/** Fails naming the source when two different images would write the same document id. */
export function assertUniqueDocIds(examples: ReadonlyArray<{ docId: string; imagePath: string; source: string }>): void {
  const seen = new Map<string, { imagePath: string; source: string }>();
  for (const example of examples) {
    const earlier = seen.get(example.docId);
    if (earlier && earlier.imagePath !== example.imagePath) {
      throw new Error(`${example.source}: document id '${example.docId}' is also used by ${earlier.source} (${earlier.imagePath}); rename one image`);
    }
    seen.set(example.docId, earlier ?? example);
  }
}
