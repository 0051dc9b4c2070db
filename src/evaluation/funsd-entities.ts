import { PixelBox } from '../common/document-types';
import { FUNSD_LABELS } from '../datasets/funsd-reader';
import { LayoutWord, unionBox } from '../layout';
import { BoxEntity, SpanEntity } from './entity-metrics';

/** A word as `POST /v1/extract` takes it from a client. */
export interface ClientWord {
  text: string;
  box: PixelBox;
  segment: number;
}

/** The part of a served entity that scoring needs. */
export interface PredictedEntity {
  label: string;
  box: PixelBox;
  words: number[];
}

export interface GoldEntities {
  /** Matched by exact word-index sets (indices into the words sent, in order). */
  spans: SpanEntity[];
  /** Matched by label + IoU against OCR entities; box = union of the entity's word boxes. */
  boxes: BoxEntity[];
}

/**
 * FUNSD words (funsd-reader: non-blank, in file order, segment = entity id, label = BIO index) → gold entities.
 * An entity is a FUNSD entity labelled other than `other` that kept at least one word; entities whose words are
 * all blank cannot be predicted from words, so they are not counted (as in the published FUNSD protocol).
 */
export function funsdGoldEntities(words: readonly LayoutWord[]): GoldEntities {
  const byEntity = new Map<number, { label: string; wordIds: number[]; box: PixelBox }>();
  words.forEach((word, index) => {
    const label = entityLabel(word);
    if (label === undefined) return;
    const entity = byEntity.get(word.segment);
    if (entity === undefined) {
      byEntity.set(word.segment, { label, wordIds: [index], box: [...word.box] });
      return;
    }
    if (entity.label !== label) throw new Error(`FUNSD entity ${word.segment} mixes labels ${entity.label} and ${label}`);
    entity.wordIds.push(index);
    entity.box = unionBox(entity.box, word.box);
  });
  const entities = [...byEntity.values()];
  return {
    spans: entities.map(({ label, wordIds }) => ({ label, wordIds })),
    boxes: entities.map(({ label, box }) => ({ label, box })),
  };
}

/** The words sent as client words: segment = FUNSD entity id, so segment boxes match what the model trained on. */
export function toClientWords(words: readonly LayoutWord[]): ClientWord[] {
  return words.map(({ text, box, segment }) => ({ text, box: [...box], segment }));
}

export function predictedSpans(entities: readonly PredictedEntity[]): SpanEntity[] {
  return entities.map(({ label, words }) => ({ label: label.toUpperCase(), wordIds: [...words] }));
}

export function predictedBoxes(entities: readonly PredictedEntity[]): BoxEntity[] {
  return entities.map(({ label, box }) => ({ label: label.toUpperCase(), box: [...box] }));
}

function entityLabel(word: LayoutWord): string | undefined {
  if (word.label === undefined) throw new Error(`word '${word.text}' has no label: gold entities need annotated words`);
  const bio = FUNSD_LABELS[word.label];
  if (bio === undefined) throw new Error(`word '${word.text}' has label index ${word.label} outside FUNSD's label set`);
  return bio === 'O' ? undefined : bio.slice(2);
}
