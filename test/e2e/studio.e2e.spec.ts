import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_AUTH, ADMIN_KEY } from '../helpers/admin';
import { bootApp } from '../helpers/app';
import { launchChromium, openStudio, screenshot, StudioSession, unexpectedConsoleErrors } from '../helpers/browser';
import { renderFormPng, TEXT_PDF_PAGES, textLayerPdf } from '../helpers/fixtures';
import { funsdEntries, sampleForms } from '../helpers/form-dataset';
import { buildZip } from '../helpers/zip';

/**
 * The Studio page in a real Chromium against the real service (test bundles, real OCR, a real trainer): what a
 * person does on it, step by step, with a screenshot of each view in test-results/studio/.
 */

const FORM_LINES = ['REGISTRATION FORM', 'Name: John Smith', 'Date: 2024-01-05', 'City: Springfield'];
const TUNE_MS = 240_000;

describe('Studio in a real browser', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aetnet-studio-'));
  const files = mkdtempSync(join(tmpdir(), 'aetnet-studio-files-'));
  let app: NestFastifyApplication;
  let browser: Browser;
  let session: StudioSession;
  let page: Page;
  let baseUrl: string;
  const screenshots: string[] = [];

  before(async () => {
    app = await bootApp({ AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: dataDir, AETNET_TUNING_MAX_SECONDS: '1000' });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    session = await openStudio(browser, baseUrl);
    page = session.page;
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  const entityCount = () => page.locator('.entity-box').count();

  it('is served by the service itself, with a CSP that allows no other origin', async () => {
    const response = await fetch(`${baseUrl}/studio`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal((await fetch(`${baseUrl}/studio/ui/nothing.js`)).status, 404);
    assert.equal(await page.title(), 'aetnet Studio');
    await page.getByRole('tab', { name: 'Analyse' }).waitFor();
  });

  it('analyses a form: the page, boxes coloured by label, legend toggles, hover, words, the class, timings, JSON and curl', async () => {
    const form = await renderFormPng(FORM_LINES);
    await page.setInputFiles('#document-file', { name: 'form.png', mimeType: 'image/png', buffer: form });
    await page.waitForSelector('#class-scores .top-class', { timeout: 60_000 });
    assert.equal(await page.locator('#pages figure.page').count(), 1);
    const shown = JSON.parse((await page.locator('#json-view').textContent()) ?? '{}');
    const entities = shown.extract.pages[0].entities as Array<{ label: string }>;
    assert.ok(entities.length > 0, 'the tiny model finds entities on the form');
    assert.equal(await entityCount(), entities.length, 'one box per entity');

    // Every box has its label's legend colour.
    const legend = await page.$$eval('#legend label', (labels) => labels.map((label) => [label.querySelector('input')?.dataset.label, label.ownerDocument.defaultView!.getComputedStyle(label).backgroundColor]));
    const fills = await page.$$eval('.entity-box', (boxes) => boxes.map((box) => [box.getAttribute('data-label'), box.ownerDocument.defaultView!.getComputedStyle(box).fill]));
    const legendColour = new Map(legend as Array<[string, string]>);
    for (const [label, fill] of fills) assert.equal(fill, legendColour.get(label), `box of ${label}`);

    // Toggling a label hides exactly its boxes; toggling back shows them.
    const [firstLabel] = legend[0] as [string, string];
    const ofLabel = entities.filter((entity) => entity.label === firstLabel).length;
    await page.locator(`#legend input[data-label="${firstLabel}"]`).uncheck();
    assert.equal(await entityCount(), entities.length - ofLabel);
    await page.locator(`#legend input[data-label="${firstLabel}"]`).check();
    assert.equal(await entityCount(), entities.length);

    await page.locator('.entity-box').first().hover();
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.match((await tooltip.textContent()) ?? '', /^[A-Z]+ · \d+\.\d % · \S/);

    // Key → value pairs: listed beside the page, each linked pair drawn as a line between its boxes.
    const pairs = shown.extract.pages[0].pairs as Array<{ valueIndex: number | null }>;
    assert.equal(await page.locator('#pair-list li').count(), pairs.length);
    assert.equal(await page.locator('.pair-line').count(), pairs.filter((pair) => pair.valueIndex !== null).length);
    assert.match((await page.locator('#pairs-from').textContent()) ?? '', /geometric rule/);

    await page.locator('#show-words').check();
    assert.equal(await page.locator('.word-box').count(), shown.extract.pages[0].words.length);
    await page.locator('#show-words').uncheck();

    assert.match((await page.locator('#class-scores .top-class').textContent()) ?? '', /^(invoice|letter|memo) · \d+\.\d %/);
    for (const request of ['pages', 'extract', 'classify']) assert.equal(await page.locator(`#timings tr[data-request="${request}"]`).count(), 1, request);
    const curl = (await page.locator('#curl-view').textContent()) ?? '';
    assert.match(curl, /\/v1\/extract' \\\n {2}-F 'file=@form\.png'/);
    screenshots.push(await screenshot(page, 'analyse'));
  });

  it('asks a question: the answer highlighted on its page with its confidence, and "no answer" as such', async () => {
    await page.fill('#question', 'What is the date?');
    await page.fill('#min-score', '0');
    await page.click('#ask-button');
    await page.waitForSelector('.answer-box', { timeout: 60_000 });
    const answer = page.locator('#answers li').first();
    assert.match((await answer.textContent()) ?? '', /^What is the date\? → .+ · \d+\.\d % · page 1$/);
    const box = await page.locator('.answer-box').first().boundingBox();
    const pageBox = await page.locator('#pages figure.page').first().boundingBox();
    assert.ok(box && pageBox && box.x >= pageBox.x && box.y >= pageBox.y && box.x + box.width <= pageBox.x + pageBox.width + 1, 'the highlight lies on the page');
    screenshots.push(await screenshot(page, 'ask'));

    await page.fill('#min-score', '1');
    await page.click('#ask-button');
    await page.waitForSelector('#answers li.no-answer');
    assert.match((await page.locator('#answers li').first().textContent()) ?? '', /no answer/);
    assert.equal(await page.locator('.answer-box').count(), 0);
    assert.match((await page.locator('#curl-view').textContent()) ?? '', /-F 'minScore=1'/);
  });

  it('shows a refused file’s code and message next to the file, and nothing else changes', async () => {
    const before = { entities: await entityCount(), image: await page.locator('#pages img').first().getAttribute('src') };
    await page.setInputFiles('#document-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a document') });
    const error = page.locator('#document-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /^[A-Z_]+: \S/);
    assert.match((await error.textContent()) ?? '', /UNSUPPORTED_MEDIA_TYPE/);
    assert.equal(await entityCount(), before.entities);
    assert.equal(await page.locator('#pages img').first().getAttribute('src'), before.image);
  });

  it('shows every page of a PDF, each with its own boxes', async () => {
    await page.setInputFiles('#document-file', { name: 'pages.pdf', mimeType: 'application/pdf', buffer: textLayerPdf() });
    await page.locator('#document-status').filter({ hasText: `pages.pdf: ${TEXT_PDF_PAGES.length} page(s) read` }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#pages figure.page').count(), TEXT_PDF_PAGES.length);
    assert.equal(await page.locator('#document-error').isHidden(), true, 'a good file clears the previous error');
    const shown = JSON.parse((await page.locator('#json-view').textContent()) ?? '{}');
    for (const [index, extracted] of (shown.extract.pages as Array<{ entities: unknown[] }>).entries()) {
      assert.equal(await page.locator(`figure.page[data-page="${index + 1}"] .entity-box`).count(), extracted.entities.length);
    }
  });

  it('refuses a wrong admin key with a clear message and does not retry it', async () => {
    await page.getByRole('tab', { name: 'Admin' }).click();
    const adminRequests: string[] = [];
    page.on('request', (request) => request.url().includes('/admin/') && adminRequests.push(request.url()));
    await page.fill('#admin-key', 'wrong-key');
    await page.click('#admin-key-form button[type=submit]');
    const error = page.locator('#admin-key-error');
    await error.waitFor({ state: 'visible' });
    assert.match((await error.textContent()) ?? '', /^UNAUTHORIZED: The key is not valid/);
    await page.waitForTimeout(1500);
    assert.equal(adminRequests.length, 1, `one check, no retry loop: ${adminRequests.join(', ')}`);
    assert.equal(await page.locator('#admin-panels').isHidden(), true);
  });

  it('uploads a dataset and shows its report; a broken one lists its problems by file and field', async () => {
    await page.fill('#admin-key', ADMIN_KEY);
    await page.click('#admin-key-form button[type=submit]');
    await page.locator('#admin-panels').waitFor({ state: 'visible' });

    const broken = join(files, 'broken.zip');
    const bad = { form: [{ id: 0, label: 'question', text: 'Name:', box: [1, 2, 3], words: [{ text: 'Name:', box: [1, 2, 3] }], linking: [[0, 7]] }] };
    const entries = funsdEntries((await sampleForms()).slice(0, 2));
    writeFileSync(broken, await buildZip([...entries, { name: 'images/bad.png', data: await renderFormPng(['Name:']), compress: false }, { name: 'annotations/bad.json', data: JSON.stringify(bad) }]));
    await page.setInputFiles('#dataset-file', broken);
    await page.click('#dataset-upload');
    await page.locator('#dataset-error').waitFor({ state: 'visible' });
    assert.match((await page.locator('#dataset-error').textContent()) ?? '', /^DATASET_INVALID: /);
    const problems = (await page.locator('#dataset-report ul[aria-label="Problems by file"]').textContent()) ?? '';
    assert.match(problems, /annotations\/bad\.json/);
    assert.match(problems, /error in \S+/);

    const good = join(files, 'forms.zip');
    writeFileSync(good, await buildZip(funsdEntries(await sampleForms())));
    await page.setInputFiles('#dataset-file', good);
    await page.fill('#dataset-name', 'sample forms');
    await page.fill('#dataset-eval-split', '0.25');
    await page.click('#dataset-upload');
    await page.waitForSelector('#datasets-table tr[data-dataset]');
    assert.equal(await page.locator('#dataset-error').isHidden(), true);
    assert.match((await page.locator('#dataset-report').textContent()) ?? '', /sample forms: 4 documents, 4 pages \(train 3, held out 1\)/);
    screenshots.push(await screenshot(page, 'admin-datasets'));
  });

  it('runs a tiny tune from the form to succeeded through a dropped stream, with curves, ETA, logs and base vs tuned', async () => {
    // The first event stream is cut after a heartbeat, as a proxy would; the page must reconnect and carry on.
    const streams: string[] = [];
    await page.route('**/admin/tuning-jobs/*/events', async (route) => {
      streams.push(route.request().url());
      if (streams.length === 1) await route.fulfill({ status: 200, contentType: 'text/event-stream', body: ': heartbeat\n\n' });
      else await route.continue();
    });
    await page.selectOption('#job-base', 'tiny-extract');
    await page.selectOption('#job-preset', 'tiny');
    await page.selectOption('#job-schedule', 'full');
    await page.selectOption('#job-alignment', 'code-funsd');
    await page.fill('#job-epochs', '1');
    await page.fill('#job-max-steps', '3');
    await page.fill('#job-batch', '1');
    await page.fill('#job-lr', '0.001');
    await page.click('#job-start-button');
    await page.locator('#job-detail').waitFor({ state: 'visible' });
    await page.locator('#job-state').filter({ hasText: /^(succeeded|failed|cancelled)$/ }).waitFor({ timeout: TUNE_MS });
    assert.equal(await page.locator('#job-state').textContent(), 'succeeded', (await page.locator('#job-stage').textContent()) ?? '');
    assert.ok(streams.length >= 2, `reconnected after the drop (${streams.length} stream(s))`);

    const series = await page.$$eval('#loss-chart polyline', (lines) => lines.map((line) => line.getAttribute('data-series')));
    assert.deepEqual([...series].sort(), ['ditc', 'glitc', 'imc', 'pita', 'task', 'total']);
    assert.equal(await page.locator('#lr-chart polyline').count(), 1);
    assert.match((await page.locator('#job-percent').textContent()) ?? '', /^100 % · step 3\/3/);
    assert.ok((await page.locator('#job-report tr[data-metric="f1"]').count()) === 1, 'base vs tuned F1');
    await page.locator('#job-logs-details summary').click();
    assert.match((await page.locator('#job-logs').textContent()) ?? '', /train: python/);
    screenshots.push(await screenshot(page, 'tuning'));
    await page.unroute('**/admin/tuning-jobs/*/events');
  });

  it('activates the tuned version and rolls back to the shipped one', async () => {
    const tuned = await page.$$eval('#models table[data-task="extract"] tr[data-model]', (rows) => rows.map((row) => row.getAttribute('data-model')).find((id) => id?.startsWith('tuned-extract-tiny-')));
    assert.ok(tuned, 'the tuned model is listed');
    await page.click(`#models button[data-activate="extract:${tuned}"]`);
    await page.waitForSelector(`#models table[data-task="extract"] tr.selected[data-model="${tuned}"]`);
    const active = await app.inject({ method: 'GET', url: '/admin/models', headers: ADMIN_AUTH });
    assert.equal(active.json().tasks.find((task: { task: string }) => task.task === 'extract').active, tuned);
    screenshots.push(await screenshot(page, 'models'));

    await page.click('#models button[data-rollback="extract"]');
    await page.waitForSelector('#models table[data-task="extract"] tr.selected[data-model="tiny-extract"]');
  });

  it('keeps controls labelled and reachable by keyboard', async () => {
    const unlabelled = await page.$$eval('input, select, button, textarea', (controls) =>
      controls
        .filter((control) => {
          const element = control as typeof control & { labels?: { length: number } | null };
          const named = (element.labels?.length ?? 0) > 0 || element.getAttribute('aria-label') || (control.tagName === 'BUTTON' && control.textContent?.trim());
          return !named;
        })
        .map((control) => control.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, []);
    await page.getByRole('tab', { name: 'Analyse' }).click();
    const focusedId = () => page.evaluate<string>('document.activeElement?.id ?? ""');
    const reached = new Set<string>([await focusedId()]);
    for (let press = 0; press < 60 && !reached.has('question'); press++) {
      await page.keyboard.press('Tab');
      reached.add(await focusedId());
    }
    for (const id of ['tab-analyse', 'api-key', 'document-file', 'show-words', 'question']) assert.ok(reached.has(id), `Tab reaches #${id}: ${[...reached].join(' ')}`);
  });

  it('made no request outside the service and logged no unexpected console error; saved a screenshot of each view', () => {
    assert.deepEqual(session.outsideRequests, []);
    assert.deepEqual(unexpectedConsoleErrors(session.consoleErrors), []);
    assert.equal(screenshots.length, 5);
    for (const path of screenshots) assert.ok(statSync(path).size > 10_000, path);
  });
});
