import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { layoutWords, MeasureText, PageBuilder } from './page-layout';

// A monospace stand-in: every character 0.5 em wide, ink 0.7 em above the baseline and 0.2 below.
const measure: MeasureText = (text, _face, size) => ({ width: text.length * size * 0.5, left: 0, right: text.length * size * 0.5, ascent: size * 0.7, descent: size * 0.2 });
const builder = () => new PageBuilder('memo', 400, 300, { left: 10, right: 10, top: 10, bottom: 10 }, measure, 'Sans');

describe('page layout', () => {
  it('boxes each word at its offset on the run and maps a field to its words', () => {
    const b = builder();
    b.line(['TO: ', { text: 'Ann Lee', field: 'recipient' }], { size: 20 });
    const { words, fields } = layoutWords(b.page(), measure);
    assert.deepEqual(words.map((word) => word.text), ['TO:', 'Ann', 'Lee']);
    const baseline = 10 + 20 * 0.9;
    assert.deepEqual(words[1].quad, [[10 + 4 * 10, baseline - 14], [10 + 7 * 10, baseline - 14], [10 + 7 * 10, baseline + 4], [10 + 4 * 10, baseline + 4]]);
    assert.deepEqual(fields, [{ name: 'recipient', value: 'Ann Lee', wordIds: [1, 2] }]);
  });

  it('joins a field over consecutive lines and keeps only the first of two fields of one name', () => {
    const b = builder();
    b.paragraph('a long report title that wraps', { width: 120, field: 'title' });
    b.line('Body text');
    b.line({ text: 'Another', field: 'title' });
    const { words, fields } = layoutWords(b.page(), measure);
    assert.ok(new Set(words.map((word) => word.segment)).size >= 3);
    assert.deepEqual(fields.map((field) => [field.name, field.value]), [['title', 'a long report title that wraps']]);
  });

  it('wraps paragraphs inside their column and places nothing past the bottom margin', () => {
    const b = builder();
    b.paragraph('word '.repeat(200), { width: 150 });
    const page = b.page();
    for (const run of page.runs) assert.ok(run.x + measure(run.text, run.face, run.size).width <= 10 + 150);
    assert.ok(page.runs.every((run) => run.y + run.size * 0.35 <= 300 - 10));
    assert.ok(page.runs.length < 200 / 2);
  });

  it('aligns right and centre, and turns the quads of a rotated run', () => {
    const b = builder();
    const right = b.text('END', { align: 'right', size: 10 });
    assert.equal(right?.x, 390 - 15);
    b.text('MID', { align: 'center', size: 10 });
    b.text('STAMP', { x: 100, size: 10, angle: 90 });
    const { words } = layoutWords(b.page(), measure);
    const [topLeft, topRight] = words[2].quad;
    assert.ok(Math.abs(topRight[0] - topLeft[0]) < 1e-9 && topRight[1] > topLeft[1], 'a quarter turn runs the top edge downwards');
  });
});
