import { basename, extname } from 'node:path';
import { FUNSD_LABELS, FunsdFormatError, parseFunsdAnnotation } from '../cli/funsd-reader';
import { isBlankWord, LayoutWord } from '../layout';
import { DatasetProblem, DatasetQuestion, DatasetTask, DocumentPlan, PlannedDocument, SplitName } from './dataset-types';

/**
 * Pure validation of an extracted upload: file paths plus the text of its .json/.jsonl files → the documents it
 * describes and every problem, by file and field. Images are decoded later (the service); nothing here reads disk.
 */

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif', '.pdf']);
const FUNSD_SPLIT_FOLDERS: Record<string, SplitName> = { training_data: 'train', testing_data: 'test' };
const ENTITY_NAMES = new Set(['header', 'question', 'answer', 'other']);
export const MANIFEST_FILE = 'manifest.jsonl';

export type TextFiles = ReadonlyMap<string, string>;

const error = (file: string, field: string | undefined, message: string): DatasetProblem => ({ file, ...(field ? { field } : {}), message, severity: 'error' });
const warning = (file: string, message: string): DatasetProblem => ({ file, message, severity: 'warning' });

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Archivers add metadata files (macOS resource forks, Finder/Explorer caches, dotfiles); they are not data. */
export function withoutJunk(paths: readonly string[]): string[] {
  return paths.filter((path) => !path.split('/').some((segment) => segment.startsWith('.') || segment === '__MACOSX' || segment === 'Thumbs.db'));
}

/** Zipping a folder wraps everything in it; when every path shares one top folder that is not data, drop it. */
export function stripSharedRoot(paths: readonly string[], dataTopLevel: ReadonlySet<string>): { root: string; paths: string[] } {
  const tops = new Set(paths.map((path) => (path.includes('/') ? path.split('/')[0] : '')));
  if (tops.size !== 1) return { root: '', paths: [...paths] };
  const [top] = [...tops];
  if (top === '' || dataTopLevel.has(top)) return { root: '', paths: [...paths] };
  return { root: `${top}/`, paths: paths.map((path) => path.slice(top.length + 1)) };
}

/** A file-system-safe, unique document id from a name. */
export function documentId(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'doc';
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string, file: string, problems: DatasetProblem[]): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    problems.push(error(file, undefined, `not valid JSON: ${(cause as Error).message}`));
    return undefined;
  }
}

/** FUNSD: images/<id>.* + annotations/<id>.json, optionally under training_data/ and testing_data/. */
export function planFunsd(paths: readonly string[], texts: TextFiles): DocumentPlan {
  const problems: DatasetProblem[] = [];
  const images = new Map<string, string>();
  const annotations: Array<{ key: string; path: string; split?: SplitName; stem: string }> = [];
  for (const path of paths) {
    const match = /^(?:(training_data|testing_data)\/)?(images|annotations)\/([^/]+)$/.exec(path);
    if (!match) {
      problems.push(warning(path, 'ignored: not under images/ or annotations/'));
      continue;
    }
    const [, splitFolder, kind, file] = match;
    const stem = basename(file, extname(file));
    const key = `${splitFolder ?? ''}/${stem}`;
    if (kind === 'images' && isImagePath(file)) images.set(key, path);
    else if (kind === 'annotations' && extname(file).toLowerCase() === '.json') {
      annotations.push({ key, path, stem, split: splitFolder ? FUNSD_SPLIT_FOLDERS[splitFolder] : undefined });
    } else problems.push(warning(path, 'ignored: not an image or a .json annotation'));
  }
  const taken = new Set<string>();
  const documents: PlannedDocument[] = [];
  for (const annotation of annotations.sort((a, b) => a.path.localeCompare(b.path))) {
    const imagePath = images.get(annotation.key);
    images.delete(annotation.key);
    if (!imagePath) {
      problems.push(error(annotation.path, undefined, `no image named ${annotation.stem}.* beside it in images/`));
      continue;
    }
    const json = parseJson(texts.get(annotation.path) ?? '', annotation.path, problems);
    if (json === undefined) continue;
    try {
      const words = parseFunsdAnnotation(json, annotation.path);
      documents.push({ id: documentId(annotation.stem, taken), imagePath, words, ...(annotation.split ? { split: annotation.split } : {}) });
    } catch (cause) {
      if (!(cause instanceof FunsdFormatError)) throw cause;
      // FunsdFormatError reads "<file>: <field>: <problem>".
      const [field, ...rest] = cause.message.slice(annotation.path.length + 2).split(': ');
      problems.push(error(annotation.path, field, rest.join(': ')));
    }
  }
  for (const orphan of images.values()) problems.push(warning(orphan, 'ignored: no annotation for this image'));
  return { documents, problems };
}

