import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetRecord, StoredDocument } from './dataset-types';

/**
 * Durable dataset storage under <dataDir>/datasets/<id>/ (record.json, documents.json, images/). A dataset is
 * built in .staging/ and appears by one rename, so readers never see half of one; a crash leaves only staging,
 * which the next start clears.
 */

const RECORD_FILE = 'record.json';
const DOCUMENTS_FILE = 'documents.json';
const STAGING = '.staging';
const DATASET_ID = /^ds-[0-9a-f]{12}$/;

/** Write to a temp file, fsync, rename: the file is either the old or the new version, never a mix. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function newDatasetId(): string {
  return `ds-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export class DatasetStore {
  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await rm(join(this.root, STAGING), { recursive: true, force: true });
    await mkdir(join(this.root, STAGING), { recursive: true });
  }

  /** A fresh private working directory; the caller removes it (commit moves its `out/` away first). */
  async createStaging(): Promise<string> {
    const dir = join(this.root, STAGING, randomUUID());
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Writes documents.json and record.json into the built directory, then moves it into place. */
  async commit(builtDir: string, record: DatasetRecord, documents: StoredDocument[]): Promise<void> {
    await writeJsonAtomic(join(builtDir, DOCUMENTS_FILE), documents);
    await writeJsonAtomic(join(builtDir, RECORD_FILE), record);
    await rename(builtDir, this.dir(record.id));
    await syncDirectory(this.root);
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  async get(id: string): Promise<DatasetRecord | undefined> {
    if (!DATASET_ID.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.dir(id), RECORD_FILE), 'utf8')) as DatasetRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(): Promise<DatasetRecord[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const records = await Promise.all(names.filter((name) => DATASET_ID.test(name)).map((name) => this.get(name)));
    return records.filter((record): record is DatasetRecord => record !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async documents(id: string): Promise<StoredDocument[]> {
    return JSON.parse(await readFile(join(this.dir(id), DOCUMENTS_FILE), 'utf8')) as StoredDocument[];
  }

  /** Moves the dataset out of the listing in one rename, then deletes its files. */
  async remove(id: string): Promise<void> {
    const trash = join(this.root, STAGING, `deleted-${id}-${randomUUID()}`);
    await rename(this.dir(id), trash);
    await rm(trash, { recursive: true, force: true });
  }
}
