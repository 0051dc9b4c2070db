import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentIdFromPath, entrySplit, hashSplit, parseJsonl } from './jsonl-manifest';

describe('parseJsonl', () => {
  it('returns objects with their 1-based line numbers, skipping blank lines', () => {
    assert.deepEqual(parseJsonl('{"a":1}\n\n{"b":2}\n', 'm.jsonl'), [
      { line: 1, value: { a: 1 } },
      { line: 3, value: { b: 2 } },
    ]);
  });

  it('names the file and line of a malformed or non-object line, and rejects an empty file', () => {
    assert.throws(() => parseJsonl('{"a":1}\n{oops', 'm.jsonl'), /^ManifestFormatError: m\.jsonl:2: \(line\): not valid JSON/);
    assert.throws(() => parseJsonl('[1]', 'm.jsonl'), { message: 'm.jsonl:1: (line): expected a JSON object' });
    assert.throws(() => parseJsonl('\n', 'm.jsonl'), /no entries/);
  });
});

describe('splits', () => {
  it('splits by hash deterministically, about 80/20', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `images/doc-${i}.png`);
    const train = keys.filter((key) => hashSplit(key) === 'train').length;
    assert.ok(train > 740 && train < 860, `train share ${train}/1000`);
    assert.deepEqual(keys.map(hashSplit), keys.map(hashSplit));
  });

  it('uses an explicit split and rejects an unknown one naming the field', () => {
    assert.equal(entrySplit({ line: 4, value: { split: 'test' } }, 'm.jsonl', 'a.png'), 'test');
    assert.equal(entrySplit({ line: 4, value: {} }, 'm.jsonl', 'a.png'), hashSplit('a.png'));
    assert.throws(() => entrySplit({ line: 4, value: { split: 'dev' } }, 'm.jsonl', 'a.png'), { message: 'm.jsonl:4: split: expected one of train, test' });
  });

  it('derives file-safe document ids from image paths', () => {
    assert.equal(documentIdFromPath('invoice/scan 01.png'), 'invoice_scan_01');
    assert.equal(documentIdFromPath('../x/a.b.tiff'), 'x_a.b');
  });
});