/** Folders: <class>/<image> → classify documents labelled by their folder. */
export function planFolders(paths: readonly string[]): DocumentPlan {
  const problems: DatasetProblem[] = [];
  const documents: PlannedDocument[] = [];
  const taken = new Set<string>();
  for (const path of [...paths].sort()) {
    const segments = path.split('/');
    if (segments.length !== 2 || !isImagePath(path)) {
      problems.push(warning(path, 'ignored: expected <class>/<image>'));
      continue;
    }
    const [label, file] = segments;
    documents.push({ id: documentId(`${label}_${basename(file, extname(file))}`, taken), imagePath: path, classLabel: label });
  }
  return { documents, problems };
}

function bioLabel(raw: unknown, previous: { entity?: string; segment?: number }, segment: number): number | string {
  if (typeof raw !== 'string') return 'expected a string';
  const bio = FUNSD_LABELS.indexOf(raw.toUpperCase() as (typeof FUNSD_LABELS)[number]);
  if (bio >= 0) return bio;
  const entity = raw.toLowerCase();
  if (!ENTITY_NAMES.has(entity)) return `unknown label "${raw}" (expected one of ${[...ENTITY_NAMES].join(', ')} or ${FUNSD_LABELS.join(', ')})`;
  if (entity === 'other') return 0;
  const continues = previous.entity === entity && previous.segment === segment;
  return FUNSD_LABELS.indexOf(`${continues ? 'I' : 'B'}-${entity.toUpperCase()}` as (typeof FUNSD_LABELS)[number]);
}

/**
 * Words of a manifest line: `[{text, box:[x0,y0,x1,y1], label?, segment?}]`. Labels are FUNSD entity names
 * (consecutive words of one entity and segment become B-/I-) or BIO labels; blank words are dropped.
 */
export function parseManifestWords(raw: unknown, withLabels: boolean, file: string, field: string, problems: DatasetProblem[]): LayoutWord[] | undefined {
  if (!Array.isArray(raw)) {
    problems.push(error(file, field, 'expected an array of words'));
    return undefined;
  }
  const words: LayoutWord[] = [];
  const previous: { entity?: string; segment?: number } = {};
  let valid = true;
  raw.forEach((word: unknown, index: number) => {
    const where = `${field}[${index}]`;
    if (!isRecord(word) || typeof word.text !== 'string') {
      problems.push(error(file, `${where}.text`, 'expected a string'));
      valid = false;
      return;
    }
    const box = word.box;
    if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v)) || box[0] > box[2] || box[1] > box[3]) {
      problems.push(error(file, `${where}.box`, 'expected [x0, y0, x1, y1] with x0 ≤ x1 and y0 ≤ y1'));
      valid = false;
      return;
    }
    const segment = Number.isInteger(word.segment) ? (word.segment as number) : index;
    const entry: LayoutWord = { text: word.text, box: [box[0], box[1], box[2], box[3]], segment };
    if (withLabels) {
      const label = bioLabel(word.label, previous, Number.isInteger(word.segment) ? segment : -1);
      if (typeof label === 'string') {
        problems.push(error(file, `${where}.label`, label));
        valid = false;
        return;
      }
      Object.assign(previous, { entity: String(word.label).toLowerCase(), segment: Number.isInteger(word.segment) ? segment : -1 });
      entry.label = label;
    }
    if (!isBlankWord(word.text)) words.push(entry);
  });
  return valid ? words : undefined;
}

function stringField(line: Record<string, unknown>, name: string, file: string, problems: DatasetProblem[]): string | undefined {
  const value = line[name];
  if (typeof value === 'string' && value.trim() !== '') return value;
  problems.push(error(file, name, 'expected a non-empty string'));
  return undefined;
}

