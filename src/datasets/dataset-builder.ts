import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DomainError } from '../common/domain-error';
import { PageImage, PageWord } from '../common/document-types';
import { chooseWords } from '../documents/words-source';
import { LayoutWord } from '../layout';
import { assignSplits, datasetLabels, hasErrors, labelCounts } from './dataset-report';
import { labelIndices } from './entity-labels';
import { DatasetFormat, DatasetProblem, DatasetReport, DatasetTask, DocumentPlan, PlannedDocument, StoredDocument, StoredPage } from './dataset-types';
import { datasetProblems, MANIFEST_FILE, planFolders, planFunsd, planJsonl, stripSharedRoot, withoutJunk } from './dataset-validators';

/** What building needs from the rest of the service (DocumentsService, OcrService), as small interfaces. */
export interface PageDecoder {
  decode(bytes: Buffer): Promise<PageImage[]>;
}
export interface PageRecognizer {
  recognize(page: PageImage): Promise<PageWord[]>;
}

export interface BuildRequest {
  format: DatasetFormat;
  task: DatasetTask;
  /** Held-out fraction when the data has no split of its own. */
  evalFraction: number;
  extractedDir: string;
  files: string[];
  /** Receives images/ (the dataset directory being built). */
  outDir: string;
}

export interface BuiltDataset {
  documents: StoredDocument[];
  labels: string[];
  evalSplit: number | 'funsd';
  report: DatasetReport;
}

const TOP_LEVEL: Record<DatasetFormat, Set<string>> = {
  funsd: new Set(['images', 'annotations', 'training_data', 'testing_data']),
  jsonl: new Set([MANIFEST_FILE]),
  folders: new Set(),
};

function plan(request: BuildRequest, paths: string[], texts: Map<string, string>): DocumentPlan {
  if (request.format === 'funsd') return planFunsd(paths, texts);
  if (request.format === 'folders') return planFolders(paths);
  return planJsonl(paths, texts, request.task);
}

function invalid(report: DatasetReport): DomainError {
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.some((problem) => problem.code === 'INVALID_LABEL')) {
    const names = errors.filter((problem) => problem.code === 'INVALID_LABEL').length;
    return new DomainError('INVALID_LABEL', `The dataset names ${names} invalid label(s) (${errors.length} problem(s) in all); see details.report.problems`, { report });
  }
  return new DomainError('DATASET_INVALID', `The dataset is not usable: ${errors.length} problem(s); see details.report.problems`, { report });
}

/** Given words with their label indices into the dataset's label set (extract); as given otherwise. */
function labelledWords(document: PlannedDocument, labels: readonly string[]): LayoutWord[] | undefined {
  if (!document.words || !document.wordTags) return document.words;
  const indices = labelIndices(document.wordTags, labels);
  return document.words.map((word, i) => ({ ...word, label: indices[i] }));
}

function emptyReport(problems: DatasetProblem[]): DatasetReport {
  return { documents: 0, pages: 0, labels: {}, splits: { train: 0, test: 0 }, ocrDocuments: 0, problems };
}

function layoutWords(words: PageWord[]): LayoutWord[] {
  return words.map((word) => ({ text: word.text, box: word.box, segment: word.segment }));
}

/**
 * Extracted upload → validated documents with page images written to `outDir/images/`. Throws DATASET_INVALID
 * (with the full report) when any problem is an error; warnings travel in the report.
 */
