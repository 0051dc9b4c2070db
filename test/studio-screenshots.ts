import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { REPO_ROOT } from './helpers/app';
import { launchChromium, openStudio, screenshot } from './helpers/browser';

/**
 * The README's Studio screenshots (docs/studio/), taken on the shipped models: a document analysed with a question
 * answered, a dataset's report, a tune in progress and its base-vs-tuned report, the tuned version activated.
 *
 *   npm run screenshots                                   a form drawn by render-documents (the committed ones)
 *   npm run screenshots -- --document <page> --out <dir>  any page, e.g. a FUNSD form (FUNSD stays out of git)
 *   npm run screenshots -- --analyse-only                 the first view only
 */

const ADMIN_KEY = 'screenshots-admin-key';
const QUESTION = 'What is the date?';
const CURVE_STEPS = 12;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { document: { type: 'string' }, out: { type: 'string' }, invoices: { type: 'string', default: '100' }, 'max-minutes': { type: 'string', default: '40' }, 'analyse-only': { type: 'boolean', default: false } } });
  const out = resolve(values.out ?? join(REPO_ROOT, 'docs', 'studio'));
  const work = mkdtempSync(join(tmpdir(), 'aetnet-screenshots-'));
  const document = values.document ? resolve(values.document) : renderForm(work);
  const datasetZip = join(work, 'invoices.zip');
  if (!values['analyse-only']) execFileSync('bash', [join(REPO_ROOT, 'scripts', 'invoice-fields-zip.sh'), datasetZip, values.invoices as string, '3'], { stdio: 'inherit' });
  const deadline = Date.now() + Number(values['max-minutes']) * 60_000;

  const app = await createApp(loadAppConfig({ ...process.env, AETNET_ADMIN_KEY: ADMIN_KEY, AETNET_DATA_DIR: join(work, 'var'), LOG_LEVEL: 'warn' }));
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const browser = await launchChromium();
  try {
    const { page } = await openStudio(browser, baseUrl, { width: 1440, height: 1100 });
    await page.setInputFiles('#document-file', document);
    await page.locator('#document-status').filter({ hasText: 'page(s) read' }).waitFor({ timeout: 300_000 });
    await page.fill('#question', QUESTION);
    await page.click('#ask-button');
    await page.locator('#answers li').first().waitFor({ timeout: 120_000 });
    console.log(`analysed ${document}: ${await page.locator('.entity-box').count()} entities; ${await page.locator('#answers li').first().textContent()}`);
    await page.locator('.entity-box').nth(3).hover();
    console.log(await screenshot(page, 'analyse', out));
    if (values['analyse-only']) return;

    await page.getByRole('tab', { name: 'Admin' }).click();
    await page.fill('#admin-key', ADMIN_KEY);
    await page.click('#admin-key-form button[type=submit]');
    await page.locator('#admin-panels').waitFor();
    await page.setInputFiles('#dataset-file', datasetZip);
    await page.selectOption('#dataset-format', 'jsonl');
    await page.fill('#dataset-name', 'invoice fields');
    await page.click('#dataset-upload');
    await page.waitForSelector('#datasets-table tr[data-dataset]', { timeout: 600_000 });

    await page.selectOption('#job-preset', 'mpnet6');
    await page.selectOption('#job-schedule', 'quick');
    await page.click('#job-start-button');
    // A tune in progress once a few steps of curves show; then its report when it has finished.
    const steps = async () => Number(((await page.locator('#job-percent').textContent()) ?? '').match(/step (\d+)/)?.[1] ?? 0);
    while ((await steps()) < CURVE_STEPS && Date.now() < deadline) {
      if (['failed', 'succeeded', 'cancelled'].includes((await page.locator('#job-state').textContent()) ?? '')) break;
      await page.waitForTimeout(2000);
    }
    await page.locator('#job-logs-details summary').click();
    console.log(`tuning at step ${await steps()}: ${await page.locator('#job-state').textContent()}`);
    console.log(await screenshot(page, 'tuning', out));
    await page.locator('#job-logs-details summary').click();
    await page.locator('#job-state').filter({ hasText: /^(cancelled|failed|succeeded)$/ }).waitFor({ timeout: Math.max(1000, deadline - Date.now()) });
    console.log(`tune ${await page.locator('#job-state').textContent()}: ${await page.locator('#job-stage').textContent()}`);
    console.log(await screenshot(page, 'report', out));
    const tuned = await page.locator('#models table[data-task="extract"] tr[data-model^="tuned-"]').first().getAttribute('data-model');
    await page.click(`#models button[data-activate="extract:${tuned}"]`);
    await page.waitForSelector(`#models table[data-task="extract"] tr.selected[data-model="${tuned}"]`);
    await page.locator('#models').scrollIntoViewIfNeeded();
    console.log(await screenshot(page, 'models', out));
  } finally {
    await browser.close();
    await app.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** One synthetic form (render-documents, fixed seed): the project's own page, free to show. */
function renderForm(work: string): string {
  const dir = join(work, 'form');
  execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'render-documents.js'), '--out', dir, '--per-class', '1', '--types', 'form', '--seed', '5', '--test-share', '0'], { stdio: 'ignore' });
  const images = join(dir, 'images', 'form');
  return join(images, readdirSync(images).sort()[0]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
