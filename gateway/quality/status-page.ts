import { escapeHtml } from './html-escape.js';
import type { Incident, QualityStatus, ServiceState, ServiceStatus, SloStatus, WindowName } from './service-status.js';
import { renderBarChart } from './status-chart.js';
import { MEMBER_STATE_NAMES, t, type Language, type StringKey } from './status-strings.js';

/** The page's stylesheet, served beside it (`/status/status.css`) so no inline style is needed. */
export const STATUS_STYLESHEET_PATH = 'status/status.css';
/** Its icon, served beside it: without one the browser asks for /favicon.ico and logs the 404. */
export const STATUS_ICON_PATH = 'status/icon.svg';
export const STATUS_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#0b5d4b"/><path d="M4 8.5l2.5 2.5L12 5.5" stroke="#fff" stroke-width="2" fill="none"/></svg>';

const WINDOW_LABEL: Record<WindowName, StringKey> = { '24h': 'w24h', '7d': 'w7d', '30d': 'w30d' };
const WINDOW_NAMES: readonly WindowName[] = ['24h', '7d', '30d'];

/**
 * The status page, server-rendered HTML in English or Arabic (right to left, with a link to the
 * other language). No script and no inline style: the Content-Security-Policy of /status allows
 * only its own stylesheet. It refreshes itself once a minute with a meta refresh, which needs no
 * script.
 */
export function renderStatusPage(status: QualityStatus, language: Language): string {
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const other: Language = language === 'en' ? 'ar' : 'en';
  const text = (key: StringKey): string => escapeHtml(t(key, language));
  const services = status.services.map((service) => renderService(service, language)).join('\n');
  return `<!doctype html>
<html lang="${language}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>${text('title')} · ${text('siteName')}</title>
<link rel="stylesheet" href="${STATUS_STYLESHEET_PATH}">
<link rel="icon" href="${STATUS_ICON_PATH}" type="image/svg+xml">
<link rel="alternate" hreflang="${other}" href="status?lang=${other}">
<link rel="alternate" type="application/json" href="status.json">
</head>
<body>
<header class="site">
<span class="brand">${text('siteName')}</span>
<h1>${text('title')}</h1>
<a class="lang" href="status?lang=${other}" hreflang="${other}" lang="${other}">${escapeHtml(t('otherLanguage', language))}</a>
</header>
<main id="content">
<p class="intro">${text('intro')}</p>
<section class="overall state-${status.overall}" aria-live="polite">
<h2>${text('overall')}: <span class="badge state-${status.overall}">${escapeHtml(stateLabel(status.overall, language))}</span></h2>
<p class="muted">${text('generatedAt')}: <span class="ltr">${escapeHtml(formatTime(status.generatedAt))}</span> · <a href="status.json">${text('machineReadable')}</a></p>
</section>
<section class="incidents">
<h2>${text('incidents')}</h2>
${renderIncidents(status.incidents, status.services, language)}
</section>
<section class="services">
<h2>${text('services')}</h2>
${services}
</section>
<p class="muted definitions">${text('definitions')}</p>
</main>
</body>
</html>
`;
}

function renderIncidents(incidents: readonly Incident[], services: readonly ServiceStatus[], language: Language): string {
  if (incidents.length === 0) return `<p>${escapeHtml(t('noIncidents', language))}</p>`;
  const titleOf = (service: string): string => services.find((s) => s.service === service)?.title[language] ?? service;
  const items = incidents.map((incident) => {
    const severity = incident.severity === 'outage' ? 'severityOutage' : incident.severity === 'warning' ? 'severityWarning' : 'severityInformation';
    const region = incident.region !== undefined ? ` · ${escapeHtml(t('region', language))} <span class="ltr">${escapeHtml(incident.region)}</span>` : '';
    return `<li class="incident severity-${incident.severity}" id="incident-${escapeHtml(incident.id)}"><span class="badge severity-${incident.severity}">${escapeHtml(t(severity, language))}</span> <strong>${escapeHtml(incident.title[language])}</strong><br><span class="muted">${escapeHtml(titleOf(incident.service))} · ${escapeHtml(t('since', language))} <span class="ltr">${escapeHtml(formatTime(incident.startedAt))}</span>${region}</span></li>`;
  });
  return `<ul class="incidents">${items.join('')}</ul>`;
}

