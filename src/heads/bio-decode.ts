import type { PixelBox } from '../common/document-types';

/** BIO decoding: labelled words in reading order → entities, with seqeval's lenient rules. */

export interface LabelledWord {
  text: string;
  box: PixelBox;
  label: string;
  confidence: number;
}

export interface Entity {
  /** Entity type without the B-/I- prefix (HEADER, QUESTION, ANSWER…). */
  label: string;
  /** The entity's words joined by single spaces. */
  text: string;
  /** Mean of the word confidences. */
  confidence: number;
  /** Pixel union of the word boxes. */
  box: PixelBox;
  /** Indices of the words in the page's word list. */
  words: number[];
}

function splitLabel(label: string): { prefix: 'B' | 'I' | 'O'; type: string } {
  if (label === 'O') return { prefix: 'O', type: '' };
  const match = /^([BI])-(.+)$/.exec(label);
  // A label without a BIO prefix continues a same-type run, like I-.
  return match ? { prefix: match[1] as 'B' | 'I', type: match[2] } : { prefix: 'I', type: label };
}

/**
 * B-X starts an entity; I-X continues the open entity when it is of type X and otherwise starts a new one
 * (an I- without a matching B-); O closes the open entity and is never part of one.
 */
export function decodeBio(words: readonly LabelledWord[]): Entity[] {
  const groups: Array<{ type: string; words: number[] }> = [];
  let open: { type: string; words: number[] } | undefined;
  words.forEach((word, index) => {
    const { prefix, type } = splitLabel(word.label);
    if (prefix === 'O') {
      open = undefined;
    } else if (prefix === 'I' && open?.type === type) {
      open.words.push(index);
    } else {
      open = { type, words: [index] };
      groups.push(open);
    }
  });
  return groups.map((group) => toEntity(group.type, group.words, words));
}

function toEntity(label: string, indices: number[], words: readonly LabelledWord[]): Entity {
  const members = indices.map((index) => words[index]);
  const box: PixelBox = [
    Math.min(...members.map((w) => w.box[0])),
    Math.min(...members.map((w) => w.box[1])),
    Math.max(...members.map((w) => w.box[2])),
    Math.max(...members.map((w) => w.box[3])),
  ];
  const confidence = members.reduce((sum, w) => sum + w.confidence, 0) / members.length;
  return { label, text: members.map((w) => w.text).join(' '), confidence, box, words: indices };
}
