import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Durable JSON records. A record is replaced by writing a temp file on the same filesystem, flushing it and
 * renaming it over the old one, so readers (other replicas, this process after a crash) see the old version or
 * the new one, never a mix.
 */

/** fsync of a file, or of a directory so that a rename inside it survives a power loss. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `value` as indented JSON: temp file, fsync, rename, fsync of the directory. `tempPath`
 * (beside `path` by default) lets a store name its work in progress so that its crash cleanup recognises it.
 */
export async function writeJsonAtomic(path: string, value: unknown, tempPath = `${path}.${randomUUID()}.tmp`): Promise<void> {
  try {
    const handle = await open(tempPath, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  await syncPath(dirname(path));
}

/** The parsed JSON file, or undefined when there is no such file. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}