function renderService(service: ServiceStatus, language: Language): string {
  const text = (key: StringKey): string => escapeHtml(t(key, language));
  const id = `service-${service.service}`;
  const reasons = service.reasons.length > 0 ? `<ul class="reasons">${service.reasons.map((r) => `<li>${escapeHtml(r.text[language])}</li>`).join('')}</ul>` : '';
  const probe =
    service.probe === null
      ? text('noProbe')
      : `${escapeHtml(service.probe.ok ? t('probeOk', language) : t('probeFailed', language))} <span class="ltr">${escapeHtml(formatMillis(service.probe.latencyMillis))} · ${escapeHtml(formatTime(service.probe.lastAt))}${service.probe.codes.length > 0 ? ` · ${escapeHtml(service.probe.codes.join(', '))}` : ''}</span>`;
  const satisfaction =
    service.feedback.count === 0 || service.feedback.meanRating === null
      ? text('noRatings')
      : `<span class="ltr">${service.feedback.meanRating.toFixed(2)} / 5</span> (${service.feedback.count} ${text('ratings')})`;
  const mainSlo = service.slos.find((s) => s.state === null);
  return `<article class="service state-${service.state}" id="${escapeHtml(id)}">
<h3>${escapeHtml(service.title[language])} <span class="badge state-${service.state}">${escapeHtml(stateLabel(service.state, language))}</span> <code class="name">${escapeHtml(service.service)}</code></h3>
${reasons}
<p class="facts">${text('lastProbe')}: ${probe} · ${text('satisfaction')}: ${satisfaction}</p>
${service.slos.map((slo) => renderSlo(service, slo, language)).join('\n')}
<div class="charts">
${renderCharts(service, mainSlo, language)}
</div>
</article>`;
}

