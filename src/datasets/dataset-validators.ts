import { basename, extname } from 'node:path';
import { funsdGoldLinks, GoldLinks } from '../datasets/funsd-links';
import { keyValueTargets } from './prepared-writer';
import { FunsdForm, FunsdFormatError, parseFunsdForm } from '../datasets/funsd-reader';
import { isBlankWord, LayoutWord } from '../layout';
import { entityCounts, labelSetProblems, WordTag, wordTag } from './entity-labels';
import { DatasetProblem, DatasetQuestion, DatasetTask, DocumentPlan, PlannedDocument, SplitName } from './dataset-types';

/**
 * Pure validation of an extracted upload: file paths plus the text of its .json/.jsonl files → the documents it
 * describes and every problem, by file and field. Images are decoded later (the service); nothing here reads disk.
 */

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif', '.pdf']);
const FUNSD_SPLIT_FOLDERS: Record<string, SplitName> = { training_data: 'train', testing_data: 'test' };
export const MANIFEST_FILE = 'manifest.jsonl';

export type TextFiles = ReadonlyMap<string, string>;

const error = (file: string, field: string | undefined, message: string): DatasetProblem => ({ file, ...(field ? { field } : {}), message, severity: 'error' });
/** A refused entity-label name: the upload answers 400 INVALID_LABEL (not 422) when any problem is one. */
const labelError = (file: string, field: string, message: string): DatasetProblem => ({ ...error(file, field, message), code: 'INVALID_LABEL' });
const warning = (file: string, message: string): DatasetProblem => ({ file, message, severity: 'warning' });
const fieldWarning = (file: string, field: string, message: string): DatasetProblem => ({ file, field, message, severity: 'warning' });

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
      const form = parseFunsdForm(json, annotation.path);
      const { words, tags } = form;
      const gold = funsdGoldLinks(form);
      problems.push(...linkProblems(gold, form, annotation.path));
      const pairs = keyValueTargets(gold);
      documents.push({ id: documentId(annotation.stem, taken), imagePath, words, wordTags: tags, ...(annotation.split ? { split: annotation.split } : {}), ...(pairs.pairLinks.length > 0 ? { pairs } : {}) });
    } catch (cause) {
      if (!(cause instanceof FunsdFormatError)) throw cause;
      // FunsdFormatError reads "<file>: <field>: <problem>".
      const [field, ...rest] = cause.message.slice(annotation.path.length + 2).split(': ');
      problems.push((field.endsWith('.label') ? labelError : error)(annotation.path, field, rest.join(': ')));
    }
  }
  for (const orphan of images.values()) problems.push(warning(orphan, 'ignored: no annotation for this image'));
  return { documents, problems };
}

/** Links that cannot be key → value pairs (docs/tuning.md): named by file, field and id, and not trained on. */
export function linkProblems({ missing, unpairable }: Pick<GoldLinks, 'missing' | 'unpairable'>, form: FunsdForm, file: string): DatasetProblem[] {
  const problems = missing.map(({ entityIndex, from, to }) =>
    fieldWarning(file, `form[${entityIndex}].linking`, `link [${from}, ${to}] names entity ${form.entities.some((entity) => entity.id === from) ? to : from}, which the annotation lacks: not used`),
  );
  const counts = Object.entries(unpairable);
  if (counts.length > 0) {
    const listed = counts.map(([pair, count]) => `${pair} ×${count}`).join(', ');
    problems.push(fieldWarning(file, 'linking', `links between labels that do not pair as key → value (QUESTION → ANSWER): ${listed}; not used as pairs`));
  }
  return problems;
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

/**
 * Words of a manifest line: `[{text, box:[x0,y0,x1,y1], label?, segment?}]`. A label is an entity name of the
 * dataset's own choosing (consecutive words of one type and segment become B-/I-), a BIO label, or O/other;
 * `tags` (with labels) holds each kept word's BIO tag. Blank words are dropped.
 */
export function parseManifestWords(
  raw: unknown,
  withLabels: boolean,
  file: string,
  field: string,
  problems: DatasetProblem[],
): { words: LayoutWord[]; tags: WordTag[] } | undefined {
  if (!Array.isArray(raw)) {
    problems.push(error(file, field, 'expected an array of words'));
    return undefined;
  }
  const words: LayoutWord[] = [];
  const tags: WordTag[] = [];
  let previous: { type: string | null; segment: number } = { type: null, segment: -1 };
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
    let tag: WordTag | undefined;
    if (withLabels) {
      // Without segments, consecutive words of one type are one entity; with them, only within a segment.
      const ownSegment = Number.isInteger(word.segment) ? segment : -1;
      const parsed = wordTag(word.label, (type) => previous.type === type && previous.segment === ownSegment);
      if ('problem' in parsed) {
        problems.push(labelError(file, `${where}.label`, parsed.problem));
        valid = false;
        return;
      }
      previous = { type: parsed.type, segment: ownSegment };
      tag = parsed.tag;
    }
    if (isBlankWord(word.text)) return;
    words.push(entry);
    if (tag !== undefined) tags.push(tag);
  });
  return valid ? { words, tags } : undefined;
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
      const parsed = parseManifestWords(line.words, true, file, 'words', problems);
      if (!parsed) return;
      document.words = parsed.words;
      document.wordTags = parsed.tags;
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
        const parsed = parseManifestWords(line.words, false, file, 'words', problems);
        if (!parsed) return;
        document.words = parsed.words;
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

/**
 * Checks that span the whole dataset: at least one document; an extraction label set a head can learn (a label
 * used once is a warning); at least two classes for a classifier.
 */
export function datasetProblems(documents: readonly PlannedDocument[], task: DatasetTask): DatasetProblem[] {
  if (documents.length === 0) return [error('(dataset)', undefined, 'no usable documents')];
  if (task === 'extract') {
    const counts = entityCounts(documents.flatMap((document) => document.wordTags ?? []));
    return labelSetProblems(counts).map((problem) => ({ file: '(dataset)', field: 'label', ...problem }));
  }
  if (task === 'classify') {
    const classes = new Set(documents.map((document) => document.classLabel));
    if (classes.size < 2) return [error('(dataset)', 'label', `a classifier needs at least 2 classes, found ${classes.size}`)];
  }
  if (task === 'ask' && documents.every((document) => (document.questions ?? []).every((question) => question.answers.length === 0))) {
    return [error('(dataset)', 'answer', 'no question has an answer')];
  }
  return [];
}
