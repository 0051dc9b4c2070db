import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../common/domain-error';
import { buildPdf, corruptPdf, encodeBmp, multiPageTiff, pngWithHeader, rotatedJpeg, solidImage, solidPng, textLayerPdf } from '../../test/helpers/fixtures';
import { rejectsWithCode } from '../../test/helpers/domain-errors';
import { checkPageSize, decodeDocument, sniffFormat } from './document-decoder';
import { readImageInfo } from './image-codec';

const LIMITS = { maxPixels: 1_000_000, maxPages: 5 };
/** A US Letter page at 144 dpi is 1224×1584 ≈ 1.9 M pixels; at 72 dpi 612×792. */
const PDF_LIMITS = { ...LIMITS, pdfDpi: 72 };

describe('sniffFormat', () => {
  it('recognises formats by magic bytes', async () => {
    assert.equal(sniffFormat(await solidPng(2, 2)), 'png');
    assert.equal(sniffFormat(await solidImage(2, 2).jpeg().toBuffer()), 'jpeg');
    assert.equal(sniffFormat(await solidImage(2, 2).webp().toBuffer()), 'webp');
    assert.equal(sniffFormat(await solidImage(2, 2).tiff().toBuffer()), 'tiff');
    assert.equal(sniffFormat(await solidImage(2, 2).gif().toBuffer()), 'gif');
    assert.equal(sniffFormat(encodeBmp({ width: 1, height: 1, bitsPerPixel: 24, pixels: [[[0, 0, 0]]] })), 'bmp');
    assert.equal(sniffFormat(Buffer.from('%PDF-1.7\n...')), 'pdf');
  });

  it('does not accept text, SVG or a bare "BM" prefix', () => {
    assert.equal(sniffFormat(Buffer.from('hello, world')), undefined);
    assert.equal(sniffFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
    assert.equal(sniffFormat(Buffer.from('BMW is a car brand, not a bitmap')), undefined);
  });
});

describe('checkPageSize', () => {
  it('rejects empty and oversized pages', () => {
    assert.throws(() => checkPageSize(0, 0, 10), (e: DomainError) => e.code === 'DOCUMENT_UNREADABLE');
    assert.throws(() => checkPageSize(4, 3, 10), (e: DomainError) => e.code === 'IMAGE_TOO_LARGE' && e.details?.width === 4);
    assert.doesNotThrow(() => checkPageSize(5, 2, 10));
  });
});

describe('decodeDocument', () => {
  it('decodes a PNG into one RGB PNG page', async () => {
    const [page, ...rest] = await decodeDocument(await solidPng(30, 20), LIMITS);
    assert.equal(rest.length, 0);
    assert.deepEqual([page.index, page.width, page.height], [0, 30, 20]);
    const info = await readImageInfo(page.png);
    assert.equal(info.format, 'png');
  });

  it('applies EXIF orientation', async () => {
    const [page] = await decodeDocument(await rotatedJpeg(40, 30), LIMITS);
    assert.deepEqual([page.width, page.height], [30, 40]);
  });

  it('returns every page of a multi-page TIFF', async () => {
    const pages = await decodeDocument(await multiPageTiff(3), LIMITS);
    assert.deepEqual(pages.map((p) => [p.index, p.width, p.height]), [[0, 60, 40], [1, 60, 40], [2, 60, 40]]);
  });

  it('decodes WebP and BMP', async () => {
    const [webp] = await decodeDocument(await solidImage(8, 6).webp().toBuffer(), LIMITS);
    assert.deepEqual([webp.width, webp.height], [8, 6]);
    const [bmp] = await decodeDocument(encodeBmp({ width: 2, height: 1, bitsPerPixel: 24, pixels: [[[255, 0, 0], [0, 0, 255]]] }), LIMITS);
    assert.deepEqual([bmp.width, bmp.height], [2, 1]);
  });

  it('answers 415 for formats it does not read, listing those it does', async () => {
    const error = await rejectsWithCode(decodeDocument(Buffer.from('just some text'), LIMITS), 'UNSUPPORTED_MEDIA_TYPE');
    assert.ok((error.details?.supported as string[]).includes('pdf'));
  });

  it('answers 422 for truncated, zero-size and empty input', async () => {
    const png = await solidPng(64, 64, '#123456');
    await rejectsWithCode(decodeDocument(png.subarray(0, png.length - 30), LIMITS), 'DOCUMENT_UNREADABLE');
    await rejectsWithCode(decodeDocument(pngWithHeader(0, 0), LIMITS), 'DOCUMENT_UNREADABLE');
    await rejectsWithCode(decodeDocument(Buffer.alloc(0), LIMITS), 'DOCUMENT_UNREADABLE');
  });

  it('answers 413 from the header of a decompression bomb, before decoding', async () => {
    const error = await rejectsWithCode(decodeDocument(pngWithHeader(100_000, 100_000), LIMITS), 'IMAGE_TOO_LARGE');
    assert.equal(error.details?.width, 100_000);
  });

  it('answers 413 when the pages exceed maxPages', async () => {
    await rejectsWithCode(decodeDocument(await multiPageTiff(3), { ...LIMITS, maxPages: 2 }), 'TOO_MANY_PAGES');
  });

  it('decodes the selected TIFF pages, keeping their document index', async () => {
    const pages = await decodeDocument(await multiPageTiff(4), LIMITS, { pages: '2,4' });
    assert.deepEqual(pages.map((p) => p.index), [1, 3]);
    await rejectsWithCode(decodeDocument(await solidPng(4, 4), LIMITS, { pages: '2' }), 'PAGES_OUT_OF_RANGE');
    await rejectsWithCode(decodeDocument(await solidPng(4, 4), LIMITS, { pages: 'first' }), 'INVALID_PAGES');
  });

  it('lets a selector bring a long TIFF under maxPages', async () => {
    const pages = await decodeDocument(await multiPageTiff(3), { ...LIMITS, maxPages: 2 }, { pages: '1-2' });
    assert.equal(pages.length, 2);
  });
});

describe('decodeDocument: PDF', () => {
  it('renders every page at the configured resolution, with text-layer words', async () => {
    const pages = await decodeDocument(textLayerPdf(), PDF_LIMITS);
    assert.deepEqual(pages.map((p) => [p.index, p.width, p.height]), [[0, 612, 792], [1, 612, 792], [2, 612, 792]]);
    assert.deepEqual(pages[1].textWords?.map((w) => w.text), ['Name:', 'Ann', 'Lee']);
  });

  it('decodes only the selected pages', async () => {
    const pages = await decodeDocument(textLayerPdf(), PDF_LIMITS, { pages: '3,1' });
    assert.deepEqual(pages.map((p) => p.index), [0, 2]);
  });

  it('answers 4xx for bad selectors, too many pages and oversized pages', async () => {
    await rejectsWithCode(decodeDocument(textLayerPdf(), PDF_LIMITS, { pages: '2-9' }), 'PAGES_OUT_OF_RANGE');
    await rejectsWithCode(decodeDocument(textLayerPdf(), PDF_LIMITS, { pages: '1-' + 'x' }), 'INVALID_PAGES');
    await rejectsWithCode(decodeDocument(textLayerPdf(), { ...PDF_LIMITS, maxPages: 2 }), 'TOO_MANY_PAGES');
    await rejectsWithCode(decodeDocument(textLayerPdf(), { ...PDF_LIMITS, pdfDpi: 144 }), 'IMAGE_TOO_LARGE');
  });

  it('answers 422 for a PDF without pages, an encrypted PDF and a corrupt one', async () => {
    await rejectsWithCode(decodeDocument(buildPdf([]), PDF_LIMITS), 'EMPTY_DOCUMENT');
    await rejectsWithCode(decodeDocument(buildPdf([{ texts: [{ text: 'x', x: 9, y: 9 }] }], { encrypted: true }), PDF_LIMITS), 'PDF_ENCRYPTED');
    await rejectsWithCode(decodeDocument(corruptPdf(), PDF_LIMITS), 'DOCUMENT_UNREADABLE');
  });
});
