import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import puppeteer, { Browser, Page } from 'puppeteer-core';

/**
 * The only file that imports puppeteer-core: it drives Debian's Firefox ESR over WebDriver BiDi (Playwright needs
 * its own patched Firefox, which cannot be downloaded here). scripts/install.sh installs firefox-esr when it may;
 * AETNET_FIREFOX names another binary.
 */

export const FIREFOX_PATH = process.env.AETNET_FIREFOX || '/usr/bin/firefox-esr';

export async function launchFirefox(): Promise<Browser> {
  assert.ok(existsSync(FIREFOX_PATH), `no Firefox at ${FIREFOX_PATH}: run scripts/install.sh as root (Debian's firefox-esr) or set AETNET_FIREFOX`);
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true });
}

export interface FirefoxStudio {
  page: Page;
  consoleErrors: string[];
}

export async function openStudioInFirefox(browser: Browser, baseUrl: string): Promise<FirefoxStudio> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${(error as Error).message}`));
  await page.goto(`${baseUrl}/studio`);
  return { page, consoleErrors };
}