export async function buildDataset(request: BuildRequest, decoder: PageDecoder, recognizer: PageRecognizer): Promise<BuiltDataset> {
  const { root, paths } = stripSharedRoot(withoutJunk(request.files), TOP_LEVEL[request.format]);
  const texts = new Map<string, string>();
  for (const path of paths.filter((p) => ['.json', '.jsonl'].includes(extname(p).toLowerCase()))) {
    texts.set(path, await readFile(join(request.extractedDir, root, path), 'utf8'));
  }
  const planned = plan(request, paths, texts);
  const problems = [...planned.problems, ...datasetProblems(planned.documents, request.task)];
  if (hasErrors(problems)) throw invalid(emptyReport(problems));

  const labels = datasetLabels(request.task, planned.documents);
  const usesOwnSplit = planned.documents.some((document) => document.split === 'test');
  const splits = assignSplits(planned.documents.map((document) => document.id), request.evalFraction);
  await mkdir(join(request.outDir, 'images'), { recursive: true });
  const documents: StoredDocument[] = [];
  for (const document of planned.documents) {
    const pages = await decodePages(document, join(request.extractedDir, root), decoder, problems);
    if (!pages) continue;
    const stored = await storeDocument(document, pages, request, labels, recognizer, problems);
    if (stored) documents.push({ ...stored, split: usesOwnSplit ? (document.split ?? 'train') : (splits.get(document.id) ?? 'train') });
  }
  const report: DatasetReport = {
    documents: documents.length,
    pages: documents.reduce((sum, document) => sum + document.pages.length, 0),
    labels: labelCounts(request.task, labels, documents),
    splits: { train: documents.filter((d) => d.split === 'train').length, test: documents.filter((d) => d.split === 'test').length },
    ocrDocuments: documents.filter((document) => document.wordsFrom === 'ocr').length,
    problems,
  };
  if (hasErrors(problems)) throw invalid(report);
  return { documents, labels, evalSplit: usesOwnSplit ? 'funsd' : request.evalFraction, report };
}

async function decodePages(document: PlannedDocument, dir: string, decoder: PageDecoder, problems: DatasetProblem[]): Promise<PageImage[] | undefined> {
  try {
    return await decoder.decode(await readFile(join(dir, document.imagePath)));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    problems.push({ file: document.imagePath, message: `unreadable image: ${error.message}`, severity: 'error' });
    return undefined;
  }
}

async function storeDocument(
  document: PlannedDocument,
  images: PageImage[],
  request: BuildRequest,
  labels: string[],
  recognizer: PageRecognizer,
  problems: DatasetProblem[],
): Promise<Omit<StoredDocument, 'split'> | undefined> {
  // Given words describe page 0 only; later pages of such a document carry nothing to learn from.
  const kept = document.words && images.length > 1 ? images.slice(0, 1) : images;
  if (kept.length < images.length) problems.push({ file: document.imagePath, message: `only page 1 of ${images.length} is used: the words describe page 1`, severity: 'warning' });
  const pages: StoredPage[] = [];
  const given = labelledWords(document, labels);
  let ocrUsed = false;
  for (const image of kept) {
    const file = kept.length === 1 ? `${document.id}.png` : `${document.id}-p${image.index + 1}.png`;
    await writeFile(join(request.outDir, 'images', file), image.png);
    let words = given;
    if (!words) {
      // No words in the dataset: what serving would read, the PDF text layer, else OCR.
      const chosen = chooseWords(image, undefined);
      ocrUsed ||= chosen.source === 'ocr';
      words = layoutWords(chosen.source === 'ocr' ? await recognizer.recognize(image) : chosen.words);
    }
    pages.push({ image: `images/${file}`, width: image.width, height: image.height, words });
  }
  if (request.task === 'extract' && pages[0].words.length === 0) {
    problems.push({ file: document.imagePath, field: 'words', message: 'the document has no words', severity: 'warning' });
  }
  const answerWordIds = (document.questions ?? []).flatMap((question) => question.answerWordIds ?? []);
  if (answerWordIds.some((id) => id >= pages[0].words.length)) {
    problems.push({ file: document.imagePath, field: 'answer_word_ids', message: `word index out of range (the page has ${pages[0].words.length} words)`, severity: 'error' });
    return undefined;
  }
  return {
    id: document.id,
    pages,
    wordsFrom: document.words ? 'dataset' : ocrUsed ? 'ocr' : 'text-layer',
    ...(document.classLabel !== undefined ? { classLabel: labels.indexOf(document.classLabel) } : {}),
    ...(document.questions ? { questions: document.questions } : {}),
    ...(document.pairs ? { pairs: document.pairs } : {}),
  };
}
