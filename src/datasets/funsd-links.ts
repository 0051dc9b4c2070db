import { PixelBox } from '../common/document-types';
import { KEY_LABEL, VALUE_LABEL } from '../heads/key-value-pairs';
import { unionBox } from '../layout';
import { FunsdForm } from './funsd-reader';

/**
 * FUNSD's links as key → value pairs (a QUESTION and the ANSWER it links to), the one reading of them that the
 * dataset report, the evaluation and (with the relation head) training share.
 */

export interface LinkedEntity {
  /** FUNSD entity id. */
  id: number;
  label: string;
  wordIds: number[];
  box: PixelBox;
}

export interface GoldLinks {
  /** Entities with words and a label other than `other`, in file order. */
  entities: LinkedEntity[];
  /** [key, value] as indices into `entities`: a QUESTION and an ANSWER FUNSD links (each link once). */
  links: Array<[number, number]>;
  /** Links naming an entity id the annotation lacks (entityIndex: the entity in `form` listing it). */
  missing: Array<{ entityIndex: number; from: number; to: number }>;
  /** Links between labels that do not pair as key → value ("HEADER→QUESTION": count), not trained on. */
  unpairable: Record<string, number>;
}

/** An annotation's entities and key → value links; links to a missing entity or between other labels are left out (and reported). */
export function funsdGoldLinks(form: FunsdForm): GoldLinks {
  const entities: LinkedEntity[] = [];
  const indexById = new Map<number, number>();
  for (const entity of form.entities) {
    if (!entity.wordSpan) continue;
    const tag = form.tags[entity.wordSpan.firstWord];
    if (tag === 'O') continue;
    const wordIds = Array.from({ length: entity.wordSpan.lastWord - entity.wordSpan.firstWord + 1 }, (_, i) => entity.wordSpan!.firstWord + i);
    const box = wordIds.map((id) => form.words[id].box).reduce((a, b) => unionBox(a, b));
    indexById.set(entity.id, entities.length);
    entities.push({ id: entity.id, label: tag.slice(2), wordIds, box });
  }
  const links = new Map<string, [number, number]>();
  const missing = new Map<string, { entityIndex: number; from: number; to: number }>();
  const unpairable = new Map<string, number>();
  const known = new Set(form.entities.map((entity) => entity.id));
  form.entities.forEach((entity, entityIndex) => {
    for (const [from, to] of entity.linking) {
      if (!known.has(from) || !known.has(to)) {
        missing.set(`${from}>${to}`, { entityIndex, from, to });
        continue;
      }
      const [a, b] = [indexById.get(from), indexById.get(to)];
      const pair = a === undefined || b === undefined ? undefined : asKeyValue(entities, a, b);
      if (pair) links.set(pair.join('>'), pair);
      else if (from !== to) {
        const labels = `${labelOf(form, from)}→${labelOf(form, to)}`;
        unpairable.set(labels, (unpairable.get(labels) ?? 0) + 1);
      }
    }
  });
  return {
    entities,
    links: [...links.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]),
    missing: [...missing.values()],
    // Each link is listed by both of its entities.
    unpairable: Object.fromEntries([...unpairable].map(([pair, count]) => [pair, Math.ceil(count / 2)])),
  };
}

function labelOf(form: FunsdForm, id: number): string {
  const entity = form.entities.find((candidate) => candidate.id === id);
  return entity?.wordSpan ? form.tags[entity.wordSpan.firstWord].replace(/^[BI]-/, '').replace(/^O$/, 'OTHER') : 'EMPTY';
}

function asKeyValue(entities: readonly LinkedEntity[], a: number, b: number): [number, number] | undefined {
  if (entities[a].label === KEY_LABEL && entities[b].label === VALUE_LABEL) return [a, b];
  if (entities[b].label === KEY_LABEL && entities[a].label === VALUE_LABEL) return [b, a];
  return undefined;
}

