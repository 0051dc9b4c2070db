import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { DomainError } from '../common/domain-error';
import { checkCentralDirectory, ExtractionBudget, ZipLimits } from './zip-safety';

/** The only file that imports yauzl. */

const unreadable = (reason: string) => new DomainError('ZIP_UNREADABLE', `The upload is not a readable zip: ${reason}`);

function readCentralDirectory(zip: yauzl.ZipFile, maxEntries: number): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      // Stop reading early: the entry count is enforced again (with its own message) by checkCentralDirectory.
      if (entries.length > maxEntries) resolve(entries);
      else zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => reject(unreadable(error.message)));
    zip.readEntry();
  });
}

/** With decodeStrings off yauzl keeps names raw; they are decoded here and judged by zip-safety. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

/**
 * Extracts `zipPath` into the (new, empty) `outDir`: the central directory is checked first (paths, symlinks,
 * entry count, sizes, ratios), then each entry is streamed to disk while the real bytes are counted.
 * Returns the relative paths of the extracted files. On any error the caller removes `outDir`.
 */
export async function extractZip(zipPath: string, outDir: string, limits: ZipLimits): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw unreadable((error as Error).message);
  }
  try {
    const entries = await readCentralDirectory(zip, limits.maxEntries);
    const headers = entries.map((entry) => ({
      fileName: entryName(entry),
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
      externalFileAttributes: entry.externalFileAttributes,
      versionMadeBy: entry.versionMadeBy,
    }));
    const paths = checkCentralDirectory(headers, limits);
    const budget = new ExtractionBudget(limits);
    const files = entries.filter((_, index) => !headers[index].fileName.endsWith('/'));
    for (const [index, entry] of files.entries()) {
      if (entry.isEncrypted()) throw unreadable(`entry "${paths[index]}" is encrypted`);
      const target = join(outDir, paths[index]);
      await mkdir(dirname(target), { recursive: true });
      let entryBytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          entryBytes += chunk.length;
          try {
            budget.consume(paths[index], chunk.length, entryBytes, entry.compressedSize);
            callback(null, chunk);
          } catch (error) {
            callback(error as Error);
          }
        },
      });
      try {
        await pipeline(await zip.openReadStreamPromise(entry), counter, createWriteStream(target, { flags: 'wx' }));
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw unreadable(`entry "${paths[index]}": ${(error as Error).message}`);
      }
    }
    return paths;
  } finally {
    zip.close();
  }
}
