import { readFile } from 'node:fs/promises';
import { isBlankWord, LayoutWord } from '../layout';

/** FUNSD's BIO label set (aet-spec §4.1); a word's `label` is an index into this list. */
export const FUNSD_LABELS = ['O', 'B-HEADER', 'I-HEADER', 'B-QUESTION', 'I-QUESTION', 'B-ANSWER', 'I-ANSWER'] as const;

const ENTITY_LABELS = new Set(['header', 'question', 'answer', 'other']);

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

function labelIndex(name: string): number {
  return FUNSD_LABELS.indexOf(name as (typeof FUNSD_LABELS)[number]);
}

/**
 * One FUNSD annotation → words in reading order of the file. Entity `other` → O; otherwise the first non-blank
 * word is B-X and the rest I-X; blank words are dropped; segment = entity id (its words share the union box).
 */
export function parseFunsdAnnotation(json: unknown, file: string): LayoutWord[] {
  if (!isRecord(json) || !Array.isArray(json.form)) throw new FunsdFormatError(file, 'form', 'expected an array');
  const words: LayoutWord[] = [];
  const seenIds = new Set<number>();
  json.form.forEach((entity: unknown, entityIndex: number) => {
    const where = `form[${entityIndex}]`;
    if (!isRecord(entity)) throw new FunsdFormatError(file, where, 'expected an object');
    if (typeof entity.id !== 'number' || !Number.isInteger(entity.id)) throw new FunsdFormatError(file, `${where}.id`, 'expected an integer');
    if (seenIds.has(entity.id)) throw new FunsdFormatError(file, `${where}.id`, `duplicate id ${entity.id}`);
    seenIds.add(entity.id);
    if (typeof entity.label !== 'string' || !ENTITY_LABELS.has(entity.label)) {
      throw new FunsdFormatError(file, `${where}.label`, `expected one of ${[...ENTITY_LABELS].join(', ')}`);
    }
    if (!Array.isArray(entity.words)) throw new FunsdFormatError(file, `${where}.words`, 'expected an array');
    const tag = entity.label.toUpperCase();
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
      const label = tag === 'OTHER' ? 'O' : `${isFirst ? 'B' : 'I'}-${tag}`;
      isFirst = false;
      words.push({ text: word.text, box: [box[0], box[1], box[2], box[3]], segment: entity.id as number, label: labelIndex(label) });
    });
  });
  return words;
}

export async function readFunsdAnnotation(file: string): Promise<LayoutWord[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new FunsdFormatError(file, '(file)', (error as Error).message);
  }
  return parseFunsdAnnotation(json, file);
}
