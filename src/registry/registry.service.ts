import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { InferencePool } from '../model/inference-pool';
import { ActiveVersions, effectiveActive, emptyActiveVersions, withActivated, withForgotten, withRolledBack } from './active-versions';
import { bundleTasks, ManifestError, ModelTask } from './bundle-manifest';
import { checkBundleFiles, loadBundle, readManifest, RegisteredModel, sessionPaths } from './bundle-loader';
import { ModelLeases } from './model-leases';
import { RegistryStore } from './registry-store';

export type { RegisteredModel } from './bundle-loader';

/** Everything requests read from the registry, replaced as a whole so readers never see a half-update. */
interface RegistrySnapshot {
  models: ReadonlyMap<string, RegisteredModel>;
  activeByTask: ReadonlyMap<ModelTask, string>;
}

export interface ModelVersion {
  model: RegisteredModel;
  /** The tasks this version is the active one of. */
  activeFor: ModelTask[];
}

/** A model held by one request; release() when the request is done with it. */
export interface ModelLease {
  model: RegisteredModel;
  release(): void;
}

export interface ModelReadiness {
  ready: boolean;
  models: Array<{ id: string; tasks: ModelTask[]; executionProvider: string; executionProviderFallback?: string }>;
}

/**
 * Model versions per task. Shipped bundles (models/, AETNET_MODELS_DIR) are read-only versions; published ones
 * live in <dataDir>/registry/bundles/<id>; the active version per task is persisted in active.json. A hot swap
 * replaces the snapshot: requests in flight keep the RegisteredModel they resolved, new ones get the new version.
 */
