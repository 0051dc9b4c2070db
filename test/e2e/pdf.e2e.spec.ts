import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertError, bootApp, postDocument, TINY_EXTRACT_BUNDLE } from '../helpers/app';
import { buildPdf, corruptPdf, scannedPdf, TEXT_PDF_PAGES, textLayerPdf } from '../helpers/fixtures';

const needsModel = existsSync(TINY_EXTRACT_BUNDLE) ? {} : { skip: 'test/fixtures/bundles/tiny-extract is not exported yet' };
const MAX_PAGES = 3;

interface ExtractBody {
  pages: Array<{
    page: number;
    width: number;
    height: number;
    words: Array<{ text: string; box: [number, number, number, number]; label: string }>;
    timings: { ocrMs: number; modelMs: number };
  }>;
}

describe('POST /v1/extract with PDFs', needsModel, () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp({ AETNET_MAX_PAGES: String(MAX_PAGES) });
  });
  after(() => app?.close());

  const upload = (data: Buffer, fields: Record<string, string> = {}) => postDocument(app, '/v1/extract', data, fields, 'doc.pdf');

  it('reads the words of a text-layer PDF from the PDF, not OCR, page by page', async () => {
    const response = await upload(textLayerPdf());
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as ExtractBody;
    assert.deepEqual(body.pages.map((page) => [page.page, page.width, page.height]), [[1, 1224, 1584], [2, 1224, 1584], [3, 1224, 1584]]);
    body.pages.forEach((page, i) => {
      assert.deepEqual(page.words.map((word) => word.text).join(' '), TEXT_PDF_PAGES[i].map((line) => line.text).join(' '));
      assert.equal(page.timings.ocrMs, 0);
    });
    // Page 2's line was drawn at (100 pt, 500 pt from the bottom): 200 px from the left, baseline 584 px from the top.
    const [name] = body.pages[1].words;
    assert.ok(Math.abs(name.box[0] - 200) <= 4 && name.box[1] < 584 && name.box[3] > 584, `box ${name.box}`);
  });

  it('decodes only the pages selected by "pages" (multipart and JSON)', async () => {
    const multipartResponse = await upload(textLayerPdf(), { pages: '2-3' });
    assert.equal(multipartResponse.statusCode, 200, multipartResponse.body);
    assert.deepEqual((multipartResponse.json() as ExtractBody).pages.map((page) => page.page), [2, 3]);

    const jsonResponse = await app.inject({ method: 'POST', url: '/v1/extract', payload: { document: textLayerPdf().toString('base64'), pages: '3' } });
    assert.equal(jsonResponse.statusCode, 200, jsonResponse.body);
    assert.deepEqual((jsonResponse.json() as ExtractBody).pages.map((page) => page.page), [3]);
  });

  it('reads client words by document page under a selector: unselected pages ignored, pages past the end refused', async () => {
    const pageThree = [
      { text: 'Client', box: [100, 100, 220, 130] },
      { text: 'words', box: [230, 100, 330, 130] },
    ];
    const words = JSON.stringify([
      { page: 1, words: [{ text: 'ignored', box: [10, 10, 90, 40] }] },
      { page: 3, words: pageThree },
    ]);
    const response = await upload(textLayerPdf(), { pages: '2-3', words });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as ExtractBody;
    assert.deepEqual(
      body.pages.map((page) => [page.page, page.words.map((word) => word.text)]),
      [[2, []], [3, ['Client', 'words']]],
      'client words replace the text layer; page 2 has no entry, so no words',
    );
    assert.deepEqual(body.pages[1].words[0].box, [100, 100, 220, 130]);

    const beyond = await upload(textLayerPdf(), { pages: '2-3', words: JSON.stringify([{ page: 4, words: pageThree }]) });
    assert.equal(assertError(beyond, 400, 'INVALID_WORDS').page, 4);
  });

  it('renders a scanned PDF and reads it with OCR', async () => {
    const response = await upload(await scannedPdf([['Name: Ann Lee', 'Date: 2024-01-05']]));
    assert.equal(response.statusCode, 200, response.body);
    const [page] = (response.json() as ExtractBody).pages;
    assert.deepEqual([page.width, page.height], [1224, 1584]);
    assert.ok(page.timings.ocrMs > 0);
    const text = page.words.map((word) => word.text).join(' ');
    assert.match(text, /Ann/);
    assert.match(text, /2024/);
  });

  it('answers 4xx for bad selectors and page limits', async () => {
    assertError(await upload(textLayerPdf(), { pages: '1-2-3' }), 400, 'INVALID_PAGES');
    assertError(await upload(textLayerPdf(), { pages: '4' }), 400, 'PAGES_OUT_OF_RANGE');
    const fourPages = textLayerPdf([...TEXT_PDF_PAGES, TEXT_PDF_PAGES[0]]);
    assertError(await upload(fourPages), 413, 'TOO_MANY_PAGES');
    assert.equal((await upload(fourPages, { pages: '4' })).statusCode, 200);
  });

  it('answers 422 for encrypted, corrupt and page-less PDFs', async () => {
    assertError(await upload(buildPdf([{ texts: [{ text: 'secret', x: 72, y: 700 }] }], { encrypted: true })), 422, 'PDF_ENCRYPTED');
    assertError(await upload(corruptPdf()), 422, 'DOCUMENT_UNREADABLE');
    assertError(await upload(buildPdf([])), 422, 'EMPTY_DOCUMENT');
  });
});
