import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { classLabels, parseClassifyManifest, readClassifyFolders } from './classify-reader';
import { assertUniqueDocIds, hashSplit } from './jsonl-manifest';

describe('parseClassifyManifest', () => {
  const manifest = [
    JSON.stringify({ image: 'pages/inv-1.png', label: 'invoice', split: 'test' }),
    JSON.stringify({ image: 'pages/memo 2.tiff', label: 'memo', words: [{ text: 'MEMO', box: [1, 1, 9, 9] }] }),
  ].join('\n');

  it('resolves images against the manifest and keeps words, explicit and hash splits', () => {
    const examples = parseClassifyManifest(manifest, '/data/set/manifest.jsonl');
    assert.deepEqual(examples, [
      { docId: 'pages_inv-1', imagePath: '/data/set/pages/inv-1.png', label: 'invoice', words: undefined, split: 'test', source: '/data/set/manifest.jsonl:1' },
      {
        docId: 'pages_memo_2',
        imagePath: '/data/set/pages/memo 2.tiff',
        label: 'memo',
        words: [{ text: 'MEMO', box: [1, 1, 9, 9] }],
        split: hashSplit('pages/memo 2.tiff'),
        source: '/data/set/manifest.jsonl:2',
      },
    ]);
    assert.deepEqual(classLabels(examples), ['invoice', 'memo']);
    assert.deepEqual(classLabels(examples, ['memo', 'invoice', 'letter']), ['memo', 'invoice', 'letter']);
  });

  it('names file, line and field of malformed entries and unknown labels', () => {
    assert.throws(() => parseClassifyManifest('{"label":"a"}', 'm.jsonl'), { message: 'm.jsonl:1: image: expected a non-empty path' });
    assert.throws(() => parseClassifyManifest('{"image":"a.png"}\n', 'm.jsonl'), { message: 'm.jsonl:1: label: expected a non-empty string' });
    assert.throws(() => parseClassifyManifest('{"image":"a.png","label":"a","words":{}}', 'm.jsonl'), { message: 'm.jsonl:1: words: expected an array' });
    assert.throws(() => parseClassifyManifest('\n{"image":"a.png","label":"a","split":"val"}', 'm.jsonl'), /m\.jsonl:2: split:/);
    assert.throws(() => parseClassifyManifest(manifest, 'm.jsonl', ['invoice', 'letter']), {
      message: "m.jsonl:2: label: unknown class label 'memo' (expected one of invoice, letter)",
    });
  });

  it('rejects two different images with the same document id, not the same image twice', () => {
    const a = { docId: 'x', imagePath: '/a/x.png', source: 'm:1' };
    assertUniqueDocIds([a, { ...a, source: 'm:2' }]);
    assert.throws(() => assertUniqueDocIds([a, { docId: 'x', imagePath: '/a/x.tiff', source: 'm:3' }]), /m:3: document id 'x' is also used by m:1/);
  });
});

describe('readClassifyFolders', () => {
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'classify-folders-'));
    for (const [label, names] of [['letter', ['b.png', 'a.JPG', 'notes.txt', '.hidden.png']], ['invoice', ['1.tif']]] as const) {
      await mkdir(join(root, label), { recursive: true });
      for (const name of names) await writeFile(join(root, label, name), 'x');
    }
    await writeFile(join(root, 'README.md'), 'x');
  });

  after(() => rm(root, { recursive: true, force: true }));

  it('takes one class per folder, images only, sorted', async () => {
    const examples = await readClassifyFolders(root);
    assert.deepEqual(examples.map((e) => [e.label, e.docId, e.split]), [
      ['invoice', 'invoice_1', hashSplit(join('invoice', '1.tif'))],
      ['letter', 'letter_a', hashSplit(join('letter', 'a.JPG'))],
      ['letter', 'letter_b', hashSplit(join('letter', 'b.png'))],
    ]);
    assert.equal(examples[0].imagePath, resolve(root, 'invoice', '1.tif'));
  });

  it('rejects a folder that is not a known class', async () => {
    await assert.rejects(readClassifyFolders(root, ['letter']), new RegExp(`${join(root, 'invoice')}: unknown class label 'invoice'`));
  });
});
