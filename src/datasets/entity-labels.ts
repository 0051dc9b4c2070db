/**
 * Entity labels of extraction datasets. A dataset names its own entity types (FUNSD's header/question/answer are one
 * dataset's choice, a customer's receipts may say company/date/total); the BIO label list of a model is built from
 * the types a dataset uses. Names are case-insensitive and served upper case, as FUNSD's are (B-QUESTION → QUESTION).
 */

/** FUNSD's BIO label set: what a dataset whose entity types are all FUNSD's gets, in this order (docs/method.md §4.3). */
export const FUNSD_LABELS = ['O', 'B-HEADER', 'I-HEADER', 'B-QUESTION', 'I-QUESTION', 'B-ANSWER', 'I-ANSWER'] as const;
export const OUTSIDE_LABEL = 'O';
const FUNSD_TYPES = new Set(['HEADER', 'QUESTION', 'ANSWER']);
/** Names that mean "not part of an entity" (FUNSD's `other`, BIO's `O`). */
const OUTSIDE_NAMES = new Set(['O', 'OTHER']);

export const MAX_LABEL_LENGTH = 40;
/** More types than this is a mistake (a value used as a label), not a label set a token head can learn. */
export const MAX_ENTITY_TYPES = 50;
/** Letters and digits, with spaces, `_ . & / -` inside (and an abbreviation's final dot). */
const LABEL_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N} _.&/-]*[\p{L}\p{N}.])?$/u;

/** The entity type a name stands for (upper case), `null` for outside, or a string saying why it is refused. */
export type EntityType = { type: string | null } | { problem: string };

/** An entity-level label (a FUNSD entity's `label`, a JSONL word's entity name) → its type. */
export function entityType(raw: unknown): EntityType {
  if (typeof raw !== 'string') return { problem: 'expected a string' };
  const name = raw.trim();
  if (name === '') return { problem: 'empty label' };
  const upper = name.toUpperCase();
  if (OUTSIDE_NAMES.has(upper)) return { type: null };
  if (name.length > MAX_LABEL_LENGTH) return { problem: `label "${name.slice(0, MAX_LABEL_LENGTH)}…" is longer than ${MAX_LABEL_LENGTH} characters` };
  if (!LABEL_NAME.test(name)) return { problem: `label "${name}" must be letters or digits, with spaces, "_", ".", "&", "/" or "-" inside` };
  return { type: upper };
}

/** A word's BIO tag: `O`, or B-/I- and an upper-case entity type. */
export type WordTag = string;

/**
 * A word-level label: a BIO label (`B-TOTAL`, `i-date`, `O`) keeps its prefix; an entity name (`total`) begins an
 * entity unless it `continues` the previous word's entity of the same type.
 */
export function wordTag(raw: unknown, continues: (type: string) => boolean): { tag: WordTag; type: string | null } | { problem: string } {
  const bio = typeof raw === 'string' ? /^\s*([BIbi])-(.*)$/.exec(raw) : null;
  const parsed = entityType(bio ? bio[2] : raw);
  if ('problem' in parsed) return parsed;
  if (parsed.type === null) return bio ? { problem: `label "${String(raw).trim()}" names no entity type` } : { tag: OUTSIDE_LABEL, type: null };
  const prefix = bio ? bio[1].toUpperCase() : continues(parsed.type) ? 'I' : 'B';
  return { tag: `${prefix}-${parsed.type}`, type: parsed.type };
}

/** The entity type of a BIO tag, `null` for O. */
export function tagType(tag: WordTag): string | null {
  return tag === OUTSIDE_LABEL ? null : tag.slice(2);
}

/**
 * The model's label list for the entity types a dataset uses: FUNSD's seven when every type is FUNSD's (so such a
 * dataset keeps the shipped model's head), otherwise O then B-/I- of each type in name order.
 */
export function bioLabels(types: Iterable<string>): string[] {
  const used = [...new Set(types)].sort();
  if (used.every((type) => FUNSD_TYPES.has(type))) return [...FUNSD_LABELS];
  return [OUTSIDE_LABEL, ...used.flatMap((type) => [`B-${type}`, `I-${type}`])];
}

/** Entities per type, counted at their B- tags. */
export function entityCounts(tags: Iterable<WordTag>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tag of tags) if (tag.startsWith('B-')) counts.set(tag.slice(2), (counts.get(tag.slice(2)) ?? 0) + 1);
  return counts;
}

/** Problems of a whole label set: too many types is an error; a type used by one entity only is a warning. */
export function labelSetProblems(counts: ReadonlyMap<string, number>): Array<{ severity: 'error' | 'warning'; message: string }> {
  if (counts.size > MAX_ENTITY_TYPES) {
    return [{ severity: 'error', message: `${counts.size} entity types; at most ${MAX_ENTITY_TYPES} (are values used as labels?)` }];
  }
  return [...counts]
    .filter(([, count]) => count === 1)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type]) => ({ severity: 'warning', message: `label "${type}" is used by one entity only: the model has a single example to learn it from` }));
}

/** Tags → label indices into `labels`; a tag missing from them is a programming error (labels come from the tags). */
export function labelIndices(tags: readonly WordTag[], labels: readonly string[]): number[] {
  return tags.map((tag) => {
    const index = labels.indexOf(tag);
    if (index < 0) throw new Error(`label ${tag} is not in the label set ${labels.join(', ')}`);
    return index;
  });
}
