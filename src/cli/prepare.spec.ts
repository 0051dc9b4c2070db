import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rgbToPng } from '../documents/image-codec';
import { tinyWordPieceTokenizer } from '../../test/helpers/tokenizers';
import { parsePrepareArgs, runPrepare, UsageError } from './prepare';

/** Its file enables padding and truncation, which prepare must ignore. */
const TOKENIZER = tinyWordPieceTokenizer(['name', ':', 'jo', '##hn']);

const ANNOTATION = {
  form: [
    { id: 0, label: 'question', words: [{ text: 'Name:', box: [4, 4, 20, 10] }], linking: [[0, 1]] },
    { id: 1, label: 'answer', words: [{ text: 'John', box: [24, 4, 36, 10] }, { text: '', box: [0, 0, 0, 0] }], linking: [[0, 1]] },
  ],
};

async function writeDocument(dir: string, docId: string, annotation: unknown): Promise<void> {
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'annotations'), { recursive: true });
  await writeFile(join(dir, 'images', `${docId}.png`), await rgbToPng(Buffer.alloc(40 * 20 * 3, 200), 40, 20));
  await writeFile(join(dir, 'annotations', `${docId}.json`), JSON.stringify(annotation));
}

describe('prepare', () => {
  let root: string;
  let tokenizerPath: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'prepare-spec-'));
    tokenizerPath = join(root, 'tokenizer.json');
    await writeFile(tokenizerPath, JSON.stringify(TOKENIZER));
    await writeDocument(join(root, 'funsd', 'training_data'), 'doc-a', ANNOTATION);
    await writeDocument(join(root, 'funsd', 'testing_data'), 'doc-b', ANNOTATION);
  });

  after(() => rm(root, { recursive: true, force: true }));

  it('writes the prepared dataset format for both FUNSD splits', async () => {
    const out = join(root, 'out');
    const lines: string[] = [];
    const args = parsePrepareArgs(['--format', 'funsd', '--input', join(root, 'funsd'), '--out', out, '--tokenizer', tokenizerPath, '--max-length', '4', '--stride', '2', '--image-size', '8']);
    await runPrepare(args, (line) => lines.push(line));

    assert.deepEqual(lines, [
      'train: 1 documents, 2 windows, 4 tokens, max 4 tokens per page',
      'test: 1 documents, 2 windows, 4 tokens, max 4 tokens per page',
    ]);
    const metadata = JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8'));
    assert.deepEqual(metadata, {
      formatVersion: 1,
      task: 'extract',
      source: 'funsd',
      labels: ['O', 'B-HEADER', 'I-HEADER', 'B-QUESTION', 'I-QUESTION', 'B-ANSWER', 'I-ANSWER'],
      tokenizer: 'tokenizer.json',
      specialTokens: { cls: '[CLS]', sep: '[SEP]', pad: '[PAD]', clsId: 2, sepId: 3, padId: 0 },
      maxLength: 4,
      windowStride: 2,
      imageSize: 8,
      pairs: true,
      splits: { train: { documents: 1, windows: 2 }, test: { documents: 1, windows: 2 } },
    });
    assert.equal(await readFile(join(out, 'tokenizer.json'), 'utf8'), JSON.stringify(TOKENIZER));

    const windows = (await readFile(join(out, 'train.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(windows[1], {
      docId: 'doc-a',
      page: 0,
      window: 1,
      tokenStart: 2,
      inputIds: [2, 6, 7, 3],
      bbox: [[0, 0, 0, 0], [600, 200, 900, 500], [600, 200, 900, 500], [0, 0, 0, 0]],
      wordBbox: [[0, 0, 0, 0], [600, 200, 900, 500], [600, 200, 900, 500], [0, 0, 0, 0]],
      labels: [-100, 5, -100, -100],
      wordIds: [-1, 1, 1, -1],
      image: 'images/doc-a.png',
      original: 'originals/doc-a.png',
      width: 40,
      height: 20,
      // The page's key → value pairs ride on each of its windows: "Name:" → "John".
      pairEntities: [{ label: 'QUESTION', firstWord: 0, lastWord: 0 }, { label: 'ANSWER', firstWord: 1, lastWord: 1 }],
      pairLinks: [[0, 1]],
    });
    assert.deepEqual(windows[0].inputIds, [2, 4, 5, 3]);
    assert.deepEqual(windows[0].labels, [-100, 3, -100, -100]);
    const modelImage = await stat(join(out, 'images', 'doc-b.png'));
    assert.ok(modelImage.size > 0);
    assert.ok((await stat(join(out, 'originals', 'doc-b.png'))).size > 0);
  });

  it('accepts a directory holding images/ and annotations/ as a single train split', async () => {
    const out = join(root, 'single-out');
    const args = parsePrepareArgs(['--format', 'funsd', '--input', join(root, 'funsd', 'training_data'), '--out', out, '--tokenizer', tokenizerPath]);
    const summaries = await runPrepare(args, () => undefined);
    assert.deepEqual(Object.keys(summaries), ['train']);
    assert.deepEqual(JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8')).splits, { train: { documents: 1, windows: 1 } });
  });

  it('fails on a malformed annotation naming file and field, leaving no dataset.json', async () => {
    const input = join(root, 'broken');
    await writeDocument(input, 'bad', { form: [{ id: 0, label: 'other', words: [{ text: 'x', box: [1, 2] }] }] });
    const out = join(root, 'broken-out');
    const args = parsePrepareArgs(['--format', 'funsd', '--input', input, '--out', out, '--tokenizer', tokenizerPath]);
    await assert.rejects(runPrepare(args, () => undefined), {
      message: `${join(input, 'annotations', 'bad.json')}: form[0].words[0].box: expected 4 numbers`,
    });
    await assert.rejects(stat(join(out, 'dataset.json')), { code: 'ENOENT' });
  });

  it('rejects an unknown format and bad numbers with a usage error', () => {
    const base = ['--input', 'in', '--out', 'out', '--tokenizer', 't.json'];
    assert.throws(() => parsePrepareArgs(['--format', 'cord', ...base]), (error: Error) => error instanceof UsageError && /unknown --format 'cord'/.test(error.message));
    assert.throws(() => parsePrepareArgs(['--format', 'funsd', ...base, '--stride', 'x']), /--stride must be a positive integer/);
    assert.throws(() => parsePrepareArgs(['--format', 'funsd', ...base, '--max-length', '8', '--stride', '7']), /--stride must be at most/);
    assert.throws(() => parsePrepareArgs(['--format', 'funsd', '--input', 'in']), /missing --out/);
  });
});
