import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, syncPath, writeJsonAtomic } from '../common/atomic-file';
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
    await syncPath(this.root);
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  async get(id: string): Promise<DatasetRecord | undefined> {
    if (!DATASET_ID.test(id)) return undefined;
    return readJsonIfExists<DatasetRecord>(join(this.dir(id), RECORD_FILE));
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
