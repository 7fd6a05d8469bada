import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Headless Chromium for browser tests, driven by playwright-core (which never downloads a browser):
 * the system's Debian `chromium` (`.ci/run` installs it when missing). Flags keep the browser from
 * talking to anything on its own (no background networking, component updates, sync or QUIC), so
 * any request a test sees came from the page.
 */
export const CHROMIUM_PATH = process.env['GCCGW_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (.ci/run does) or set GCCGW_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

/** What a page did while it loaded: console errors, failed and refused requests, every URL it asked for. */
export interface PageRecord {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
  readonly failedRequests: string[];
}

/**
 * Opens `url` in a fresh context that records console errors (CSP violations are reported there)
 * and every request; requests to any host other than the page's own are aborted, so nothing
 * leaves the machine even if the page tried.
 */
export async function openRecorded(browser: Browser, url: string): Promise<{ page: Page; record: PageRecord; close: () => Promise<void> }> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  const record: PageRecord = { consoleErrors: [], pageErrors: [], requests: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') record.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => record.pageErrors.push(error.message));
  page.on('requestfailed', (request) => record.failedRequests.push(request.url()));
  await context.route('**/*', async (route) => {
    const requested = route.request().url();
    record.requests.push(requested);
    if (requested.startsWith('data:') || new URL(requested).origin === origin) await route.continue();
    else await route.abort('blockedbyclient');
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, record, close: () => context.close() };
}
