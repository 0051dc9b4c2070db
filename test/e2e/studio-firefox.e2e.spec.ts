import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser } from 'puppeteer-core';
import { ADMIN_KEY } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { unexpectedConsoleErrors } from '../helpers/browser';
import { FirefoxStudio, launchFirefox, openStudioInFirefox } from '../helpers/firefox';
import { renderFormPng } from '../helpers/fixtures';

/** The Studio in Firefox too: the same page works there (the Chromium spec walks every view in depth). */
describe('Studio in Firefox', () => {
  const files = mkdtempSync(join(tmpdir(), 'aetnet-studio-firefox-'));
  let app: NestFastifyApplication;
  let browser: Browser;
  let studio: FirefoxStudio;

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY });
    await app.listen(0, '127.0.0.1');
    browser = await launchFirefox();
    studio = await openStudioInFirefox(browser, `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('analyses a form, draws its boxes and highlights an answer', async () => {
    const { page } = studio;
    const form = join(files, 'form.png');
    writeFileSync(form, await renderFormPng(['REGISTRATION FORM', 'Name: John Smith', 'Date: 2024-01-05']));
    // An <input type=file> handle (typed as such only with the DOM library, which the tests do not load).
    const input = (await page.$('#document-file')) as unknown as { uploadFile(...paths: string[]): Promise<void> };
    await input.uploadFile(form);
    await page.waitForSelector('#class-scores .top-class', { timeout: 60_000 });
    assert.ok((await page.$$('.entity-box')).length > 0);
    await page.type('#question', 'What is the date?');
    await page.type('#min-score', '0');
    await page.click('#ask-button');
    await page.waitForSelector('.answer-box', { timeout: 60_000 });
    assert.match((await page.$eval('#answers li', (item) => item.textContent)) ?? '', /^What is the date\? → .+ · page 1$/);
  });

  it('unlocks the admin view and lists the model versions', async () => {
    const { page } = studio;
    await page.click('#tab-admin');
    await page.type('#admin-key', ADMIN_KEY);
    await page.click('#admin-key-form button[type=submit]');
    await page.waitForSelector('#models table[data-task="extract"] tr[data-model="tiny-extract"]', { timeout: 30_000 });
    assert.deepEqual(unexpectedConsoleErrors(studio.consoleErrors), []);
  });
});
