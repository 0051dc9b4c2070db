import { DomainError } from '../common/domain-error';

/** Limits applied to an uploaded dataset zip (from AppConfig). */
export interface ZipLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of one entry (deflate reaches ~1000 on zeros; real data stays far below 100). */
  maxCompressionRatio: number;
}

/** What the central directory says about an entry, before any byte of it is read. */
export interface ZipEntryHeader {
  fileName: string;
  compressedSize: number;
  uncompressedSize: number;
  /** Upper 16 bits: Unix mode when the zip was made on Unix (versionMadeBy >> 8 === 3). */
  externalFileAttributes: number;
  versionMadeBy: number;
}

const UNIX_HOST = 3;
const FILE_TYPE_MASK = 0o170000;
const SYMLINK_TYPE = 0o120000;
/** Entries this small cannot make a bomb, and tiny files compress "too well" legitimately. */
const RATIO_CHECK_MIN_BYTES = 64 * 1024;

const unsafe = (fileName: string, reason: string) =>
  new DomainError('ZIP_UNSAFE_ENTRY', `Zip entry "${fileName}" is not allowed: ${reason}`, { entry: fileName, reason });

export function isDirectoryEntry(fileName: string): boolean {
  return fileName.endsWith('/');
}

export function isSymlinkEntry(entry: Pick<ZipEntryHeader, 'externalFileAttributes' | 'versionMadeBy'>): boolean {
  return entry.versionMadeBy >> 8 === UNIX_HOST && ((entry.externalFileAttributes >>> 16) & FILE_TYPE_MASK) === SYMLINK_TYPE;
}

/**
 * The entry's path, checked to stay inside the extraction directory: relative, no `..`, no drive letter,
 * no backslash (a Windows separator that would become `..\` on some systems), no NUL or control characters.
 */
export function safeEntryPath(fileName: string): string {
  if (fileName.length === 0) throw unsafe(fileName, 'empty name');
  if (/[\u0000-\u001f]/.test(fileName)) throw unsafe(fileName, 'control characters in the name');
  if (fileName.includes('\\')) throw unsafe(fileName, 'backslash in the name');
  if (fileName.startsWith('/')) throw unsafe(fileName, 'absolute path');
  if (/^[a-zA-Z]:/.test(fileName)) throw unsafe(fileName, 'drive letter');
  const segments = fileName.split('/');
  if (segments.includes('..')) throw unsafe(fileName, 'parent directory reference (..)');
  return segments.filter((segment) => segment !== '' && segment !== '.').join('/');
}

function bomb(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('ZIP_BOMB', message, details);
}

function checkRatio(fileName: string, uncompressed: number, compressed: number, limit: number): void {
  if (uncompressed < RATIO_CHECK_MIN_BYTES) return;
  const ratio = uncompressed / Math.max(1, compressed);
  if (ratio > limit) {
    throw bomb(`Zip entry "${fileName}" expands ${Math.round(ratio)}× (limit ${limit}×)`, { entry: fileName, ratio: Math.round(ratio), maxCompressionRatio: limit });
  }
}

/** Checks the whole central directory before anything is extracted. Returns the file entries' safe paths. */
export function checkCentralDirectory(entries: readonly ZipEntryHeader[], limits: ZipLimits): string[] {
  if (entries.length > limits.maxEntries) {
    throw bomb(`The zip has ${entries.length} entries (limit ${limits.maxEntries})`, { entries: entries.length, maxEntries: limits.maxEntries });
  }
  let total = 0;
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const path = safeEntryPath(entry.fileName);
    if (isSymlinkEntry(entry)) throw unsafe(entry.fileName, 'symbolic link');
    if (isDirectoryEntry(entry.fileName)) continue;
    if (seen.has(path)) throw unsafe(entry.fileName, 'duplicate entry');
    seen.add(path);
    total += entry.uncompressedSize;
    if (total > limits.maxUncompressedBytes) {
      throw bomb(`The zip expands to more than ${limits.maxUncompressedBytes} bytes`, { maxUncompressedBytes: limits.maxUncompressedBytes });
    }
    checkRatio(entry.fileName, entry.uncompressedSize, entry.compressedSize, limits.maxCompressionRatio);
    paths.push(path);
  }
  return paths;
}

/**
 * Counts the bytes really produced while extracting: headers can lie, so sizes and ratios are enforced on
 * what the decompressor emits, and extraction stops at the first byte over a limit.
 */
export class ExtractionBudget {
  private totalBytes = 0;

  constructor(private readonly limits: ZipLimits) {}

  /** Call per chunk with the entry's running byte count; throws ZIP_BOMB once a limit is passed. */
  consume(fileName: string, chunkBytes: number, entryBytesSoFar: number, compressedSize: number): void {
    this.totalBytes += chunkBytes;
    if (this.totalBytes > this.limits.maxUncompressedBytes) {
      throw bomb(`The zip expands to more than ${this.limits.maxUncompressedBytes} bytes`, { maxUncompressedBytes: this.limits.maxUncompressedBytes });
    }
    checkRatio(fileName, entryBytesSoFar, compressedSize, this.limits.maxCompressionRatio);
  }
}
