import { LayoutWord } from '../layout';

export const DATASET_TASKS = ['extract', 'classify', 'ask'] as const;
export const DATASET_FORMATS = ['funsd', 'jsonl', 'folders'] as const;
export type DatasetTask = (typeof DATASET_TASKS)[number];
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
export type SplitName = 'train' | 'test';

/** Tasks each upload format can describe. */
export const TASKS_BY_FORMAT: Record<DatasetFormat, readonly DatasetTask[]> = {
  funsd: ['extract'],
  jsonl: ['extract', 'classify', 'ask'],
  folders: ['classify'],
};

/** One finding of the upload validation: `error`s make the dataset unusable (422), `warning`s are reported only. */
export interface DatasetProblem {
  file: string;
  field?: string;
  message: string;
  severity: 'error' | 'warning';
  /** Set on a refused entity-label name, which the upload answers with 400 INVALID_LABEL rather than 422. */
  code?: 'INVALID_LABEL';
}

export interface DatasetQuestion {
  id: string;
  question: string;
  /** Acceptable answers; [] = the document does not answer it. */
  answers: string[];
  /** Word indices (page 0) of the answer, when the dataset gave them. */
  answerWordIds?: number[];
}

/** A document as the upload describes it, before its image is decoded. */
export interface PlannedDocument {
  id: string;
  /** Path of the image inside the extracted zip. */
  imagePath: string;
  /** Set when the dataset itself splits (FUNSD's training_data/testing_data). */
  split?: SplitName;
  /** Words of page 0; absent = OCR at upload. */
  words?: LayoutWord[];
  /** extract: each word's BIO tag (entity-labels.ts); label indices follow once the dataset's label set is known. */
  wordTags?: string[];
  classLabel?: string;
  questions?: DatasetQuestion[];
  /** extract (FUNSD links): page 0's key → value pairs, trained by the key-value head. */
  pairs?: KeyValuePairs;
}

/** A page's QUESTION and ANSWER entities as word ranges and its links as [key, value] indices into them (docs/prepared-dataset.md). */
export interface KeyValuePairs {
  pairEntities: Array<{ label: string; firstWord: number; lastWord: number }>;
  pairLinks: Array<[number, number]>;
}

export interface DocumentPlan {
  documents: PlannedDocument[];
  problems: DatasetProblem[];
}

export interface StoredPage {
  /** Relative to the dataset directory: images/<file>.png, RGB PNG, orientation applied. */
  image: string;
  width: number;
  height: number;
  words: LayoutWord[];
}

/** A validated document as stored in documents.json (the raw material of every prepared dataset). */
export interface StoredDocument {
  id: string;
  split: SplitName;
  pages: StoredPage[];
  /** Where the words came from: the upload, the PDF text layer, or OCR (documents/words-source.ts). */
  wordsFrom: 'dataset' | 'text-layer' | 'ocr';
  /** Index into the record's labels (classify). */
  classLabel?: number;
  questions?: DatasetQuestion[];
  pairs?: KeyValuePairs;
}

export interface DatasetReport {
  documents: number;
  pages: number;
  /** extract: words per BIO label (a label used by one entity only is a warning); classify: documents per class; ask: questions with and without an answer. */
  labels: Record<string, number>;
  splits: Record<SplitName, number>;
  ocrDocuments: number;
  problems: DatasetProblem[];
}

export interface DatasetRecord {
  id: string;
  name: string;
  task: DatasetTask;
  format: DatasetFormat;
  status: 'ready';
  createdAt: string;
  /** Fraction held out for evaluation, or 'funsd' when the zip's own split folders were used. */
  evalSplit: number | 'funsd';
  /** extract: BIO labels of the dataset's entity types (entity-labels.ts); classify: class names (index = class id); ask: []. */
  labels: string[];
  report: DatasetReport;
}
