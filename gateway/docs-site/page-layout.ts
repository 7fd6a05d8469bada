import { posix } from 'node:path';
import { t, type Language } from './site-strings.js';

/** HTML escaping for text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A link from one site page to another, relative, so the site works from disk and under any prefix. */
export function relativeHref(fromPage: string, toPage: string): string {
  const href = posix.relative(posix.dirname(fromPage), toPage);
  return href === '' ? posix.basename(toPage) : href;
}

export interface PageInput {
  /** Site-relative path, e.g. `ar/schema/Query.html`; the first segment is the language. */
  readonly path: string;
  readonly language: Language;
  readonly title: string;
  /** Inner HTML of <main>. */
  readonly body: string;
}

/** The other language's version of a page has the same path under the other language folder. */
export function counterpartPath(path: string, language: Language): string {
  const other: Language = language === 'en' ? 'ar' : 'en';
  return `${other}/${path.split('/').slice(1).join('/')}`;
}

export const STYLESHEET_PATH = 'assets/site.css';

/**
 * The page frame. No script and no inline style, so the strict Content-Security-Policy of /docs
 * holds; Arabic pages are `dir="rtl"` and the stylesheet uses logical properties so the layout
 * mirrors. Code stays left-to-right inside Arabic pages.
 */
export function renderPage(page: PageInput): string {
  const { language, path } = page;
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const link = (to: string): string => escapeHtml(relativeHref(path, to));
  const nav = [
    [`${language}/index.html`, t('home', language)],
    [`${language}/schema/index.html`, t('schema', language)],
    [`${language}/errors.html`, t('errors', language)],
    [`${language}/events.html`, t('events', language)],
    [`${language}/guides/index.html`, t('guides', language)],
  ]
    .map(([to, label]) => `<li><a href="${link(to as string)}"${to === path ? ' aria-current="page"' : ''}>${escapeHtml(label as string)}</a></li>`)
    .join('');
  const otherLanguage: Language = language === 'en' ? 'ar' : 'en';
  return `<!doctype html>
<html lang="${language}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · ${escapeHtml(t('siteTitle', language))}</title>
<link rel="stylesheet" href="${link(STYLESHEET_PATH)}">
<link rel="alternate" hreflang="${otherLanguage}" href="${link(counterpartPath(path, language))}">
</head>
<body>
<a class="skip" href="#content">${escapeHtml(t('skipToContent', language))}</a>
<header class="site">
<a class="brand" href="${link(`${language}/index.html`)}">${escapeHtml(t('siteTitle', language))}</a>
<nav aria-label="${escapeHtml(t('siteTitle', language))}"><ul>${nav}</ul></nav>
<a class="lang" href="${link(counterpartPath(path, language))}" hreflang="${otherLanguage}" lang="${otherLanguage}">${escapeHtml(t('otherLanguage', language))}</a>
</header>
<main id="content">
${page.body}
</main>
<footer class="site"><p>${escapeHtml(t('generatedNote', language))}</p></footer>
</body>
</html>
`;
}

/** One stylesheet for both directions: logical properties only (inline-start/end), no left/right. */
export const STYLESHEET = `:root{--fg:#1d2430;--muted:#5a6475;--bg:#fff;--line:#d8dde6;--accent:#0b5d4b;--code:#f4f6f8;--warn:#8a1c1c}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Arabic",Tahoma,Arial,sans-serif;color:var(--fg);background:var(--bg);line-height:1.55}
body{margin:0}
[dir=rtl] html,html[dir=rtl]{font-family:"Noto Sans Arabic","Segoe UI",Tahoma,system-ui,Arial,sans-serif}
a{color:var(--accent)}
.skip{position:absolute;inset-inline-start:-999px}
.skip:focus{inset-inline-start:8px;top:8px;background:#fff;padding:4px 8px}
header.site{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:12px 24px;border-block-end:1px solid var(--line);background:#f7f9fa}
header.site .brand{font-weight:700;text-decoration:none;color:var(--fg)}
header.site nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
header.site nav a[aria-current=page]{font-weight:700;text-decoration:none}
header.site .lang{margin-inline-start:auto;border:1px solid var(--accent);border-radius:4px;padding:2px 10px;text-decoration:none}
main{max-width:1100px;padding:16px 24px 48px;margin-inline:auto}
footer.site{color:var(--muted);font-size:.85em;padding:8px 24px;border-block-start:1px solid var(--line)}
h1,h2,h3{line-height:1.25}
h2{margin-block-start:2em;border-block-end:1px solid var(--line);padding-block-end:4px}
table{border-collapse:collapse;width:100%;margin-block:12px;font-size:.95em}
th,td{border:1px solid var(--line);padding:6px 8px;text-align:start;vertical-align:top}
th{background:#f1f4f6}
table.facts{width:auto;min-width:60%}
table.facts th{width:14em}
code,pre,.ltr{direction:ltr;unicode-bidi:isolate;font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
code{background:var(--code);padding:0 3px;border-radius:3px;font-size:.92em}
pre{background:var(--code);padding:10px 12px;overflow-x:auto;text-align:left;border-radius:4px}
pre code{padding:0;background:none}
details{margin-block:4px}
summary{cursor:pointer;color:var(--muted)}
.sens{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;font-family:ui-monospace,Menlo,Consolas,monospace;direction:ltr}
.sens-PUBLIC{background:#e3f4ea}.sens-INTERNAL{background:#e6eefb}.sens-PERSONAL{background:#fdecd2}.sens-FINANCIAL{background:#f9dcdc}.sens-none{background:#eee}
.muted{color:var(--muted)}
.note{border-inline-start:4px solid var(--accent);background:#f2f8f6;padding:8px 12px;margin-block:12px}
.note.warn{border-inline-start-color:var(--warn);background:#fbf0f0}
ul.columns{columns:3 14em;padding-inline-start:1.2em}
`;
