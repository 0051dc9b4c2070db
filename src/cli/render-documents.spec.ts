import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseRenderArgs, runRender } from './render-documents';
import { DOCUMENT_KINDS } from './synthetic-pages';

describe('render-documents', () => {
  let out: string;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'render-documents-'));
  });

  after(() => rm(out, { recursive: true, force: true }));

  it('parses its options', () => {
    assert.deepEqual(parseRenderArgs(['--out', 'o', '--per-class', '3', '--seed', '9']), { out: 'o', perClass: 3, seed: 9, funsd: undefined });
    assert.throws(() => parseRenderArgs(['--per-class', '3']), /missing --out/);
    assert.throws(() => parseRenderArgs(['--out', 'o', '--per-class', '0']), /--per-class/);
  });

  it('renders each kind and writes a manifest whose word boxes hold the rendered ink', async () => {
    const entries = await runRender({ out, perClass: 1, seed: 3 }, () => undefined);
    assert.deepEqual(entries.map((entry) => entry.label), [...DOCUMENT_KINDS]);
    const manifest = (await readFile(join(out, 'manifest.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(manifest, JSON.parse(JSON.stringify(entries)));

    // The rendering check: every word box contains ink, and nearly all ink lies inside some word box or rule.
    const letter = entries.find((entry) => entry.label === 'letter');
    assert.ok(letter);
    const { data, info } = await sharp(join(out, letter.image)).greyscale().raw().toBuffer({ resolveWithObject: true });
    const dark = (x: number, y: number) => data[y * info.width + x] < 128;
    for (const { text, box } of letter.words) {
      let ink = 0;
      for (let y = box[1]; y < box[3]; y++) for (let x = box[0]; x < box[2]; x++) if (dark(x, y)) ink++;
      assert.ok(ink > 0, `no ink in the box of '${text}'`);
    }
    let inkTotal = 0;
    let inkOutside = 0;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        if (!dark(x, y)) continue;
        inkTotal++;
        if (!letter.words.some(({ box }) => x >= box[0] - 1 && x <= box[2] + 1 && y >= box[1] - 1 && y <= box[3] + 1)) inkOutside++;
      }
    }
    assert.ok(inkOutside / inkTotal < 0.01, `${inkOutside} of ${inkTotal} dark pixels outside word boxes`);
  });
});
