import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bioLabels, entityCounts, entityType, FUNSD_LABELS, labelIndices, labelSetProblems, MAX_ENTITY_TYPES, tagType, wordTag } from './entity-labels';

describe('entityType', () => {
  it('reads any sensible name as an upper-case type, other and O as outside', () => {
    assert.deepEqual(entityType('question'), { type: 'QUESTION' });
    assert.deepEqual(entityType(' Total amount '), { type: 'TOTAL AMOUNT' });
    assert.deepEqual(entityType('Straße/Nr.'), { type: 'STRASSE/NR.' });
    assert.deepEqual(entityType('other'), { type: null });
    assert.deepEqual(entityType('O'), { type: null });
  });

  it('refuses empty, overlong and absurd names, saying why', () => {
    assert.deepEqual(entityType(''), { problem: 'empty label' });
    assert.deepEqual(entityType(3), { problem: 'expected a string' });
    assert.match((entityType('x'.repeat(41)) as { problem: string }).problem, /longer than 40 characters/);
    for (const name of ['<script>', 'total:', '-date', 'a\nb', '{"x":1}']) assert.ok('problem' in entityType(name), name);
  });
});

describe('wordTag', () => {
  const never = () => false;
  it('keeps a BIO prefix and begins or continues an entity named without one', () => {
    assert.deepEqual(wordTag('i-date', never), { tag: 'I-DATE', type: 'DATE' });
    assert.deepEqual(wordTag('total', never), { tag: 'B-TOTAL', type: 'TOTAL' });
    assert.deepEqual(wordTag('total', (type) => type === 'TOTAL'), { tag: 'I-TOTAL', type: 'TOTAL' });
    assert.deepEqual(wordTag('other', () => true), { tag: 'O', type: null });
    assert.ok('problem' in wordTag('B-other', never));
    assert.ok('problem' in wordTag('B-', never));
  });
});

describe('bioLabels', () => {
  it("gives FUNSD's seven labels, in FUNSD's order, when every type is FUNSD's", () => {
    assert.deepEqual(bioLabels(['ANSWER', 'QUESTION']), [...FUNSD_LABELS]);
    assert.deepEqual(bioLabels([]), [...FUNSD_LABELS]);
  });

  it("otherwise O and B-/I- of each of the dataset's types in name order", () => {
    assert.deepEqual(bioLabels(['TOTAL', 'DATE', 'TOTAL', 'QUESTION']), ['O', 'B-DATE', 'I-DATE', 'B-QUESTION', 'I-QUESTION', 'B-TOTAL', 'I-TOTAL']);
    assert.equal(tagType('I-DATE'), 'DATE');
    assert.equal(tagType('O'), null);
  });

  it('maps tags to indices, and refuses a tag outside the set', () => {
    assert.deepEqual(labelIndices(['O', 'B-DATE', 'I-DATE'], ['O', 'B-DATE', 'I-DATE']), [0, 1, 2]);
    assert.throws(() => labelIndices(['B-TOTAL'], ['O']), /B-TOTAL is not in the label set O/);
  });
});

describe('label set problems', () => {
  it('counts entities at their B- tags; one entity is a warning, too many types an error', () => {
    const counts = entityCounts(['B-DATE', 'I-DATE', 'B-TOTAL', 'B-TOTAL', 'O']);
    assert.deepEqual([...counts], [['DATE', 1], ['TOTAL', 2]]);
    assert.deepEqual(labelSetProblems(counts).map((p) => p.severity), ['warning']);
    const many = new Map(Array.from({ length: MAX_ENTITY_TYPES + 1 }, (_, i) => [`T${i}`, 5]));
    assert.deepEqual(labelSetProblems(many).map((p) => p.severity), ['error']);
  });
});
