import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { REPO_ROOT } from './app';

/**
 * The only file that imports playwright-core. It drives Debian's Chromium (scripts/install.sh installs it when it
 * may; AETNET_CHROMIUM names another binary): Playwright's own browser download cannot work here.
 */

export const CHROMIUM_PATH = process.env.AETNET_CHROMIUM || '/usr/bin/chromium';

/** Where a test run leaves its screenshots (not committed; docs/studio/ holds the README's). */
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'test-results', 'studio');

export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM_PATH), `no Chromium at ${CHROMIUM_PATH}: run scripts/install.sh as root (Debian's chromium) or set AETNET_CHROMIUM`);
  // As root, Chromium refuses to start with its sandbox; the page under test is our own.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface StudioSession {
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  consoleErrors: string[];
  /** Every URL the page requested that is not on the service (should stay empty: no CDN). */
  outsideRequests: string[];
}

export async function openStudio(browser: Browser, baseUrl: string, viewport = { width: 1400, height: 1000 }): Promise<StudioSession> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const session: StudioSession = { page, consoleErrors: [], outsideRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') session.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => session.consoleErrors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('data:')) session.outsideRequests.push(url);
  });
  await page.goto(`${baseUrl}/studio`);
  return session;
}

/** A browser logs each 4xx answer as a failed resource; those are the bad-input steps' own doing. */
export const unexpectedConsoleErrors = (errors: readonly string[]): string[] =>
  errors.filter((text) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(text));

export async function screenshot(page: Page, name: string, dir = SCREENSHOTS_DIR): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
