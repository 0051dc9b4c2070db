import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DOCUMENT_TYPES } from '../synthetic/document-types';
import { parseClassifyManifest } from '../datasets/classify-reader';
import { parseQaManifest } from '../datasets/qa-reader';
import { parseRenderArgs, RenderArgs, runRender } from './render-documents';

const args = (out: string, overrides: Partial<RenderArgs> = {}): RenderArgs => ({ out, perClass: 1, seed: 3, types: [...DOCUMENT_TYPES], testShare: 0.2, clean: false, ...overrides });

async function greyPixels(path: string) {
  const { data, info } = await sharp(path).greyscale().raw().toBuffer({ resolveWithObject: true });
  const histogram = new Array<number>(256).fill(0);
  for (const value of data) histogram[value]++;
  const paper = histogram.indexOf(Math.max(...histogram));
  return { at: (x: number, y: number) => data[y * info.width + x], width: info.width, height: info.height, paper };
}

describe('render-documents', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof runRender>>;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'render-documents-'));
    result = await runRender(args(out), () => undefined);
  });

  after(() => rm(out, { recursive: true, force: true }));

  it('parses its options and names the types when one is unknown', () => {
    assert.deepEqual(parseRenderArgs(['--out', 'o', '--per-class', '3', '--seed', '9', '--types', 'memo,invoice', '--clean']), {
      out: 'o', perClass: 3, seed: 9, types: ['memo', 'invoice'], testShare: 0.2, clean: true, funsd: undefined,
    });
    assert.throws(() => parseRenderArgs(['--per-class', '3']), /missing --out/);
    assert.throws(() => parseRenderArgs(['--out', 'o', '--per-class', '0']), /--per-class/);
    assert.throws(() => parseRenderArgs(['--out', 'o', '--types', 'memo,recipe']), (error: Error) =>
      /unknown document type 'recipe'/.test(error.message) && DOCUMENT_TYPES.every((type) => error.message.includes(type)));
  });

  it('renders every RVL-CDIP type with words, fields and questions, in manifests the readers accept', async () => {
    assert.deepEqual(result.entries.map((entry) => entry.label), [...DOCUMENT_TYPES]);
    const manifestPath = join(out, 'manifest.jsonl');
    const manifest = (await readFile(manifestPath, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(manifest, JSON.parse(JSON.stringify(result.entries)));
    assert.equal(parseClassifyManifest(await readFile(manifestPath, 'utf8'), manifestPath).length, 16);
    const qaPath = join(out, 'qa.jsonl');
    const qa = parseQaManifest(await readFile(qaPath, 'utf8'), qaPath);
    assert.equal(qa.length, result.questions.length);
    assert.ok(qa.some((q) => q.answer === null) && qa.filter((q) => q.answer !== null).length > 40);
    for (const entry of result.entries) {
      assert.ok(entry.words.length >= (entry.label === 'file-folder' ? 2 : 10), `${entry.label}: ${entry.words.length} words`);
      assert.ok((entry.fields ?? []).length >= 1, `${entry.label} records no field`);
      for (const field of entry.fields ?? []) assert.equal(field.value, field.wordIds.map((id) => entry.words[id].text).join(' '));
    }
    for (const question of result.questions.filter((q) => q.answer !== null)) {
      const entry = result.entries.find((e) => e.image === question.image);
      assert.equal(question.answer, question.answer_word_ids?.map((id) => entry?.words[id].text).join(' '));
    }
  });

  it('is deterministic from the seed', async () => {
    const again = await mkdtemp(join(tmpdir(), 'render-documents-'));
    try {
      const second = await runRender(args(again, { types: ['invoice', 'handwritten'] }), () => undefined);
      for (const entry of second.entries) {
        const first = result.entries.find((e) => e.image === entry.image);
        assert.deepEqual(entry, first);
        assert.deepEqual(await readFile(join(again, entry.image)), await readFile(join(out, entry.image)));
      }
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it('keeps word boxes on the ink through skew, scaling and noise', async () => {
    for (const entry of result.entries) {
      const page = await greyPixels(join(out, entry.image));
      let inside = 0;
      let ring = 0;
      for (const { text, box } of entry.words) {
        const [x0, y0, x1, y1] = box;
        let darkest = 255;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) darkest = Math.min(darkest, page.at(x, y));
        // Ink is darker than the paper (the commonest grey); a box on blank paper has nothing darker than the noise.
        assert.ok(darkest < page.paper - 60, `${entry.image}: no ink in the box of '${text}' ${box}`);
        for (let y = Math.max(y0 - 3, 0); y < Math.min(y1 + 3, page.height); y++) {
          for (let x = Math.max(x0 - 3, 0); x < Math.min(x1 + 3, page.width); x++) {
            if (page.at(x, y) >= page.paper - 100) continue;
            if (x >= x0 && x < x1 && y >= y0 && y < y1) inside++;
            else ring++;
          }
        }
      }
      // A presentation's title stands on a dark band, so only its boxes' ink is checked.
      if (entry.label !== 'presentation') assert.ok(ring / inside < 0.1, `${entry.image}: ${ring} dark pixels just outside word boxes, ${inside} inside`);
    }
  });
});
