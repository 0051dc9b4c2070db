import type { PageWord, PixelBox } from '../common/document-types';
import { unionBox } from '../layout/boxes';
import { entityType, WordTag } from './entity-labels';
import { FunsdEntity, FunsdForm } from './funsd-reader';

/** Share of a word's area an entity's box must hold for the word to be the entity's. */
const MIN_COVERED = 0.5;

function area([x0, y0, x1, y1]: readonly number[]): number {
  return Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
}

function intersection(a: readonly number[], b: readonly number[]): number {
  return area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
}

/**
 * A FUNSD annotation carried onto other words of the same page (our OCR's), so a model learns from the words serving
 * reads (`prepare --words ocr`). Each word goes to the entity whose box (the union of its annotated words) holds most
 * of it, at least half its area; an entity's words, in the words' order, are tagged B-X, I-X…, the rest O. An entity
 * keeps a word span only when its words are one run of the word list (else it has none: no key-value target), and its
 * links as annotated. Segments are the words' own (OCR lines), as serving gives the model.
 */
export function funsdFormOnWords(form: FunsdForm, words: readonly PageWord[]): FunsdForm {
  const boxes = new Map<number, PixelBox>();
  for (const word of form.words) {
    const known = boxes.get(word.segment);
    boxes.set(word.segment, known ? unionBox(known, word.box) : [...word.box]);
  }
  const owner = words.map((word) => {
    const own = Math.max(area(word.box), 1);
    let best: { id: number; covered: number } | undefined;
    for (const [id, box] of boxes) {
      const covered = intersection(word.box, box) / own;
      if (covered >= MIN_COVERED && (best === undefined || covered > best.covered)) best = { id, covered };
    }
    return best?.id;
  });
  const typeOf = new Map(form.entities.map((entity) => [entity.id, entityType(entity.label)]));
  const seen = new Set<number>();
  const tags: WordTag[] = owner.map((id) => {
    const parsed = id === undefined ? undefined : typeOf.get(id);
    if (id === undefined || !parsed || 'problem' in parsed || parsed.type === null) return 'O';
    const tag = `${seen.has(id) ? 'I' : 'B'}-${parsed.type}`;
    seen.add(id);
    return tag;
  });
  const entities: FunsdEntity[] = form.entities.map((entity) => {
    const mine = owner.flatMap((id, index) => (id === entity.id ? [index] : []));
    const run = mine.length > 0 && mine[mine.length - 1] - mine[0] + 1 === mine.length;
    return { id: entity.id, label: entity.label, linking: entity.linking, ...(run ? { wordSpan: { firstWord: mine[0], lastWord: mine[mine.length - 1] } } : {}) };
  });
  return { words: words.map(({ text, box, segment }) => ({ text, box: [...box], segment })), tags, entities };
}
