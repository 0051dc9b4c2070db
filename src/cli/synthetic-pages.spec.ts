import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHAR_WIDTH_EM, composePage, DOCUMENT_KINDS, pageSvg, pageWords, seededRandom } from './synthetic-pages';

describe('synthetic pages', () => {
  it('are deterministic from the seed and differ between seeds', () => {
    for (const kind of DOCUMENT_KINDS) {
      assert.deepEqual(composePage(kind, seededRandom(7)), composePage(kind, seededRandom(7)));
      assert.notDeepEqual(composePage(kind, seededRandom(7)).lines, composePage(kind, seededRandom(8)).lines);
    }
  });

  it('give every kind text, with every word box inside the page and as wide as its characters', () => {
    for (const kind of DOCUMENT_KINDS) {
      for (let seed = 0; seed < 5; seed++) {
        const page = composePage(kind, seededRandom(seed));
        const words = pageWords(page);
        assert.ok(words.length >= 20, `${kind}/${seed}: ${words.length} words`);
        for (const { text, box, segment } of words) {
          const [x0, y0, x1, y1] = box;
          assert.ok(x0 >= 0 && y0 >= 0 && x1 <= page.width && y1 <= page.height && x0 < x1 && y0 < y1, `${kind}/${seed} '${text}' ${box}`);
          const size = page.lines[segment].size;
          if (x1 < page.width) assert.ok(Math.abs(x1 - x0 - text.length * CHAR_WIDTH_EM * size) < 2, `${kind} '${text}' width`);
        }
      }
    }
  });

  it('places words at their character offsets on the line', () => {
    const page = { kind: 'memo' as const, width: 400, height: 100, lines: [{ x: 10, y: 50, size: 20, text: 'TO:  Ann Lee' }], rules: [] };
    assert.deepEqual(pageWords(page), [
      { text: 'TO:', box: [10, 34, 46, 55], segment: 0 },
      { text: 'Ann', box: [70, 34, 106, 55], segment: 0 },
      { text: 'Lee', box: [118, 34, 154, 55], segment: 0 },
    ]);
    assert.match(pageSvg({ ...page, lines: [{ ...page.lines[0], text: 'R&D <x>' }] }), /xml:space="preserve">R&amp;D &lt;x&gt;<\/text>/);
  });
});