@Injectable()
export class RegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RegistryService.name);
  private readonly store: RegistryStore;
  private readonly leases = new ModelLeases();
  /**
   * Removed versions that requests still hold. Their sessions stay in the workers until the last one ends, and
   * workers key sessions by file path, so the id cannot be loaded again (same path, new files) until then.
   */
  private readonly retiring = new Set<string>();
  private snapshot: RegistrySnapshot = { models: new Map(), activeByTask: new Map() };
  /** Changes (publish, activate, rollback, remove, sync) run one at a time, each from the last one's result. */
  private changes: Promise<unknown> = Promise.resolve();
  private seenStamp = '';
  private pollTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly pool: InferencePool,
  ) {
    this.store = new RegistryStore(join(config.dataDir, 'registry'));
  }

  async onModuleInit(): Promise<void> {
    for (const leftover of await this.store.prepare()) this.logger.warn(`removed unfinished registry entry ${leftover}`);
    this.snapshot = { models: await this.loadShipped(), activeByTask: new Map() };
    await this.serialised(() => this.syncFromDisk());
    this.pollTimer = setInterval(() => {
      this.serialised(() => this.syncFromDisk()).catch((error) => this.logger.warn(`registry sync failed: ${(error as Error).message}`));
    }, this.config.registryPollMs);
    this.pollTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pollTimer);
  }

  list(): RegisteredModel[] {
    return [...this.snapshot.models.values()];
  }

  /** The tasks `model` is the active version of (empty when it serves only requests that name it). */
  activeTasks(model: RegisteredModel): ModelTask[] {
    return bundleTasks(model.manifest).filter((task) => this.snapshot.activeByTask.get(task) === model.id);
  }

  /** The requested version, or the task's active one; MODEL_NOT_FOUND when absent or not serving the task. */
  resolve(task: ModelTask, id?: string): RegisteredModel {
    const { models, activeByTask } = this.snapshot;
    const wanted = id ?? activeByTask.get(task);
    const model = wanted === undefined ? undefined : models.get(wanted);
    if (!model) {
      throw new DomainError(
        'MODEL_NOT_FOUND',
        id === undefined ? `No ${task} model is installed` : `No ${task} model with id "${id}"`,
        { task, ...(id === undefined ? {} : { model: id }) },
      );
    }
    if (model.manifest.tasks[task] === undefined) throw notServing(model, task);
    return model;
  }

  /** resolve() plus a use count: a version removed meanwhile keeps its files until every lease is released. */
  acquire(task: ModelTask, id?: string): ModelLease {
    const model = this.resolve(task, id);
    return { model, release: this.leases.acquire(model.id) };
  }

  /** Runs `use` on the resolved version, holding a lease until it settles (see acquire). */
  async withModel<T>(task: ModelTask, id: string | undefined, use: (model: RegisteredModel) => Promise<T>): Promise<T> {
    const lease = this.acquire(task, id);
    try {
      return await use(lease.model);
    } finally {
      lease.release();
    }
  }

  /** Versions serving one task (or all), oldest first. */
  versions(task?: ModelTask): ModelVersion[] {
    return this.list()
      .filter((model) => task === undefined || bundleTasks(model.manifest).includes(task))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .map((model) => ({ model, activeFor: this.activeTasks(model) }));
  }

  bundleDir(id: string): string {
    return this.version(id).directory;
  }

  readiness(): ModelReadiness {
    const models = this.list().map((model) => ({
      id: model.id,
      tasks: bundleTasks(model.manifest),
      executionProvider: model.executionProvider,
      ...(model.executionProviderFallback ? { executionProviderFallback: model.executionProviderFallback } : {}),
    }));
    return { ready: models.length > 0, models };
  }

  /**
   * Moves a finished bundle directory (the export's output) into the registry and registers it, not active.
   * The directory is checked while still private; it becomes visible as bundles/<id> by one rename. When it is
   * refused (invalid, id taken, ONNX session fails to load) it goes back where it came from. A crash midway
   * leaves only a temp entry, removed at boot.
   */
  publish(bundleDirTmp: string): Promise<RegisteredModel> {
    return this.serialised(async () => {
      const staged = await this.store.stage(resolve(bundleDirTmp));
      let id: string;
      try {
        const manifest = await readManifest(staged.path).catch(invalidBundle);
        id = manifest.id;
        if (this.snapshot.models.has(id)) throw modelExists(id);
        if (this.retiring.has(id)) {
          throw new DomainError('MODEL_EXISTS', `Model "${id}" was removed but requests still use it; publish it again once they finish`, { model: id });
        }
        await checkBundleFiles(staged.path, manifest).catch(invalidBundle);
        if (!(await this.store.commit(staged, id))) throw modelExists(id);
      } catch (error) {
        await this.store.unstage(staged);
        throw error;
      }
      let model: RegisteredModel;
      try {
        model = await loadBundle(this.store.bundlePath(id), false, this.pool);
      } catch (error) {
        await this.store.unstage(staged, await this.store.retire(id));
        return invalidBundle(error);
      }
      await this.store.dropSource(staged);
      this.replaceModels(new Map([...this.snapshot.models, [id, model]]), await this.store.readActive());
      this.logger.log(`published model ${id}@${model.manifest.version} (${bundleTasks(model.manifest).join(', ')})`);
      return model;
    });
  }

  /**
   * Makes `id` the active version of `task`, or of every task it serves when none is named, here and (through
   * active.json) on every replica. Other tasks keep their versions.
   */
  activate(id: string, task?: ModelTask): Promise<RegisteredModel> {
    return this.serialised(async () => {
      const model = this.version(id);
      const served = bundleTasks(model.manifest);
      if (task !== undefined && !served.includes(task)) throw notServing(model, task);
      let state = await this.store.readActive();
      const before = this.activeIn(this.snapshot.models, state);
      for (const each of task === undefined ? served : [task]) {
        state = withActivated(state, each, id, before.get(each));
        this.logger.log(`activated model ${id} for ${each} (was ${before.get(each) ?? 'none'})`);
      }
      await this.saveActive(state);
      return model;
    });
  }

  /** Returns the task to its previous active version; NO_PREVIOUS_VERSION when there is none. */
  rollback(task: ModelTask): Promise<RegisteredModel> {
    return this.serialised(async () => {
      const { models } = this.snapshot;
      const state = await this.store.readActive();
      const current = this.activeIn(models, state).get(task);
      const rolledBack = withRolledBack(state, task, current, (id) => models.get(id)?.manifest.tasks[task] !== undefined);
      if (!rolledBack) throw new DomainError('NO_PREVIOUS_VERSION', `No earlier ${task} version to roll back to`, { task });
      await this.saveActive(rolledBack.state);
      this.logger.log(`rolled ${task} back from ${current} to ${rolledBack.id}`);
      return models.get(rolledBack.id)!;
    });
  }

  /** Deletes a published, inactive version; its files go once no request holds it. */
  remove(id: string): Promise<void> {
    return this.serialised(async () => {
      const model = this.version(id);
      if (model.shipped) throw new DomainError('MODEL_READ_ONLY', `Model "${id}" is shipped with the service and cannot be deleted`, { model: id });
      const state = await this.store.readActive();
      const activeFor = [...this.activeIn(this.snapshot.models, state)].filter(([, active]) => active === id).map(([task]) => task);
      if (activeFor.length > 0) {
        throw new DomainError('MODEL_ACTIVE', `Model "${id}" is the active ${activeFor.join(', ')} version; activate another first`, { model: id, tasks: activeFor });
      }
      const trash = await this.store.retire(id).catch((error: NodeJS.ErrnoException) => {
        // Another replica deleted it first; the next sync forgets it here too.
        if (error.code === 'ENOENT') throw new DomainError('MODEL_NOT_FOUND', `No model with id "${id}"`, { model: id });
        throw error;
      });
      const models = new Map(this.snapshot.models);
      models.delete(id);
      await this.saveActive(withForgotten(state, id), models);
      this.retireWhenIdle(model, () => {
        this.store.discard(trash).catch((error) => this.logger.warn(`could not delete ${trash}: ${(error as Error).message}`));
      });
      this.logger.log(`removed model ${id}`);
    });
  }

  /** Once no request holds `model`, frees its sessions in the inference workers, then runs `afterwards`. */
  private retireWhenIdle(model: RegisteredModel, afterwards?: () => void): void {
    this.retiring.add(model.id);
    this.leases.whenIdle(model.id, () => {
      this.retiring.delete(model.id);
      for (const path of sessionPaths(model)) this.pool.release(path);
      afterwards?.();
    });
  }

  private version(id: string): RegisteredModel {
    const model = this.snapshot.models.get(id);
    if (!model) throw new DomainError('MODEL_NOT_FOUND', `No model with id "${id}"`, { model: id });
    return model;
  }

  private serialised<T>(change: () => Promise<T>): Promise<T> {
    const result = this.changes.then(change);
    this.changes = result.catch(() => undefined);
    return result;
  }

  private activeIn(models: ReadonlyMap<string, RegisteredModel>, state: ActiveVersions): Map<ModelTask, string> {
    const candidates = [...models.values()].map((model) => ({ id: model.id, tasks: bundleTasks(model.manifest), shipped: model.shipped }));
    return effectiveActive(candidates, state);
  }

  private async saveActive(state: ActiveVersions, models = this.snapshot.models): Promise<void> {
    await this.store.writeActive(state);
    this.replaceModels(models, state);
  }

  private replaceModels(models: ReadonlyMap<string, RegisteredModel>, state: ActiveVersions): void {
    this.snapshot = { models, activeByTask: this.activeIn(models, state) };
  }

  /** Picks up what another replica changed: published or deleted bundles, a new active.json. */
  private async syncFromDisk(): Promise<void> {
    const stamp = await this.store.changeStamp();
    if (stamp === this.seenStamp) return;
    this.seenStamp = stamp;
    const models = new Map(this.snapshot.models);
    const publishedIds = new Set(await this.store.publishedIds());
    const deleted = [...models.values()].filter((model) => !model.shipped && !publishedIds.has(model.id));
    for (const model of deleted) models.delete(model.id);
    for (const id of publishedIds) {
      if (models.has(id)) continue;
      if (this.retiring.has(id)) {
        // Published again while the old version's requests run: load it at a later poll.
        this.seenStamp = '';
        continue;
      }
      try {
        const model = await loadBundle(this.store.bundlePath(id), false, this.pool);
        if (model.id !== id) throw new Error(`its manifest id is "${model.id}"`);
        models.set(id, model);
        this.logger.log(`loaded published model ${id}@${model.manifest.version} (${bundleTasks(model.manifest).join(', ')}, ${model.executionProvider})`);
      } catch (error) {
        this.logger.warn(`skipping published bundle ${id}: ${(error as Error).message}`);
      }
    }
    let state: ActiveVersions;
    try {
      state = await this.store.readActive();
    } catch (error) {
      this.logger.warn(`${this.store.activeFile} unreadable, using the default versions: ${(error as Error).message}`);
      state = emptyActiveVersions();
    }
    this.replaceModels(models, state);
    // Only now that no request can resolve them.
    for (const model of deleted) this.retireWhenIdle(model);
  }

  private async loadShipped(): Promise<Map<string, RegisteredModel>> {
    const models = new Map<string, RegisteredModel>();
    const roots = [this.config.modelsDir, ...(this.config.extraModelsDir ? [this.config.extraModelsDir] : [])];
    for (const root of roots) {
      for (const directory of await this.bundleDirectories(root)) {
        try {
          const model = await loadBundle(directory, true, this.pool);
          const existing = models.get(model.id);
          if (existing) throw new Error(`id ${model.id} is already taken by ${existing.directory}`);
          models.set(model.id, model);
          this.logger.log(`loaded model ${model.id}@${model.manifest.version} (${bundleTasks(model.manifest).join(', ')}, ${model.executionProvider})`);
        } catch (error) {
          this.logger.warn(`skipping bundle ${directory}: ${(error as Error).message}`);
        }
      }
    }
    return models;
  }

  private async bundleDirectories(root: string): Promise<string[]> {
    try {
      const entries = await readdir(root, { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => resolve(root, entry.name))
        .sort();
    } catch (error) {
      this.logger.warn(`no bundles read from ${root}: ${(error as Error).message}`);
      return [];
    }
  }
}

function notServing(model: RegisteredModel, task: ModelTask): DomainError {
  const tasks = bundleTasks(model.manifest);
  return new DomainError('MODEL_NOT_FOUND', `Model "${model.id}" does not serve ${task} (it serves ${tasks.join(', ')})`, { task, model: model.id, tasks });
}

function modelExists(id: string): DomainError {
  return new DomainError('MODEL_EXISTS', `A model with id "${id}" is already registered`, { model: id });
}

function invalidBundle(error: unknown): never {
  const problems = error instanceof ManifestError ? error.problems : [(error as Error).message];
  throw new DomainError('INVALID_BUNDLE', `The bundle cannot be published: ${problems.join('; ')}`, { problems });
}