function answersOf(line: Record<string, unknown>, file: string, problems: DatasetProblem[]): string[] | undefined {
  if (typeof line.answer === 'string') return line.answer.trim() === '' ? [] : [line.answer];
  if (Array.isArray(line.answers) && line.answers.every((a) => typeof a === 'string')) return line.answers as string[];
  if (line.answer === null) return [];
  problems.push(error(file, 'answer', 'expected a string (or "answers": an array of strings; "" or null = no answer)'));
  return undefined;
}

/** JSONL: manifest.jsonl lines per task, images by path relative to the manifest. */
export function planJsonl(paths: readonly string[], texts: TextFiles, task: DatasetTask): DocumentPlan {
  const problems: DatasetProblem[] = [];
  const manifest = texts.get(MANIFEST_FILE);
  if (manifest === undefined) return { documents: [], problems: [error(MANIFEST_FILE, undefined, 'missing: the zip must hold manifest.jsonl at its root')] };
  const available = new Set(paths);
  const byImage = new Map<string, PlannedDocument>();
  const taken = new Set<string>();
  manifest.split('\n').forEach((text, index) => {
    if (text.trim() === '') return;
    const file = `${MANIFEST_FILE}:${index + 1}`;
    const line = parseJson(text, file, problems);
    if (line === undefined) return;
    if (!isRecord(line)) {
      problems.push(error(file, undefined, 'expected a JSON object'));
      return;
    }
    const image = stringField(line, 'image', file, problems);
    if (image === undefined) return;
    const imagePath = image.replace(/^\.\//, '');
    if (!available.has(imagePath)) {
      problems.push(error(file, 'image', `"${image}" is not in the zip`));
      return;
    }
    let document = byImage.get(imagePath);
    if (document && task !== 'ask') {
      problems.push(error(file, 'image', `"${image}" is listed twice`));
      return;
    }
    document ??= { id: documentId(basename(imagePath, extname(imagePath)), taken), imagePath };
    if (task === 'classify') {
      const label = stringField(line, 'label', file, problems);
      if (label === undefined) return;
      document.classLabel = label;
    } else if (task === 'extract') {
      const words = parseManifestWords(line.words, true, file, 'words', problems);
      if (!words) return;
      document.words = words;
    } else {
      const question = stringField(line, 'question', file, problems);
      const answers = answersOf(line, file, problems);
      if (question === undefined || answers === undefined) return;
      const entry: DatasetQuestion = { id: `${document.id}-q${(document.questions?.length ?? 0) + 1}`, question, answers };
      if (line.answer_word_ids !== undefined) {
        const ids = line.answer_word_ids;
        if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id) && (id as number) >= 0)) {
          problems.push(error(file, 'answer_word_ids', 'expected a non-empty array of word indices'));
          return;
        }
        entry.answerWordIds = ids as number[];
      }
      if (line.words !== undefined) {
        const words = parseManifestWords(line.words, false, file, 'words', problems);
        if (!words) return;
        document.words = words;
      }
      document.questions = [...(document.questions ?? []), entry];
    }
    byImage.set(imagePath, document);
  });
  const listed = new Set(byImage.keys());
  for (const path of paths) {
    if (path !== MANIFEST_FILE && !listed.has(path)) problems.push(warning(path, `ignored: not listed in ${MANIFEST_FILE}`));
  }
  return { documents: [...byImage.values()], problems };
}

/** Checks that span the whole dataset: at least one document, and at least two classes for a classifier. */
export function datasetProblems(documents: readonly PlannedDocument[], task: DatasetTask): DatasetProblem[] {
  if (documents.length === 0) return [error('(dataset)', undefined, 'no usable documents')];
  if (task === 'classify') {
    const classes = new Set(documents.map((document) => document.classLabel));
    if (classes.size < 2) return [error('(dataset)', 'label', `a classifier needs at least 2 classes, found ${classes.size}`)];
  }
  if (task === 'ask' && documents.every((document) => (document.questions ?? []).every((question) => question.answers.length === 0))) {
    return [error('(dataset)', 'answer', 'no question has an answer')];
  }
  return [];
}
