import { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { assertError, bootApp, postDocument } from '../helpers/app';
import { multiPageTiff, renderFormPng } from '../helpers/fixtures';

interface PagesResponse {
  pages: Array<{ page: number; width: number; height: number; image: string }>;
  timings: { totalMs: number; decodeMs: number };
}

const pngOf = (dataUrl: string) => Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');

describe('POST /v1/pages: the pages as the models see them', () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await bootApp();
  });
  after(() => app?.close());

  it('answers a page as a PNG of the size every box refers to, and the next request on it skips decoding', async () => {
    const form = await renderFormPng(['Name: Ann Lee']);
    const response = await postDocument(app, '/v1/pages', form, {}, 'form.png');
    assert.equal(response.statusCode, 200, response.body);
    const { pages } = response.json() as PagesResponse;
    assert.equal(pages.length, 1);
    const metadata = await sharp(pngOf(pages[0].image)).metadata();
    assert.deepEqual([metadata.format, metadata.width, metadata.height], ['png', pages[0].width, pages[0].height]);

    const extract = (await postDocument(app, '/v1/extract', form, {}, 'form.png')).json() as { timings: { decodeMs: number }; pages: Array<{ width: number }> };
    assert.equal(extract.timings.decodeMs, 0, 'decoded pages came from the page cache');
    assert.equal(extract.pages[0].width, pages[0].width);
  });

  it('answers every selected page of a multi-page TIFF', async () => {
    const tiff = await multiPageTiff(3);
    const all = (await postDocument(app, '/v1/pages', tiff, {}, 'scan.tif')).json() as PagesResponse;
    assert.deepEqual(all.pages.map((page) => page.page), [1, 2, 3]);
    const some = (await postDocument(app, '/v1/pages', tiff, { pages: '2-3' }, 'scan.tif')).json() as PagesResponse;
    assert.deepEqual(some.pages.map((page) => page.page), [2, 3]);
  });

  it('refuses what the other endpoints refuse', async () => {
    assertError(await postDocument(app, '/v1/pages', Buffer.from('not a document'), {}, 'notes.txt'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await postDocument(app, '/v1/pages', await multiPageTiff(2), { pages: '5' }, 'scan.tif'), 400, 'PAGES_OUT_OF_RANGE');
  });
});
