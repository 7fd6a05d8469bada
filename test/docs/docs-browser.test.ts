/**
 * The documentation site and the explorer in headless Chromium, as an integrator meets them: the
 * docs pages in English and Arabic (right to left) render under their Content-Security-Policy with
 * no console error and no request leaving the gateway on localhost; the explorer (GraphiQL, served
 * offline) runs its first example against the gateway and shows the data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startTestGateway } from '../support/gateway-harness.js';
import { launchChromium, openRecorded, type PageRecord } from '../support/headless-chromium.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

let gateway: Gateway;
let browser: Browser;

beforeAll(async () => {
  gateway = await startTestGateway();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

function expectClean(record: PageRecord): void {
  expect(record.consoleErrors).toEqual([]);
  expect(record.pageErrors).toEqual([]);
  expect(record.failedRequests).toEqual([]);
  for (const url of record.requests) {
    if (!url.startsWith('data:')) expect(new URL(url).hostname).toMatch(/^(127\.0\.0\.1|localhost|\[::1\])$/);
  }
}

const PAGES = ['index.html', 'guides/signing-requests.html', 'guides/events.html', 'events.html', 'errors.html', 'schema/index.html'];

describe('the docs site in a browser', () => {
  for (const language of ['en', 'ar'] as const) {
    for (const path of PAGES) {
      it(`renders /docs/${language}/${path} with no console error and nothing leaving localhost`, async () => {
        const { page, record, close } = await openRecorded(browser, `${gateway.baseUrl}/docs/${language}/${path}`);
        try {
          expectClean(record);
          expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([language, language === 'ar' ? 'rtl' : 'ltr']);
          expect((await page.textContent('h1'))?.trim().length).toBeGreaterThan(0);
          // The language switch leads to the same page in the other language.
          const other = language === 'en' ? 'ar' : 'en';
          expect(await page.locator(`a[href$="${other}/${path}"], a[hreflang="${other}"]`).count()).toBeGreaterThan(0);
        } finally {
          await close();
        }
      });
    }
  }
});

describe('the explorer in a browser', () => {
  it('runs the first example against the gateway and shows the data', async () => {
    const { page, record, close } = await openRecorded(browser, `${gateway.baseUrl}/`);
    try {
      await page.waitForSelector('.graphiql-execute-button', { timeout: 30_000 });

      await page.click('.graphiql-execute-button');
      await page.waitForFunction(() => (document.querySelector('.graphiql-response')?.textContent ?? '').includes('Ministry of Finance'), undefined, { timeout: 30_000 });
      const shown = await page.textContent('.graphiql-response');
      expect(shown).toContain('"governmentEntity"');
      expect(shown).not.toContain('"errors"');
      expectClean(record);
      expect(record.requests.some((url) => new URL(url).pathname === '/graphql')).toBe(true);
    } finally {
      await close();
    }
  }, 90_000);
});