function renderSlo(service: ServiceStatus, slo: SloStatus, language: Language): string {
  const text = (key: StringKey): string => escapeHtml(t(key, language));
  const scope = slo.state === null ? t('allStates', language) : (MEMBER_STATE_NAMES[slo.state]?.[language] ?? slo.state);
  const left = slo.errorBudget.remainingRatio;
  const budgetClass = left === null ? 'none' : left < 0 ? 'bad' : left < 0.25 ? 'warn' : 'ok';
  const rows = WINDOW_NAMES.map((name) => {
    const w = slo.windows[name];
    const availabilityClass = w.availability === null ? '' : w.availability >= slo.availabilityTarget ? ' ok' : ' bad';
    const p95Class = w.p95Millis === null ? '' : w.p95Millis <= slo.latencyP95TargetMillis ? ' ok' : ' bad';
    return `<tr><th scope="row">${text(WINDOW_LABEL[name])}</th><td class="num">${w.requests}</td><td class="num">${w.failures}</td><td class="num${availabilityClass}">${escapeHtml(formatPercent(w.availability, language))}</td><td class="num">${escapeHtml(formatMillisOrNone(w.p50Millis, language))}</td><td class="num${p95Class}">${escapeHtml(formatMillisOrNone(w.p95Millis, language))}</td><td class="num">${escapeHtml(formatMillisOrNone(w.p99Millis, language))}</td></tr>`;
  }).join('');
  return `<table class="slo" id="slo-${escapeHtml(service.service)}-${slo.state ?? 'all'}">
<caption>${text('slo')} (${text('scope')}: ${escapeHtml(scope)}): ${text('availability')} <span class="ltr">≥ ${escapeHtml(formatPercent(slo.availabilityTarget, language))}</span>, <span class="ltr">p95 ≤ ${escapeHtml(formatMillis(slo.latencyP95TargetMillis))}</span> · ${text('errorBudgetLeft')} (<span class="ltr">${slo.errorBudgetPeriodDays} d</span>): <span class="budget ltr ${budgetClass}">${escapeHtml(formatBudget(left, language))}</span> · ${text('burnRate1h')}: <span class="ltr">${slo.burnRate['1h'] === null ? escapeHtml(t('noData', language)) : `${slo.burnRate['1h'].toFixed(2)}×`}</span></caption>
<thead><tr><th scope="col">${text('window')}</th><th scope="col">${text('requests')}</th><th scope="col">${text('failures')}</th><th scope="col">${text('availability')}</th><th scope="col">${text('latencyP50')}</th><th scope="col">${text('latencyP95')}</th><th scope="col">${text('latencyP99')}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function renderCharts(service: ServiceStatus, slo: SloStatus | undefined, language: Language): string {
  const target = slo?.availabilityTarget;
  const floor = target !== undefined ? Math.max(0, 1 - 5 * (1 - target)) : 0.9;
  const latencyTarget = slo?.latencyP95TargetMillis;
  const figures: string[] = [];
  for (const window of WINDOW_NAMES) {
    const points = service.history[window];
    const label = (start: string): string => formatTime(start);
    figures.push(
      figure(
        `${t('chartAvailability', language)} · ${t(WINDOW_LABEL[window], language)}`,
        renderBarChart({
          id: `chart-${service.service}-availability-${window}`,
          title: `${service.title[language]}: ${t('chartAvailability', language)}, ${t(WINDOW_LABEL[window], language)}`,
          points: points.map((p) => ({ label: label(p.start), value: p.availability, detail: `${p.requests} / ${p.failures}` })),
          min: floor,
          max: 1,
          ...(target !== undefined ? { target, targetLabel: t('target', language) } : {}),
          better: 'higher',
          format: (v) => formatPercent(v, 'en'),
          noDataText: t('noData', language),
        }),
      ),
    );
  }
  for (const window of WINDOW_NAMES) {
    const points = service.history[window];
    const highest = Math.max(0, ...points.map((p) => p.p95Millis ?? 0));
    const max = niceCeiling(Math.max(highest, (latencyTarget ?? 0) * 1.5, 10));
    figures.push(
      figure(
        `${t('chartLatency', language)} · ${t(WINDOW_LABEL[window], language)}`,
        renderBarChart({
          id: `chart-${service.service}-latency-${window}`,
          title: `${service.title[language]}: ${t('chartLatency', language)}, ${t(WINDOW_LABEL[window], language)}`,
          points: points.map((p) => ({ label: formatTime(p.start), value: p.p95Millis, detail: `${p.requests}` })),
          min: 0,
          max,
          ...(latencyTarget !== undefined ? { target: latencyTarget, targetLabel: t('target', language) } : {}),
          better: 'lower',
          format: formatMillis,
          noDataText: t('noData', language),
        }),
      ),
    );
  }
  return figures.join('\n');
}

function figure(caption: string, svg: string): string {
  // Time runs left to right in both languages, as on a printed chart; the caption follows the page.
  return `<figure><div class="plot" dir="ltr">${svg}</div><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function stateLabel(state: ServiceState, language: Language): string {
  return t(state, language);
}

/** Percent, rounded down so 99.996 % never shows as 100 %. */
export function formatPercent(value: number | null, language: Language): string {
  if (value === null) return t('noData', language);
  return `${(Math.floor(value * 10_000) / 100).toFixed(2)} %`;
}

function formatBudget(value: number | null, language: Language): string {
  if (value === null) return t('noData', language);
  return `${(value * 100).toFixed(1)} %`;
}

function formatMillis(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function formatMillisOrNone(value: number | null, language: Language): string {
  return value === null ? t('noData', language) : formatMillis(value);
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** One stylesheet for both directions: logical properties only, so the Arabic page mirrors. */
export const STATUS_STYLESHEET = `:root{--fg:#1d2430;--muted:#5a6475;--bg:#fff;--line:#d8dde6;--accent:#0b5d4b;--ok:#1f7a46;--warn:#a86400;--bad:#b3261e;--none:#c5cad3}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Arabic",Tahoma,Arial,sans-serif;color:var(--fg);background:var(--bg);line-height:1.5}
html[dir=rtl]{font-family:"Noto Sans Arabic","Segoe UI",Tahoma,system-ui,Arial,sans-serif}
body{margin:0}
a{color:var(--accent)}
header.site{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:12px 24px;border-block-end:1px solid var(--line);background:#f7f9fa}
header.site .brand{font-weight:700}
header.site h1{font-size:1.2em;margin:0}
header.site .lang{margin-inline-start:auto;border:1px solid var(--accent);border-radius:4px;padding:2px 10px;text-decoration:none}
main{max-width:1100px;padding:16px 24px 48px;margin-inline:auto}
h2{margin-block-start:1.6em;border-block-end:1px solid var(--line);padding-block-end:4px}
.muted{color:var(--muted)}
.ltr,code{direction:ltr;unicode-bidi:isolate}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;color:var(--muted)}
.badge{display:inline-block;border-radius:999px;padding:0 10px;font-size:.8em;font-weight:600;color:#fff;vertical-align:middle}
.badge.state-operational{background:var(--ok)}.badge.state-degraded,.badge.severity-warning{background:var(--warn)}.badge.state-outage,.badge.severity-outage{background:var(--bad)}.badge.state-no-data,.badge.severity-information{background:#5a6475}
section.overall{border-inline-start:6px solid var(--none);padding-inline-start:12px}
section.overall.state-operational{border-inline-start-color:var(--ok)}section.overall.state-degraded{border-inline-start-color:var(--warn)}section.overall.state-outage{border-inline-start-color:var(--bad)}
section.overall h2{border:none;margin-block:.4em}
ul.incidents{list-style:none;padding:0}
li.incident{border:1px solid var(--line);border-inline-start:4px solid var(--none);border-radius:4px;padding:8px 12px;margin-block:8px}
li.incident.severity-outage{border-inline-start-color:var(--bad)}li.incident.severity-warning{border-inline-start-color:var(--warn)}
article.service{border:1px solid var(--line);border-radius:6px;padding:4px 16px 12px;margin-block:16px}
article.service h3{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
ul.reasons{color:var(--bad);margin-block:4px}
table.slo{border-collapse:collapse;width:100%;margin-block:12px;font-size:.92em}
table.slo caption{text-align:start;padding-block-end:4px}
table.slo th,table.slo td{border:1px solid var(--line);padding:4px 8px;text-align:start}
table.slo thead th{background:#f1f4f6}
td.num{font-variant-numeric:tabular-nums;direction:ltr;unicode-bidi:isolate}
td.ok,.budget.ok{color:var(--ok)}td.bad,.budget.bad{color:var(--bad);font-weight:600}.budget.warn{color:var(--warn);font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px 16px}
figure{margin:0}
figcaption{font-size:.85em;color:var(--muted)}
svg.chart{max-width:100%;height:auto;display:block}
svg.chart .frame{fill:#f7f9fa;stroke:var(--line)}
svg.chart .bar.ok{fill:var(--ok)}svg.chart .bar.bad{fill:var(--bad)}svg.chart .bar.none{fill:var(--none)}
svg.chart .target{stroke:#1d2430;stroke-width:1;stroke-dasharray:4 3}
svg.chart .axis{font-size:9px;fill:var(--muted);font-family:system-ui,Arial,sans-serif}
.definitions{font-size:.85em;margin-block-start:2em}
`;
