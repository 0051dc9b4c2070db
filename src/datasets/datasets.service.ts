import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { DocumentsService } from '../documents/documents.service';
import { OcrService } from '../ocr/ocr.service';
import { buildDataset } from './dataset-builder';
import { countTrainingWindows, PrepareOptions, writePreparedDataset } from './dataset-prepare';
import { parseEvalSplit } from './dataset-report';
import { DatasetStore, newDatasetId } from './dataset-store';
import { DATASET_FORMATS, DATASET_TASKS, DatasetFormat, DatasetRecord, DatasetTask, StoredDocument, TASKS_BY_FORMAT } from './dataset-types';
import { readDatasetUpload } from './dataset-upload';
import { extractZip } from './zip-extractor';

const MAX_NAME_LENGTH = 200;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], field: string): T {
  if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
  throw new DomainError('INVALID_REQUEST', `"${field}" must be one of ${allowed.join(', ')}`, { field });
}

/** Customer datasets: validated upload, durable storage, and preparation for tuning with any tokenizer. */
@Injectable()
export class DatasetsService implements OnModuleInit {
  private readonly logger = new Logger(DatasetsService.name);
  private readonly store: DatasetStore;
  /** Jobs using each dataset (in-process; TuningService marks and frees). */
  private readonly users = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly documents: DocumentsService,
    private readonly ocr: OcrService,
  ) {
    this.store = new DatasetStore(join(config.dataDir, 'datasets'));
  }

  async onModuleInit(): Promise<void> {
    await this.store.init();
  }

  /** POST /admin/datasets: everything happens in a staging directory that becomes the dataset by one rename. */
  async upload(request: FastifyRequest): Promise<DatasetRecord> {
    const staging = await this.store.createStaging();
    try {
      const zipPath = join(staging, 'upload.zip');
      const fields = await readDatasetUpload(request, zipPath, this.config.datasetMaxBytes);
      const format = oneOf<DatasetFormat>(fields.format, DATASET_FORMATS, 'format');
      const task = oneOf<DatasetTask>(fields.task, DATASET_TASKS, 'task');
      if (!TASKS_BY_FORMAT[format].includes(task)) {
        throw new DomainError('INVALID_REQUEST', `Format "${format}" describes ${TASKS_BY_FORMAT[format].join(', ')} datasets, not "${task}"`);
      }
      const evalFraction = parseEvalSplit(fields.evalSplit);
      if (typeof evalFraction === 'string') throw new DomainError('INVALID_REQUEST', evalFraction, { field: 'evalSplit' });
      const name = (fields.name ?? '').trim().slice(0, MAX_NAME_LENGTH);

      const extractedDir = join(staging, 'extracted');
      const files = await extractZip(zipPath, extractedDir, {
        maxEntries: this.config.datasetMaxEntries,
        maxUncompressedBytes: this.config.datasetMaxUncompressedBytes,
        maxCompressionRatio: this.config.datasetMaxCompressionRatio,
      });
      const id = newDatasetId();
      const outDir = join(staging, 'dataset');
      const built = await buildDataset({ format, task, evalFraction, extractedDir, files, outDir }, this.documents, this.ocr);
      const record: DatasetRecord = {
        id,
        name: name || id,
        task,
        format,
        status: 'ready',
        createdAt: new Date().toISOString(),
        evalSplit: built.evalSplit,
        labels: built.labels,
        report: built.report,
      };
      await this.store.commit(outDir, record, built.documents);
      this.logger.log(`dataset ${id} stored: ${task}/${format}, ${record.report.documents} documents`);
      return record;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  list(): Promise<DatasetRecord[]> {
    return this.store.list();
  }

  async get(id: string): Promise<DatasetRecord> {
    const record = await this.store.get(id);
    if (!record) throw new DomainError('DATASET_NOT_FOUND', `No dataset with id "${id}"`, { id });
    return record;
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    if ((this.users.get(id) ?? 0) > 0) throw new DomainError('DATASET_IN_USE', `Dataset "${id}" is used by a running tuning job`, { id });
    await this.store.remove(id);
  }

  /** A tuning job takes the dataset; DELETE answers 409 until every taker frees it. */
  markInUse(id: string): void {
    this.users.set(id, (this.users.get(id) ?? 0) + 1);
  }

  markFree(id: string): void {
    const count = (this.users.get(id) ?? 0) - 1;
    if (count > 0) this.users.set(id, count);
    else this.users.delete(id);
  }

  /** The training windows a job preparing this dataset with `tokenizerPath` would train on. */
  async countTrainingWindows(id: string, tokenizerPath: string, options: PrepareOptions): Promise<number> {
    return countTrainingWindows(await this.get(id), await this.store.documents(id), tokenizerPath, options);
  }

  /** The documents held out at upload (FUNSD's testing_data, or the evalSplit share), with the dataset's labels. */
  async heldOut(id: string): Promise<{ directory: string; labels: string[]; documents: StoredDocument[] }> {
    const record = await this.get(id);
    const documents = (await this.store.documents(id)).filter((document) => document.split === 'test');
    return { directory: this.store.dir(id), labels: record.labels, documents };
  }

  /** Writes a prepared dataset (docs/prepared-dataset.md) of the stored documents, tokenized with `tokenizerPath`. */
  async prepareFor(id: string, tokenizerPath: string, options: PrepareOptions, outDir: string): Promise<void> {
    const record = await this.get(id);
    await writePreparedDataset(this.store.dir(id), record, await this.store.documents(id), tokenizerPath, options, outDir);
  }
}
