import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { checkCentralDirectory, ExtractionBudget, isSymlinkEntry, safeEntryPath, ZipEntryHeader, ZipLimits } from './zip-safety';

const LIMITS: ZipLimits = { maxEntries: 10, maxUncompressedBytes: 10_000_000, maxCompressionRatio: 100 };
const UNIX_REGULAR = (0o100644 << 16) >>> 0;
const UNIX_SYMLINK = (0o120777 << 16) >>> 0;

function entry(fileName: string, overrides: Partial<ZipEntryHeader> = {}): ZipEntryHeader {
  return { fileName, compressedSize: 100, uncompressedSize: 200, externalFileAttributes: UNIX_REGULAR, versionMadeBy: 3 << 8, ...overrides };
}

function assertCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof DomainError && error.code === code);
}

describe('safeEntryPath', () => {
  it('keeps ordinary relative paths (dropping "." and empty segments)', () => {
    assert.equal(safeEntryPath('images/a.png'), 'images/a.png');
    assert.equal(safeEntryPath('./data//annotations/a.json'), 'data/annotations/a.json');
  });

  it('rejects traversal, absolute paths, drive letters, backslashes and control characters', () => {
    for (const name of ['../evil.png', 'images/../../evil', '..', '/etc/passwd', 'C:/windows/x', 'c:evil', 'a\\..\\b', 'a\u0000b', '']) {
      assertCode(() => safeEntryPath(name), 'ZIP_UNSAFE_ENTRY');
    }
  });

  it('allows names that merely contain dots', () => {
    assert.equal(safeEntryPath('images/..hidden..png'), 'images/..hidden..png');
  });
});

describe('isSymlinkEntry', () => {
  it('reads the Unix file type from the external attributes of Unix-made entries only', () => {
    assert.equal(isSymlinkEntry({ externalFileAttributes: UNIX_SYMLINK, versionMadeBy: 3 << 8 }), true);
    assert.equal(isSymlinkEntry({ externalFileAttributes: UNIX_REGULAR, versionMadeBy: 3 << 8 }), false);
    assert.equal(isSymlinkEntry({ externalFileAttributes: UNIX_SYMLINK, versionMadeBy: 0 }), false);
  });
});

describe('checkCentralDirectory', () => {
  it('returns the safe paths of file entries, skipping directories', () => {
    assert.deepEqual(checkCentralDirectory([entry('images/'), entry('images/a.png'), entry('annotations/a.json')], LIMITS), [
      'images/a.png',
      'annotations/a.json',
    ]);
  });

  it('rejects too many entries', () => {
    assertCode(() => checkCentralDirectory(Array.from({ length: 11 }, (_, i) => entry(`f${i}`)), LIMITS), 'ZIP_BOMB');
  });

  it('rejects a total uncompressed size over the limit', () => {
    const big = entry('a', { uncompressedSize: 6_000_000, compressedSize: 600_000 });
    assertCode(() => checkCentralDirectory([big, { ...big, fileName: 'b' }], LIMITS), 'ZIP_BOMB');
  });

  it('rejects an entry whose compression ratio is over the limit, but not a tiny one', () => {
    assertCode(() => checkCentralDirectory([entry('zeros.bin', { uncompressedSize: 1_000_000, compressedSize: 1_000 })], LIMITS), 'ZIP_BOMB');
    assert.doesNotThrow(() => checkCentralDirectory([entry('small.json', { uncompressedSize: 5_000, compressedSize: 10 })], LIMITS));
  });

  it('rejects symlinks, duplicates and unsafe names', () => {
    assertCode(() => checkCentralDirectory([entry('link', { externalFileAttributes: UNIX_SYMLINK })], LIMITS), 'ZIP_UNSAFE_ENTRY');
    assertCode(() => checkCentralDirectory([entry('a.png'), entry('./a.png')], LIMITS), 'ZIP_UNSAFE_ENTRY');
    assertCode(() => checkCentralDirectory([entry('../a.png')], LIMITS), 'ZIP_UNSAFE_ENTRY');
  });
});

describe('ExtractionBudget', () => {
  it('stops when the real bytes pass the total, whatever the headers said', () => {
    const budget = new ExtractionBudget({ ...LIMITS, maxUncompressedBytes: 1000 });
    budget.consume('a', 600, 600, 600);
    assertCode(() => budget.consume('b', 600, 600, 600), 'ZIP_BOMB');
  });

  it('stops when an entry expands past the ratio while streaming', () => {
    const budget = new ExtractionBudget(LIMITS);
    budget.consume('a', 50_000, 50_000, 100);
    assertCode(() => budget.consume('a', 50_000, 100_000, 100), 'ZIP_BOMB');
  });
});
