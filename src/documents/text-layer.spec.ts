import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasUsableTextLayer, Matrix, PdfTextItem, textLayerWords } from './text-layer';

/** US Letter at 144 dpi: scale 2, y flipped (what pdfjs's viewport.transform is for an unrotated page). */
const VIEWPORT: Matrix = [2, 0, 0, -2, 0, 1584];
const STYLES = { f1: { ascent: 0.75, descent: -0.25 } };
/** Monospace stand-in: every character advances one unit. */
const monospace = (text: string) => text.length;

function item(str: string, x: number, y: number, size = 10, hasEOL = false): PdfTextItem {
  return { str, transform: [size, 0, 0, size, x, y], width: str.length * size * 0.5, fontName: 'f1', hasEOL };
}

function words(items: PdfTextItem[], viewport: Matrix = VIEWPORT, size = { width: 1224, height: 1584 }) {
  return textLayerWords({ items, styles: STYLES, viewport, ...size }, monospace);
}

describe('textLayerWords', () => {
  it('splits runs into words with pixel boxes from descent to ascent, y flipped', () => {
    // "Name: Ann" at (100, 700), 10 pt: each character 5 pt wide.
    assert.deepEqual(words([item('Name: Ann', 100, 700)]), [
      { text: 'Name:', box: [200, 169, 250, 189], confidence: 1, segment: 0 },
      { text: 'Ann', box: [260, 169, 290, 189], confidence: 1, segment: 0 },
    ]);
  });

  it('uses measured advances, not character counts, to place words', () => {
    const wide = (text: string) => [...text].reduce((sum, char) => sum + (char === 'W' ? 3 : 1), 0);
    const [first, second] = textLayerWords({ items: [item('WW a', 0, 700)], styles: STYLES, viewport: VIEWPORT, width: 1224, height: 1584 }, wide);
    // Advances 3+3+1+1 = 8 units over 20 pt: "WW" spans 6/8 of the run.
    assert.deepEqual([first.box[2], second.box[0]], [30, 35]);
  });

  it('numbers segments by line, and by wide gaps within a line', () => {
    const found = words([
      item('Date:', 72, 700),
      item('2024-01-05', 110, 700, 10, true),
      item('Total', 72, 680),
      item('12', 300, 680),
    ]);
    assert.deepEqual(found.map((w) => [w.text, w.segment]), [['Date:', 0], ['2024-01-05', 0], ['Total', 1], ['12', 2]]);
  });

  it('starts a new line after an empty end-of-line run, even at the same height', () => {
    const found = words([item('left', 72, 700), { ...item('', 0, 0), hasEOL: true }, item('right', 100, 700)]);
    assert.deepEqual(found.map((w) => w.segment), [0, 1]);
  });

  it('glues runs that touch with no space between them into one word', () => {
    const found = words([item('Invo', 72, 700), item('ice', 92, 700), item(' ', 107, 700), item('No', 110, 700)]);
    assert.deepEqual(found.map((w) => w.text), ['Invoice', 'No']);
    assert.deepEqual(found[0].box, [144, 169, 214, 189]);
  });

  it('follows the viewport of a rotated page (pdfjs maps /Rotate 90 to swapped axes)', () => {
    // /Rotate 90 on a 612×792 page at scale 1: (x, y) → (y, x).
    const [word] = words([item('up', 100, 200)], [0, 1, 1, 0, 0, 0], { width: 792, height: 612 });
    assert.deepEqual(word.box, [197.5, 100, 207.5, 110]);
  });

  it('drops text outside the page and skips blank runs', () => {
    assert.deepEqual(words([item('   ', 72, 700), item('gone', 72, 900)]), []);
  });
});

describe('hasUsableTextLayer', () => {
  it('needs a few words with letters or digits', () => {
    const word = (text: string) => ({ text, box: [0, 0, 1, 1] as [number, number, number, number], confidence: 1, segment: 0 });
    assert.equal(hasUsableTextLayer(['Name:', 'Ann', 'Lee'].map(word)), true);
    assert.equal(hasUsableTextLayer(['-', '.', '|', 'x'].map(word)), false);
  });
});
