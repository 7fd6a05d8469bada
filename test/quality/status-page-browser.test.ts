import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { JOIN_QUERY, postGraphQL, startTestGateway } from '../support/gateway-harness.js';
import { launchChromium, openRecorded } from '../support/headless-chromium.js';

/**
 * The status page in headless Chromium, in both languages: it renders under its Content-Security-
 * Policy without a single console error (a CSP violation is one), every request stays on the
 * gateway's own origin on localhost, the stylesheet applies (charts coloured, Arabic mirrored) and
 * the language switch works.
 */
type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

let gateway: Gateway;
let browser: Browser;

beforeAll(async () => {
  gateway = await startTestGateway({
    quality: {
      probes: [{ service: 'mawared', query: 'query ProbeMawared { governmentEntity(state: QA, code: "MOF") { code } }', intervalSeconds: 3600, timeoutMillis: 3000 }],
      cloudHealthIncidents: { enabled: true, refreshSeconds: 3600 },
    },
  });
  await gateway.quality.probes?.runOnce();
  await gateway.quality.incidents?.refresh();
  for (let i = 0; i < 3; i++) await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: { state: 'QA', code: 'MOF', month: '2026-10' } });
  gateway.quality.invalidate();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe('the status page in a browser', () => {
  it('renders in English with no console error, and every request stays on the gateway on localhost', async () => {
    const { page, record, close } = await openRecorded(browser, `${gateway.baseUrl}/status`);
    try {
      expect(record.consoleErrors).toEqual([]);
      expect(record.pageErrors).toEqual([]);
      expect(record.failedRequests).toEqual([]);
      expect(record.requests.length).toBeGreaterThanOrEqual(2);
      for (const url of record.requests) expect(new URL(url).hostname).toMatch(/^(127\.0\.0\.1|localhost|\[::1\])$/);
      expect(record.requests.map((url) => new URL(url).pathname)).toEqual(expect.arrayContaining(['/status', '/status/status.css']));

      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['en', 'ltr']);
      expect(await page.textContent('h1')).toBe('Service status');
      // The default objectives: the gateway end to end, Mawared, the government cloud; six charts each.
      expect(await page.locator('article.service').count()).toBe(3);
      expect(await page.locator('svg.chart').count()).toBe(18);
      expect(await page.locator('li.incident.severity-warning, li.incident.severity-information, li.incident.severity-outage').count()).toBeGreaterThanOrEqual(3);
      // The stylesheet applied: bars of a healthy hour are green, badges white on colour.
      const fill = await page.locator('#chart-mawared-availability-24h rect.bar.ok').last().evaluate((bar) => getComputedStyle(bar).fill);
      expect(fill).toBe('rgb(31, 122, 70)');
      expect(await page.locator('.badge').first().evaluate((badge) => getComputedStyle(badge).color)).toBe('rgb(255, 255, 255)');
    } finally {
      await close();
    }
  });

  it('switches to Arabic, right to left, mirrored, again without a console error', async () => {
    const { page, record, close } = await openRecorded(browser, `${gateway.baseUrl}/status`);
    try {
      await Promise.all([page.waitForURL(/\/status\?lang=ar$/), page.click('a.lang')]);
      await page.waitForLoadState('load');
      expect(record.consoleErrors).toEqual([]);
      expect(record.pageErrors).toEqual([]);
      expect(record.failedRequests).toEqual([]);
      for (const url of record.requests) expect(new URL(url).origin).toBe(new URL(gateway.baseUrl).origin);
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
      expect(await page.textContent('h1')).toBe('حالة الخدمات');
      // Mirrored: the language switch sits at the start of the header, which in Arabic is the left.
      const width = page.viewportSize()?.width ?? 1280;
      const switchBox = await page.locator('a.lang').boundingBox();
      const brandBox = await page.locator('header .brand').boundingBox();
      expect(switchBox!.x).toBeLessThan(width / 2);
      expect(brandBox!.x).toBeGreaterThan(width / 2);
      expect(await page.textContent('a.lang')).toBe('English');
      expect(await page.locator('svg.chart').count()).toBe(18);
    } finally {
      await close();
    }
  });
});
