import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { entityType, FUNSD_LABELS, labelIndices, WordTag } from './entity-labels';
import { isBlankWord, LayoutWord } from '../layout';

export { FUNSD_LABELS } from './entity-labels';

/** A malformed annotation: the message names the file and the field. */
export class FunsdFormatError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'FunsdFormatError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One FUNSD entity and where its words landed in the page's word list. */
export interface FunsdEntity {
  id: number;
  label: string;
  /** Index of its first and last non-blank word in the word list; entities without words have none. */
  wordSpan?: { firstWord: number; lastWord: number };
  /** Entity-id pairs [from, to] as FUNSD gives them (each link appears in both entities). */
  linking: Array<[number, number]>;
}

function parseLinking(value: unknown, file: string, where: string): Array<[number, number]> {
  if (value === undefined) return [];
  const isPair = (pair: unknown) => Array.isArray(pair) && pair.length === 2 && pair.every((id) => Number.isInteger(id));
  if (!Array.isArray(value) || !value.every(isPair)) throw new FunsdFormatError(file, `${where}.linking`, 'expected an array of [from, to] entity ids');
  return value.map((pair) => [pair[0], pair[1]]);
}

/** A parsed annotation: words in file order, each word's BIO tag (its entity's type), and the entities. */
export interface FunsdForm {
  words: LayoutWord[];
  tags: WordTag[];
  entities: FunsdEntity[];
}

/**
 * One FUNSD annotation → words, their tags and the entities with their word spans and links. An entity's label is
 * any valid name (entity-labels.ts); `other` is outside. Words carry no label index: that needs the dataset's
 * label set (parseFunsdAnnotation gives FUNSD's).
 */
export function parseFunsdForm(json: unknown, file: string): FunsdForm {
  if (!isRecord(json) || !Array.isArray(json.form)) throw new FunsdFormatError(file, 'form', 'expected an array');
  const words: LayoutWord[] = [];
  const tags: WordTag[] = [];
  const entities: FunsdEntity[] = [];
  const seenIds = new Set<number>();
  json.form.forEach((entity: unknown, entityIndex: number) => {
    const where = `form[${entityIndex}]`;
    if (!isRecord(entity)) throw new FunsdFormatError(file, where, 'expected an object');
    if (typeof entity.id !== 'number' || !Number.isInteger(entity.id)) throw new FunsdFormatError(file, `${where}.id`, 'expected an integer');
    if (seenIds.has(entity.id)) throw new FunsdFormatError(file, `${where}.id`, `duplicate id ${entity.id}`);
    seenIds.add(entity.id);
    const parsed = entityType(entity.label);
    if ('problem' in parsed) throw new FunsdFormatError(file, `${where}.label`, parsed.problem);
    if (!Array.isArray(entity.words)) throw new FunsdFormatError(file, `${where}.words`, 'expected an array');
    const linking = parseLinking(entity.linking, file, where);
    const firstWord = words.length;
    let isFirst = true;
    entity.words.forEach((word: unknown, wordIndex: number) => {
      const wordWhere = `${where}.words[${wordIndex}]`;
      if (!isRecord(word)) throw new FunsdFormatError(file, wordWhere, 'expected an object');
      if (typeof word.text !== 'string') throw new FunsdFormatError(file, `${wordWhere}.text`, 'expected a string');
      const box = word.box;
      if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new FunsdFormatError(file, `${wordWhere}.box`, 'expected 4 numbers');
      }
      if (box[0] > box[2] || box[1] > box[3]) throw new FunsdFormatError(file, `${wordWhere}.box`, 'expected x0 ≤ x1 and y0 ≤ y1');
      if (isBlankWord(word.text)) return;
      tags.push(parsed.type === null ? 'O' : `${isFirst ? 'B' : 'I'}-${parsed.type}`);
      isFirst = false;
      words.push({ text: word.text, box: [box[0], box[1], box[2], box[3]], segment: entity.id as number });
    });
    const wordSpan = words.length > firstWord ? { firstWord, lastWord: words.length - 1 } : undefined;
    entities.push({ id: entity.id as number, label: entity.label as string, wordSpan, linking });
  });
  return { words, tags, entities };
}

/**
 * One FUNSD annotation → words in reading order of the file, labelled with indices into `labels`. Entity `other`
 * → O; otherwise the first non-blank word is B-X and the rest I-X; blank words are dropped; segment = entity id
 * (its words share the union box).
 */
export function parseFunsdAnnotation(json: unknown, file: string, labels: readonly string[] = FUNSD_LABELS): LayoutWord[] {
  return labelledWords(parseFunsdForm(json, file), file, labels);
}

/** A parsed form's words with their label indices into `labels` (parseFunsdAnnotation, once the form is read). */
export function labelledWords({ words, tags }: FunsdForm, file: string, labels: readonly string[] = FUNSD_LABELS): LayoutWord[] {
  const missing = tags.find((tag) => !labels.includes(tag));
  if (missing) throw new FunsdFormatError(file, 'form', `label ${missing} is not in the label set ${labels.join(', ')}`);
  const indices = labelIndices(tags, labels);
  return words.map((word, i) => ({ ...word, label: indices[i] }));
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new FunsdFormatError(file, '(file)', (error as Error).message);
  }
}

export async function readFunsdAnnotation(file: string, labels: readonly string[] = FUNSD_LABELS): Promise<LayoutWord[]> {
  return parseFunsdAnnotation(await readJson(file), file, labels);
}

export async function readFunsdForm(file: string): Promise<FunsdForm> {
  return parseFunsdForm(await readJson(file), file);
}

export interface FunsdSplit {
  name: string;
  imagesDir: string;
  annotationsDir: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

/** FUNSD root (training_data/, testing_data/) → train/test; a dir holding images/ and annotations/ → train only. */
export async function findFunsdSplits(input: string): Promise<FunsdSplit[]> {
  const layouts: Array<[string, string]> = [
    ['train', 'training_data'],
    ['test', 'testing_data'],
  ];
  const splits: FunsdSplit[] = [];
  for (const [name, folder] of layouts) {
    const root = join(input, folder);
    if (await isDirectory(root)) splits.push({ name, imagesDir: join(root, 'images'), annotationsDir: join(root, 'annotations') });
  }
  if (splits.length === 0 && (await isDirectory(join(input, 'annotations')))) {
    splits.push({ name: 'train', imagesDir: join(input, 'images'), annotationsDir: join(input, 'annotations') });
  }
  if (splits.length === 0) {
    throw new Error(`${input}: expected training_data/ and testing_data/, or images/ and annotations/`);
  }
  for (const split of splits) {
    for (const dir of [split.imagesDir, split.annotationsDir]) {
      if (!(await isDirectory(dir))) throw new Error(`${dir}: directory not found`);
    }
  }
  return splits;
}
