import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PageImage } from '../common/document-types';
import { buildPdf, corruptPdf, inkBox, scannedPdf, textLayerPdf } from '../../test/helpers/fixtures';
import { rejectsWithCode } from '../../test/helpers/domain-errors';
import { readImageInfo } from './image-codec';
import { openPdf, PdfDocument } from './pdf-reader';

const OPTIONS = { dpi: 144, timeoutMs: 10_000 };
/** Ink sits inside the font's ascent–descent box, and starts/ends within a few pixels of the word's advance. */
const TOLERANCE_PX = 4;

describe('openPdf: a text-layer PDF', () => {
  let pdf: PdfDocument;
  let first: PageImage;

  before(async () => {
    pdf = await openPdf(textLayerPdf());
    first = await pdf.readPage(0, OPTIONS);
  });
  after(() => pdf?.close());

  it('counts pages and sizes them at the render resolution', async () => {
    assert.equal(pdf.pageCount, 3);
    assert.deepEqual(await pdf.pageSize(0, 144), { width: 1224, height: 1584 });
    assert.deepEqual(await pdf.pageSize(0, 72), { width: 612, height: 792 });
  });

  it('renders an RGB PNG of the page size', async () => {
    assert.deepEqual([first.index, first.width, first.height], [0, 1224, 1584]);
    const info = await readImageInfo(first.png);
    assert.deepEqual([info.format, info.width, info.height], ['png', 1224, 1584]);
  });

  it('reads the words of each line, one segment per line', () => {
    const words = first.textWords ?? [];
    assert.deepEqual(
      words.map((word) => [word.text, word.segment]),
      [['Invoice', 0], ['Number:', 0], ['12345', 0], ['Date:', 1], ['2024-01-05', 1], ['Total', 2]],
    );
  });

  it('places each word box where its glyphs were drawn (y flipped, 2 px per point)', async () => {
    const words = first.textWords ?? [];
    // "Invoice Number: 12345" was drawn at x = 72 pt, baseline y = 720 pt from the bottom: (144, 144) px.
    assert.ok(Math.abs(words[0].box[0] - 144) <= TOLERANCE_PX, `x0 ${words[0].box[0]}`);
    assert.ok(words[0].box[1] < 144 - 20 && words[0].box[3] > 144, `box ${words[0].box} spans the baseline`);
    for (const word of words) {
      const [x0, y0, x1, y1] = word.box;
      const ink = await inkBox(first.png, [x0 - 8, y0 - 8, x1 + 8, y1 + 8]);
      assert.ok(ink, `no ink near ${word.text}`);
      // The search region reaches into neighbours by 8 px; word gaps are wider than that at 14 pt × 2.
      assert.ok(Math.abs(ink[0] - x0) <= TOLERANCE_PX && Math.abs(ink[2] - x1) <= TOLERANCE_PX, `${word.text}: box ${word.box}, ink ${ink}`);
      assert.ok(ink[1] >= y0 - 1 && ink[3] <= y1 + 1, `${word.text}: box ${word.box}, ink ${ink}`);
    }
  });

  it('reads later pages', async () => {
    const third = await pdf.readPage(2, OPTIONS);
    assert.equal(third.index, 2);
    assert.deepEqual(third.textWords?.map((word) => word.text), ['Signature:', 'approved', 'by', 'Ann']);
  });

  it('gives up on a page past its deadline', async () => {
    const error = await rejectsWithCode(pdf.readPage(1, { ...OPTIONS, timeoutMs: 1 }), 'DOCUMENT_UNREADABLE');
    assert.equal(error.details?.timeoutMs, 1);
  });
});

describe('openPdf: other PDFs', () => {
  it('leaves words of a scanned page to OCR, rendering the scan', async () => {
    const pdf = await openPdf(await scannedPdf([['Name: Ann Lee']]));
    try {
      const page = await pdf.readPage(0, OPTIONS);
      assert.equal(page.textWords, undefined);
      // renderFormPng draws the line at (40, 70) px of a 612×792 image that fills the page: 2× at 144 dpi.
      const ink = await inkBox(page.png, [0, 0, page.width, page.height]);
      assert.ok(ink && Math.abs(ink[0] - 80) <= 8 && ink[3] > 120 && ink[3] < 160, `ink ${ink}`);
    } finally {
      await pdf.close();
    }
  });

  it('treats a page with a stray run of text as scanned', async () => {
    const pdf = await openPdf(buildPdf([{ texts: [{ text: '- 1', x: 72, y: 72 }] }]));
    assert.equal((await pdf.readPage(0, OPTIONS)).textWords, undefined);
    await pdf.close();
  });

  it('rejects encrypted and corrupt PDFs', async () => {
    await rejectsWithCode(openPdf(buildPdf([{ texts: [{ text: 'secret', x: 72, y: 700 }] }], { encrypted: true })), 'PDF_ENCRYPTED');
    await rejectsWithCode(openPdf(corruptPdf()), 'DOCUMENT_UNREADABLE');
  });
});
