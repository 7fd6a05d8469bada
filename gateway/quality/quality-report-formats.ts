import { FEEDBACK_CHANNELS } from './feedback-log.js';
import { escapeHtml } from './html-escape.js';
import type { QualityReport, ReportRow } from './quality-report.js';
import { CHANNEL_NAMES, MEMBER_STATE_NAMES, t, type Language, type StringKey } from './status-strings.js';

export type ReportFormat = 'html' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'csv', 'json'];

export function renderReport(report: QualityReport, format: ReportFormat, language: Language = 'en'): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return renderReportCsv(report);
    case 'html':
      return renderReportHtml(report, language);
  }
}

const CSV_COLUMNS = [
  'month',
  'service',
  'state',
  'requests',
  'failures',
  'client_errors',
  'availability',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'slo_scope',
  'availability_target',
  'latency_p95_target_ms',
  'error_budget_allowed_failures',
  'error_budget_burn',
  'meets_availability',
  'meets_latency',
  'top_error_codes',
  'feedback_count',
  'feedback_mean_rating',
  'feedback_ratings_1_to_5',
  'feedback_by_channel',
] as const;

/**
 * CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or line break quoted),
 * one line per service and caller state. Lists inside a field are `;`-separated: error codes as
 * `CODE:count`, channels as `CHANNEL:count:mean`, ratings as five counts `n1;n2;n3;n4;n5`.
 */
export function renderReportCsv(report: QualityReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of report.rows) {
    const values: Array<string | number | boolean | null> = [
      report.month,
      row.service,
      row.state,
      row.requests,
      row.failures,
      row.clientErrors,
      row.availability === null ? null : round(row.availability, 6),
      row.p50Millis,
      row.p95Millis,
      row.p99Millis,
      row.slo?.scope ?? null,
      row.slo?.availabilityTarget ?? null,
      row.slo?.latencyP95TargetMillis ?? null,
      row.errorBudget?.allowedFailures ?? null,
      row.errorBudget?.burn == null ? null : round(row.errorBudget.burn, 6),
      row.meetsAvailability,
      row.meetsLatency,
      row.topErrorCodes.map((c) => `${c.code}:${c.count}`).join(';'),
      row.feedback.count,
      row.feedback.meanRating === null ? null : round(row.feedback.meanRating, 3),
      row.feedback.ratings.join(';'),
      FEEDBACK_CHANNELS.flatMap((channel) => {
        const c = row.feedback.byChannel[channel];
        return c === undefined ? [] : [`${channel}:${c.count}:${round(c.meanRating, 3)}`];
      }).join(';'),
    ];
    lines.push(values.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would make a spreadsheet evaluate the cell (CSV injection): quote and prefix.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A self-contained HTML document (one inline stylesheet, no script), printable, in English or Arabic. */
export function renderReportHtml(report: QualityReport, language: Language): string {
  const text = (key: StringKey): string => escapeHtml(t(key, language));
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const services = [...new Set(report.rows.map((r) => r.service))];
  const sections = services.map((service) => {
    const rows = report.rows.filter((r) => r.service === service);
    const title = rows[0]?.title[language] ?? service;
    return `<section>
<h2>${escapeHtml(title)} <code>${escapeHtml(service)}</code></h2>
<table>
<thead><tr><th>${text('state')}</th><th>${text('requests')}</th><th>${text('failures')}</th><th>${text('availability')}</th><th>p50</th><th>p95</th><th>p99</th><th>${text('target')}</th><th>${text('budgetBurn')}</th><th>${text('topErrors')}</th><th>${text('feedback')}</th></tr></thead>
<tbody>
${rows.map((row) => htmlRow(row, language)).join('\n')}
</tbody>
</table>
</section>`;
  });
  return `<!doctype html>
<html lang="${language}" dir="${dir}">
<head>
<meta charset="utf-8">
<title>${text('reportTitle')} ${escapeHtml(report.month)}</title>
<style>
body{font-family:system-ui,"Segoe UI","Noto Sans","Noto Sans Arabic",Tahoma,Arial,sans-serif;color:#1d2430;margin:24px}
table{border-collapse:collapse;width:100%;font-size:.9em;margin-block:8px 24px}
th,td{border:1px solid #d8dde6;padding:4px 6px;text-align:start;vertical-align:top}
thead th{background:#f1f4f6}
td.num{direction:ltr;unicode-bidi:isolate;font-variant-numeric:tabular-nums}
.bad{color:#b3261e;font-weight:600}.ok{color:#1f7a46}
code,.ltr{direction:ltr;unicode-bidi:isolate}
.muted{color:#5a6475;font-size:.9em}
</style>
</head>
<body>
<h1>${text('reportTitle')} · <span class="ltr">${escapeHtml(report.month)}</span></h1>
<p class="muted">${text('siteName')} · ${text('generatedAt')}: <span class="ltr">${escapeHtml(report.generatedAt)}</span></p>
<p class="muted">${text('reportNote')}</p>
${sections.join('\n')}
</body>
</html>
`;
}

function htmlRow(row: ReportRow, language: Language): string {
  const state = MEMBER_STATE_NAMES[row.state]?.[language] ?? row.state;
  const pct = (value: number | null): string => (value === null ? '–' : `${(Math.floor(value * 10_000) / 100).toFixed(2)} %`);
  const ms = (value: number | null): string => (value === null ? '–' : `${Math.round(value)} ms`);
  const availabilityClass = row.meetsAvailability === null ? '' : row.meetsAvailability ? ' ok' : ' bad';
  const latencyClass = row.meetsLatency === null ? '' : row.meetsLatency ? ' ok' : ' bad';
  const target = row.slo === null ? '–' : `≥ ${pct(row.slo.availabilityTarget)}, p95 ≤ ${row.slo.latencyP95TargetMillis} ms${row.slo.scope === 'service' && row.state !== 'all' ? ' *' : ''}`;
  const burn = row.errorBudget?.burn == null ? '–' : `${(row.errorBudget.burn * 100).toFixed(1)} %`;
  const burnClass = row.errorBudget?.burn == null ? '' : row.errorBudget.burn > 1 ? ' bad' : ' ok';
  const codes = row.topErrorCodes.map((c) => `<code>${escapeHtml(c.code)}</code> ${c.count}`).join('<br>') || '–';
  const channels = FEEDBACK_CHANNELS.flatMap((channel) => {
    const c = row.feedback.byChannel[channel];
    return c === undefined ? [] : [`${escapeHtml(CHANNEL_NAMES[channel]?.[language] ?? channel)}: ${c.count} · ${c.meanRating.toFixed(2)}`];
  }).join('<br>');
  const feedback = row.feedback.count === 0 || row.feedback.meanRating === null ? '–' : `${escapeHtml(t('meanRating', language))} <span class="ltr">${row.feedback.meanRating.toFixed(2)} / 5</span> (${row.feedback.count})<br><span class="muted ltr">${row.feedback.ratings.map((n, i) => `${i + 1}★ ${n}`).join(' · ')}</span>${channels !== '' ? `<br>${channels}` : ''}`;
  return `<tr><th scope="row">${escapeHtml(state)}</th><td class="num">${row.requests}</td><td class="num">${row.failures}</td><td class="num${availabilityClass}">${pct(row.availability)}</td><td class="num">${ms(row.p50Millis)}</td><td class="num${latencyClass}">${ms(row.p95Millis)}</td><td class="num">${ms(row.p99Millis)}</td><td class="num">${escapeHtml(target)}</td><td class="num${burnClass}">${burn}</td><td>${codes}</td><td>${feedback}</td></tr>`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
