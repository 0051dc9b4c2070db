import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keySimilarity, keyText, LookupEntity, lookupAnswers } from './key-lookup';

const entity = (label: string, text: string, index: number): LookupEntity => ({ label, text, box: [0, 10 * index, 50, 10 * index + 8], words: [index] });

/** A scorer from fixed logits "key>value", scoring only QUESTION → ANSWER as the head does. */
function scorerOf(logits: Record<string, number>) {
  return (entities: readonly LookupEntity[]) => (key: number, value: number) =>
    entities[key].label === 'QUESTION' && entities[value].label === 'ANSWER' ? logits[`${key}>${value}`] : undefined;
}

describe('key lookup', () => {
  it('compares the words that name a key, without the asking words at its start, case or punctuation', () => {
    assert.equal(keyText('What is the FAX NO.?'), 'fax no');
    assert.equal(keyText('DATE:'), 'date');
    assert.equal(keySimilarity('What is the date?', 'DATE:'), 1);
    assert.equal(keySimilarity('What is the fax number?', 'FAX NUMBER:'), 1);
    // Only the asking words at the start go: "TO:" still names a key.
    assert.equal(keySimilarity('To?', 'TO:'), 1);
    assert.equal(keySimilarity('What is the fax number?', 'FAX NO.:'), 0.5);
    assert.ok(keySimilarity('Who signed the letter?', 'DATE:') < 0.3);
    assert.equal(keySimilarity('What is the?', 'DATE:'), 0);
  });

  it('answers with the value the decoded pairs give the named key, its confidence = similarity × link probability', () => {
    const entities = [entity('QUESTION', 'DATE:', 0), entity('ANSWER', '12/03/1990', 1), entity('QUESTION', 'FAX:', 2), entity('ANSWER', '555 1234', 3)];
    const page = { entities, scorer: scorerOf({ '0>1': 4, '0>3': -2, '2>1': -1, '2>3': 5 }) };
    const [best, ...rest] = lookupAnswers('What is the date?', [page], 0.6);
    assert.deepEqual({ ...best, confidence: undefined }, { page: 0, key: 0, value: 1, similarity: 1, confidence: undefined, fromKey: false });
    const probability = Math.exp(4) / (1 + Math.exp(4) + Math.exp(-1));
    assert.ok(Math.abs(best.confidence - probability) < 1e-9);
    assert.deepEqual(rest, []);
    assert.equal(lookupAnswers('FAX', [page], 0.6)[0].value, 3);
    assert.deepEqual(lookupAnswers('Who signed the letter?', [page], 0.6), []);
  });

  it('takes a named key that extraction labelled otherwise, and a key no value picked takes its best value after the decoded ones', () => {
    // "Fax:" was read as an ANSWER; relabelled as the key it is, it wins its value. "Date:" lost its only value to
    // "Fax:" in the decoding, so it answers from its own side, ranked after the decoded pair.
    const entities = [entity('ANSWER', 'Fax:', 0), entity('ANSWER', '555 1234', 1), entity('QUESTION', 'Fax date', 2)];
    const page = { entities, scorer: scorerOf({ '0>1': 3, '2>1': 1 }) };
    const candidates = lookupAnswers('fax', [page], 0.3);
    assert.deepEqual(candidates.map(({ key, value, fromKey }) => ({ key, value, fromKey })), [
      { key: 0, value: 1, fromKey: false },
      { key: 2, value: 1, fromKey: true },
    ]);
  });

  it('looks on every page and names the page of each answer', () => {
    const first = { entities: [entity('QUESTION', 'Name:', 0)], scorer: scorerOf({}) };
    const second = { entities: [entity('QUESTION', 'Date:', 0), entity('ANSWER', 'today', 1)], scorer: scorerOf({ '0>1': 2 }) };
    assert.deepEqual(lookupAnswers('date', [first, second], 0.6).map(({ page, value }) => ({ page, value })), [{ page: 1, value: 1 }]);
  });
});
