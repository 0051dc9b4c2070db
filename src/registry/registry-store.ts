import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJsonIfExists, syncPath, writeJsonAtomic } from '../common/atomic-file';
import { ActiveVersions, emptyActiveVersions, parseActiveVersions } from './active-versions';

/** Work in progress (a bundle being published, a file being replaced, a bundle being deleted): never loaded. */
const TEMP_NAME = /^\.(staging|trash)-(\d+)-[0-9a-f]+-(.+)$/;
/** Another host's leftovers are only removed once surely abandoned. */
const FOREIGN_TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface TempOwner {
  host: string;
  isAlive(pid: number): boolean;
}

/** Temp names carry pid and host, so a replica sharing the directory never deletes another one's live work. */
export function tempName(kind: 'staging' | 'trash', pid = process.pid, host = hostname()): string {
  return `.${kind}-${pid}-${randomBytes(6).toString('hex')}-${host}`;
}

/** A temp entry is abandoned when its process on this host is gone, or (any host) after a day. */
export function isAbandonedTemp(name: string, ageMs: number, owner: TempOwner): boolean {
  const match = TEMP_NAME.exec(name);
  if (!match) return false;
  if (ageMs > FOREIGN_TEMP_MAX_AGE_MS) return true;
  return match[3] === owner.host && !owner.isAlive(Number(match[2]));
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StagedBundle {
  /** Where the bundle came from. */
  source: string;
  /** Its private copy inside the registry. */
  path: string;
  /** Renamed (same filesystem) rather than copied. */
  moved: boolean;
}

/**
 * The registry's files under <dataDir>/registry: `bundles/<id>/` (published bundles) and `active.json`. Every
 * change becomes visible by a single rename, so readers (this process after a crash, other replicas) see either
 * the old state or the new one.
 */
export class RegistryStore {
  readonly bundlesDir: string;
  readonly activeFile: string;

  constructor(readonly root: string) {
    this.bundlesDir = join(root, 'bundles');
    this.activeFile = join(root, 'active.json');
  }

  /** Creates the directories and removes what a crash mid-publish or mid-delete left behind. */
  async prepare(): Promise<string[]> {
    await mkdir(this.bundlesDir, { recursive: true });
    const owner: TempOwner = { host: hostname(), isAlive: processIsAlive };
    const removed: string[] = [];
    for (const dir of [this.root, this.bundlesDir]) {
      for (const name of await readdir(dir)) {
        const path = join(dir, name);
        const info = await stat(path).catch(() => undefined);
        if (info && isAbandonedTemp(name, Date.now() - info.mtimeMs, owner)) {
          await rm(path, { recursive: true, force: true });
          removed.push(path);
        }
      }
    }
    return removed;
  }

  bundlePath(id: string): string {
    return join(this.bundlesDir, id);
  }

  async publishedIds(): Promise<string[]> {
    const entries = await readdir(this.bundlesDir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name).sort();
  }

  /** Changes whenever active.json is replaced or a bundle appears or disappears. */
  async changeStamp(): Promise<string> {
    const [active, bundles] = await Promise.all([stat(this.activeFile).catch(() => undefined), stat(this.bundlesDir)]);
    return `${active?.mtimeMs ?? 0}:${active?.ino ?? 0}:${bundles.mtimeMs}`;
  }

  async readActive(): Promise<ActiveVersions> {
    const state = await readJsonIfExists<unknown>(this.activeFile);
    return state === undefined ? emptyActiveVersions() : parseActiveVersions(state);
  }

  async writeActive(state: ActiveVersions): Promise<void> {
    await writeJsonAtomic(this.activeFile, state, join(this.root, tempName('staging')));
  }

  /**
   * Moves a finished bundle directory into a private staging directory on the registry's filesystem (rename, or
   * copy when it lives on another filesystem) and flushes its files to disk. unstage() gives it back; dropSource()
   * ends it.
   */
  async stage(source: string): Promise<StagedBundle> {
    const path = join(this.bundlesDir, tempName('staging'));
    let moved = true;
    try {
      await rename(source, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await cp(source, path, { recursive: true, preserveTimestamps: true });
      moved = false;
    }
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isFile()) await syncPath(join(path, entry.name));
    }
    return { source, path, moved };
  }

  /** Puts a staged (or committed and then refused) bundle back where it came from. */
  async unstage(staged: StagedBundle, from = staged.path): Promise<void> {
    if (staged.moved) await rename(from, staged.source);
    else await this.discard(from);
  }

  /** Makes a staged bundle visible as `bundles/<id>`; false when that id is already taken. */
  async commit(staged: StagedBundle, id: string): Promise<boolean> {
    const target = this.bundlePath(id);
    if (await stat(target).catch(() => undefined)) return false;
    try {
      await rename(staged.path, target);
    } catch (error) {
      // Another replica published the same id in between: the rename onto its non-empty directory fails.
      if (['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
      throw error;
    }
    await syncPath(this.bundlesDir);
    return true;
  }

  /** After a successful publish: a copied bundle's source is no longer needed. */
  async dropSource(staged: StagedBundle): Promise<void> {
    if (!staged.moved) await this.discard(staged.source);
  }

  /** Hides `bundles/<id>` at once (one rename); its files are deleted later by discard(). */
  async retire(id: string): Promise<string> {
    const trash = join(this.bundlesDir, tempName('trash'));
    await rename(this.bundlePath(id), trash);
    await syncPath(this.bundlesDir);
    return trash;
  }

  async discard(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }
}
