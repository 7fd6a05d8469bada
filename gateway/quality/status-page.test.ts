import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QualityStore, MINUTE_MILLIS } from './quality-store.js';
import { computeQualityStatus, type QualityStatus } from './service-status.js';
import { renderStatusPage } from './status-page.js';

const NOW = Date.UTC(2026, 10, 22, 12, 30);
let dir: string;
let status: QualityStatus;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-status-page-'));
  let now = NOW - 20 * MINUTE_MILLIS;
  const store = QualityStore.open({ dir, now: () => now });
  for (let i = 0; i < 200; i++) store.record({ service: 'mawared', state: 'QA', class: i < 3 ? 'failure' : 'success', latencyMillis: 30 + (i % 10) * 20, codes: [] });
  now = NOW;
  status = computeQualityStatus({
    slos: [{ service: 'mawared', availabilityTarget: 0.995, latencyP95TargetMillis: 800, errorBudgetPeriodDays: 30 }],
    probedServices: ['mawared'],
    titles: { mawared: { en: 'Mawared <HR> & "finance"', ar: 'موارد <للموارد البشرية>' } },
    store,
    probes: () => [{ service: 'mawared', at: NOW - 1000, ok: true, latencyMillis: 8, codes: [] }],
    feedback: () => [],
    cloudHealth: {
      enabled: true,
      service: 'mawared',
      events: [{ id: 'she-1', region: 'qa-central-1', serviceKind: 'COMPUTE', severity: 'WARNING', title: { en: 'Slow <b>disks</b>', ar: 'بطء في الأقراص' }, startedAt: '2026-11-22T06:00:00Z' }],
      refreshedAt: NOW,
      lastError: undefined,
    },
    now,
  });
  store.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the status page', () => {
  it('is English left to right with a link to the Arabic page, and Arabic right to left with a link back', () => {
    const en = renderStatusPage(status, 'en');
    expect(en).toContain('<html lang="en" dir="ltr">');
    expect(en).toContain('<a class="lang" href="status?lang=ar" hreflang="ar" lang="ar">العربية</a>');
    const ar = renderStatusPage(status, 'ar');
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('href="status?lang=en"');
    expect(ar).toContain('حالة الخدمات');
    expect(ar).toContain('بطء في الأقراص');
  });

  it('has no script, no inline style and nothing from another origin, so the strict CSP holds', () => {
    for (const html of [renderStatusPage(status, 'en'), renderStatusPage(status, 'ar')]) {
      // One class attribute per element (a second one would be ignored by the browser).
      expect(html).not.toMatch(/class="[^"]*"\s+class=/);
      expect(html).not.toMatch(/<script|\sstyle=|<style|javascript:|\son[a-z]+=/i);
      const urls = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.filter((url) => url !== undefined && /^[a-z]+:|^\/\//i.test(url))).toEqual([]);
    }
  });

  it('escapes names and incident titles', () => {
    const html = renderStatusPage(status, 'en');
    expect(html).toContain('Mawared &#60;HR&#62; &#38; &#34;finance&#34;');
    expect(html).toContain('Slow &#60;b&#62;disks&#60;/b&#62;');
    expect(html).not.toContain('<b>disks');
  });

  it('draws availability and p95 charts for 24 hours, 7 days and 30 days as labelled inline SVG', () => {
    const html = renderStatusPage(status, 'en');
    const charts = [...html.matchAll(/<svg class="chart" id="([^"]+)"[^>]*role="img" aria-labelledby="([^"]+)"/g)];
    expect(charts.map((m) => m[1])).toEqual([
      'chart-mawared-availability-24h',
      'chart-mawared-availability-7d',
      'chart-mawared-availability-30d',
      'chart-mawared-latency-24h',
      'chart-mawared-latency-7d',
      'chart-mawared-latency-30d',
    ]);
    // 24 hourly bars; the current hour has the 200 calls, 3 failed: 98.5 %, below the 99.5 % objective.
    const day = html.slice(html.indexOf('id="chart-mawared-availability-24h"'), html.indexOf('id="chart-mawared-availability-7d"'));
    expect(day.match(/<rect class="bar /g)).toHaveLength(24);
    expect(day).toContain('<rect class="bar bad"');
    expect(day).toContain('2026-11-22 12:00 UTC: 98.50 % (200 / 3)');
  });

  it('shows the objective, the windows and the error budget left', () => {
    const html = renderStatusPage(status, 'en');
    expect(html).toMatch(/Availability <span class="ltr">≥ 99\.50 %<\/span>, <span class="ltr">p95 ≤ 800 ms<\/span>/);
    // 200 calls, 3 failures against 99.5 %: 1 failure allowed, spent three times over.
    expect(html).toContain('<span class="budget ltr bad">-200.0 %</span>');
    expect(html).toMatch(/<th scope="row">last 24 hours<\/th><td class="num">200<\/td><td class="num">3<\/td><td class="num bad">98\.50 %/);
  });
});
