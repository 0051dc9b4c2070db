import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { LayoutTokenizer } from '../layout';
import { InferencePool } from '../model/inference-pool';
import { BundleManifest, ModelTask, parseBundleManifest } from './bundle-manifest';

/** A bundle that loaded: validated manifest, its tokenizer, and a session the pool could create. */
export interface RegisteredModel {
  id: string;
  manifest: BundleManifest;
  directory: string;
  modelPath: string;
  tokenizer: LayoutTokenizer;
  executionProvider: string;
  /** Shipped with the service (config.modelsDir) rather than published into the extra directory. */
  shipped: boolean;
}

/** Everything requests read from the registry, replaced as a whole so readers never see a half-update. */
interface RegistrySnapshot {
  models: ReadonlyMap<string, RegisteredModel>;
  defaultByTask: ReadonlyMap<ModelTask, string>;
}

export interface ModelReadiness {
  ready: boolean;
  models: Array<{ id: string; task: string; executionProvider: string }>;
}

@Injectable()
export class RegistryService implements OnModuleInit {
  private readonly logger = new Logger(RegistryService.name);
  private snapshot: RegistrySnapshot = { models: new Map(), defaultByTask: new Map() };

  constructor(
    private readonly config: AppConfig,
    private readonly pool: InferencePool,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** Scans the bundle directories and swaps in the result; a broken bundle is logged and skipped. */
  async reload(): Promise<void> {
    const models = new Map<string, RegisteredModel>();
    const sources = [{ root: this.config.modelsDir, shipped: true }];
    if (this.config.extraModelsDir) sources.push({ root: this.config.extraModelsDir, shipped: false });
    for (const { root, shipped } of sources) {
      for (const directory of await this.bundleDirectories(root)) {
        try {
          const model = await this.loadBundle(directory, shipped);
          const existing = models.get(model.id);
          if (existing) throw new Error(`id ${model.id} is already taken by ${existing.directory}`);
          models.set(model.id, model);
          this.logger.log(`loaded model ${model.id}@${model.manifest.version} (${model.manifest.task}, ${model.executionProvider})`);
        } catch (error) {
          this.logger.warn(`skipping bundle ${directory}: ${(error as Error).message}`);
        }
      }
    }
    this.snapshot = { models, defaultByTask: chooseDefaults([...models.values()]) };
  }

  list(): RegisteredModel[] {
    return [...this.snapshot.models.values()];
  }

  isDefault(model: RegisteredModel): boolean {
    return this.snapshot.defaultByTask.get(model.manifest.task) === model.id;
  }

  /** The requested model, or the task's default; MODEL_NOT_FOUND when absent or built for another task. */
  resolve(task: ModelTask, id?: string): RegisteredModel {
    const { models, defaultByTask } = this.snapshot;
    const wanted = id ?? defaultByTask.get(task);
    const model = wanted === undefined ? undefined : models.get(wanted);
    if (!model || model.manifest.task !== task) {
      throw new DomainError(
        'MODEL_NOT_FOUND',
        id === undefined ? `No ${task} model is installed` : `No ${task} model with id "${id}"`,
        { task, ...(id === undefined ? {} : { model: id }) },
      );
    }
    return model;
  }

  readiness(): ModelReadiness {
    const models = this.list().map((model) => ({ id: model.id, task: model.manifest.task, executionProvider: model.executionProvider }));
    return { ready: models.length > 0, models };
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

  private async loadBundle(directory: string, shipped: boolean): Promise<RegisteredModel> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8'));
    } catch (error) {
      throw new Error(`manifest.json unreadable: ${(error as Error).message}`);
    }
    const manifest = parseBundleManifest(raw);
    const modelPath = join(directory, manifest.onnx.file);
    await assertFile(modelPath);
    await assertFile(join(directory, manifest.tokenizer.file));

    const tokenizer = await LayoutTokenizer.fromFile(join(directory, manifest.tokenizer.file));
    const { clsId, sepId, padId } = manifest.tokenizer;
    if (tokenizer.clsId !== clsId || tokenizer.sepId !== sepId || tokenizer.padId !== padId) {
      throw new Error(
        `manifest special ids (${clsId}/${sepId}/${padId}) differ from the tokenizer's (${tokenizer.clsId}/${tokenizer.sepId}/${tokenizer.padId})`,
      );
    }

    const loaded = await this.pool.load(modelPath);
    const missing = Object.keys(manifest.inputs).filter((name) => !loaded.inputNames.includes(name));
    const undeclared = loaded.inputNames.filter((name) => !(name in manifest.inputs));
    const missingOutputs = Object.keys(manifest.outputs).filter((name) => !loaded.outputNames.includes(name));
    if (missing.length + undeclared.length + missingOutputs.length > 0) {
      throw new Error(
        `graph and manifest disagree (inputs missing in graph: [${missing}], graph inputs not in manifest: [${undeclared}], outputs missing in graph: [${missingOutputs}])`,
      );
    }
    return { id: manifest.id, manifest, directory, modelPath, tokenizer, executionProvider: loaded.executionProvider, shipped };
  }
}

async function assertFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`${path} is missing`);
}

/** Per task: a shipped model wins over published ones; ties break by id so the choice is stable. */
function chooseDefaults(models: RegisteredModel[]): Map<ModelTask, string> {
  const defaults = new Map<ModelTask, string>();
  const ranked = [...models].sort((a, b) => Number(b.shipped) - Number(a.shipped) || a.id.localeCompare(b.id));
  for (const model of ranked) if (!defaults.has(model.manifest.task)) defaults.set(model.manifest.task, model.id);
  return defaults;
}
