import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ERROR_CODES } from '../errors/error-codes.js';
import { escapeHtml, relativeHref, renderPage, STYLESHEET, STYLESHEET_PATH } from './page-layout.js';
import { splitBilingual } from './bilingual-text.js';
import { markdownTitle, renderMarkdown } from './render-markdown.js';
import { buildSchemaReference, type FieldDoc, type SchemaReference, type TypeDoc } from './schema-reference.js';
import { kindLabel, LANGUAGES, originLabel, t, type Language } from './site-strings.js';

/**
 * The docs site: a set of static files (site-relative path -> content) built from the supergraph,
 * the error registries and the Markdown under docs/. The gateway builds it in memory and serves it
 * at /docs; `npm run docs` writes the same files to docs/site/.
 */
export type DocsSite = ReadonlyMap<string, string>;

/** One error registry entry, as the docs need it (the gateway's and the trust library's shapes both fit). */
export interface ErrorCodeEntry {
  readonly origin?: string;
  readonly httpStatus?: number;
  readonly retriable: boolean;
  readonly en: string;
  readonly ar: string;
}

export interface BuildDocsSiteOptions {
  readonly supergraphSdl: string;
  /** The repository (package) root: docs/, schemas/ and CHANGELOG.md are read from here. */
  readonly rootDir: string;
  /** The trust library's `TRUST_ERROR_CODES`, when it is available (see load-trust-error-codes.ts). */
  readonly trustErrorCodes?: Readonly<Record<string, ErrorCodeEntry>> | undefined;
}

/** Guides in reading order; any other docs/guides/*.md follows alphabetically. */
const GUIDE_ORDER = ['first-query', 'getting-a-certificate', 'signing-requests', 'events', 'operating-the-gateway', 'containers', 'schema-changes'];

interface MarkdownPage {
  /** Site path without the language folder, e.g. `guides/first-query.html`. */
  readonly slugPath: string;
  readonly sources: Partial<Record<Language, string>>;
  readonly group: 'guide' | 'reference';
}

export function buildDocsSite(options: BuildDocsSiteOptions): DocsSite {
  const files = new Map<string, string>();
  files.set(STYLESHEET_PATH, STYLESHEET);
  const reference = buildSchemaReference(options.supergraphSdl);
  const markdownPages = findMarkdownPages(options.rootDir);
  const pageForSource = (language: Language) => (repoPath: string): string | undefined => {
    for (const page of markdownPages) {
      if (page.sources.en === repoPath || page.sources.ar === repoPath) return `${language}/${page.slugPath}`;
    }
    return undefined;
  };

  for (const language of LANGUAGES) {
    const add = (path: string, title: string, body: string): void => {
      files.set(path, renderPage({ path, language, title, body }));
    };
    add(`${language}/index.html`, t('home', language), homeBody(language, markdownPages, options.rootDir, reference));
    add(`${language}/schema/index.html`, t('schema', language), schemaIndexBody(language, reference));
    for (const type of reference.types) {
      add(`${language}/schema/${type.name}.html`, type.name, typeBody(language, type, `${language}/schema/${type.name}.html`));
    }
    add(`${language}/errors.html`, t('errors', language), errorsBody(language, options.trustErrorCodes));
    add(`${language}/events.html`, t('events', language), eventsBody(language, options.rootDir));
    add(`${language}/guides/index.html`, t('guides', language), guidesIndexBody(language, markdownPages, options.rootDir));
    for (const page of markdownPages) {
      const path = `${language}/${page.slugPath}`;
      const source = page.sources[language] ?? page.sources.en ?? page.sources.ar;
      if (source === undefined) continue;
      const markdown = readFileSync(join(options.rootDir, source), 'utf8');
      const translated = page.sources[language] !== undefined;
      const html = renderMarkdown(markdown, { sourcePath: source, pagePath: path, pageForSource: pageForSource(language) });
      const notice = translated || language === 'en' ? '' : `<p class="note">${escapeHtml(t('englishOnly', language))}</p>\n`;
      // An untranslated page keeps its own direction inside the Arabic frame.
      const body = translated ? html : `<div lang="en" dir="ltr">${html}</div>`;
      add(path, markdownTitle(markdown) ?? page.slugPath, `${notice}${body}`);
    }
  }
  files.set('index.html', rootIndex());
  return files;
}

/** docs/guides/<slug>.md (+ <slug>.ar.md), docs/adapters/*.md, docs/security/*.md, docs/operations/*.md and CHANGELOG.md. */
function findMarkdownPages(rootDir: string): MarkdownPage[] {
  const pages: MarkdownPage[] = [];
  const guidesDir = join(rootDir, 'docs', 'guides');
  if (existsSync(guidesDir)) {
    const slugs = readdirSync(guidesDir)
      .filter((f) => f.endsWith('.md') && !f.endsWith('.ar.md') && f !== 'README.md')
      .map((f) => f.slice(0, -3));
    slugs.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const slug of slugs) {
      const ar = `docs/guides/${slug}.ar.md`;
      pages.push({ slugPath: `guides/${slug}.html`, sources: { en: `docs/guides/${slug}.md`, ...(existsSync(join(rootDir, ar)) ? { ar } : {}) }, group: 'guide' });
    }
  }
  for (const folder of ['adapters', 'security', 'operations']) {
    const dir = join(rootDir, 'docs', folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && !f.endsWith('.ar.md')).sort()) {
      const slug = file.slice(0, -3);
      const ar = `docs/${folder}/${slug}.ar.md`;
      pages.push({ slugPath: `${folder}/${slug}.html`, sources: { en: `docs/${folder}/${file}`, ...(existsSync(join(rootDir, ar)) ? { ar } : {}) }, group: 'reference' });
    }
  }
  if (existsSync(join(rootDir, 'CHANGELOG.md'))) pages.push({ slugPath: 'changelog.html', sources: { en: 'CHANGELOG.md' }, group: 'reference' });
  return pages;
}

function rank(slug: string): number {
  const index = GUIDE_ORDER.indexOf(slug);
  return index < 0 ? GUIDE_ORDER.length : index;
}

function rootIndex(): string {
  // The language choice, without script: both entry points, each in its own direction.
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>GCC Interop Gateway documentation · توثيق بوابة التكامل الحكومي الخليجية</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body><main>
<h1>GCC Interop Gateway documentation</h1>
<p><a href="en/index.html" hreflang="en">English</a></p>
<h1 lang="ar" dir="rtl">توثيق بوابة التكامل الحكومي الخليجية</h1>
<p lang="ar" dir="rtl"><a href="ar/index.html" hreflang="ar">العربية</a></p>
</main></body></html>
`;
}

function markdownLinks(language: Language, pages: readonly MarkdownPage[], group: MarkdownPage['group'], rootDir: string, from: string): string {
  return pages
    .filter((p) => p.group === group)
    .map((p) => {
      const source = p.sources[language] ?? p.sources.en;
      const title = source === undefined ? p.slugPath : (markdownTitle(readFileSync(join(rootDir, source), 'utf8')) ?? p.slugPath);
      // <bdi>: an English title in an Arabic list keeps its own direction (parentheses stay put).
      return `<li><a href="${escapeHtml(relativeHref(from, `${language}/${p.slugPath}`))}"><bdi>${escapeHtml(title)}</bdi></a></li>`;
    })
    .join('\n');
}

function homeBody(language: Language, pages: readonly MarkdownPage[], rootDir: string, reference: SchemaReference): string {
  const from = `${language}/index.html`;
  const intro =
    language === 'en'
      ? `<p>The gateway gives the six GCC member states one federated GraphQL API over their shared e-government services. Start with <a href="guides/first-query.html">your first query</a>, then read the <a href="schema/index.html">schema reference</a> (${reference.types.length} types) and the <a href="errors.html">error codes</a>.</p>`
      : `<p>تتيح البوابة للدول الأعضاء الست في مجلس التعاون واجهة GraphQL موحدة للخدمات الحكومية الإلكترونية المشتركة. ابدأ <a href="guides/first-query.html">باستعلامك الأول</a>، ثم اقرأ <a href="schema/index.html">مرجع المخطط</a> (${reference.types.length} نوعًا) و<a href="errors.html">رموز الأخطاء</a>.</p>`;
  return `<h1>${escapeHtml(t('siteTitle', language))}</h1>
${intro}
<h2>${escapeHtml(t('guides', language))}</h2>
<ul>${markdownLinks(language, pages, 'guide', rootDir, from)}</ul>
<h2>${escapeHtml(t('pagesFromRepo', language))}</h2>
<ul>${markdownLinks(language, pages, 'reference', rootDir, from)}</ul>`;
}

function guidesIndexBody(language: Language, pages: readonly MarkdownPage[], rootDir: string): string {
  const from = `${language}/guides/index.html`;
  return `<h1>${escapeHtml(t('guides', language))}</h1>
<ul>${markdownLinks(language, pages, 'guide', rootDir, from)}</ul>
<h2>${escapeHtml(t('pagesFromRepo', language))}</h2>
<ul>${markdownLinks(language, pages, 'reference', rootDir, from)}</ul>`;
}

function schemaIndexBody(language: Language, reference: SchemaReference): string {
  const row = (type: TypeDoc): string =>
    `<tr><td><a href="${escapeHtml(type.name)}.html"><code>${escapeHtml(type.name)}</code></a></td><td>${escapeHtml(kindLabel(type.kind, language))}</td><td>${escapeHtml(type.description[language])}</td></tr>`;
  const head = `<tr><th>${escapeHtml(t('type', language))}</th><th>${escapeHtml(t('kind', language))}</th><th>${escapeHtml(t('description', language))}</th></tr>`;
  const roots = reference.types.filter((ty) => reference.rootTypeNames.includes(ty.name));
  const rest = reference.types.filter((ty) => !reference.rootTypeNames.includes(ty.name));
  return `<h1>${escapeHtml(t('schema', language))}</h1>
<p class="note">${escapeHtml(t('purposesNote', language))}</p>
<h2>${escapeHtml(t('rootTypes', language))}</h2>
<table><thead>${head}</thead><tbody>${roots.map(row).join('\n')}</tbody></table>
<h2>${escapeHtml(t('allTypes', language))}</h2>
<table><thead>${head}</thead><tbody>${rest.map(row).join('\n')}</tbody></table>`;
}

const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function typeLink(typeText: string, namedType: string): string {
  const text = `<code>${escapeHtml(typeText)}</code>`;
  return BUILT_IN_SCALARS.has(namedType) ? text : `<a href="${escapeHtml(namedType)}.html">${text}</a>`;
}

function sensitivityBadge(field: FieldDoc, language: Language): string {
  if (field.sensitivity === undefined) return `<span class="sens sens-none">${escapeHtml(t('noSensitivity', language))}</span>`;
  return `<span class="sens sens-${field.sensitivity}">${field.sensitivity}</span>`;
}

function typeBody(language: Language, type: TypeDoc, _path: string): string {
  const parts: string[] = [`<h1><code>${escapeHtml(type.name)}</code> <span class="muted">${escapeHtml(kindLabel(type.kind, language))}</span></h1>`];
  if (type.description[language] !== '') parts.push(`<p>${escapeHtml(type.description[language])}</p>`);
  if (type.kind === 'object' || type.kind === 'interface') {
    parts.push(`<p class="muted">${escapeHtml(t('examplesNote', language))}</p>`);
    parts.push(`<h2>${escapeHtml(t('fields', language))}</h2>`);
    for (const field of type.fields) parts.push(fieldSection(language, field));
  } else if (type.kind === 'input') {
    parts.push(`<h2>${escapeHtml(t('inputFields', language))}</h2>`);
    parts.push(
      `<table><thead><tr><th>${escapeHtml(t('field', language))}</th><th>${escapeHtml(t('type', language))}</th><th>${escapeHtml(t('description', language))}</th><th>${escapeHtml(t('example', language))}</th></tr></thead><tbody>${type.fields
        .map(
          (f) =>
            `<tr id="${escapeHtml(f.name)}"><td><code>${escapeHtml(f.name)}</code></td><td>${typeLink(f.type, f.namedType)}</td><td>${escapeHtml(f.description[language])}</td><td><code>${escapeHtml(f.example ?? '')}</code></td></tr>`,
        )
        .join('\n')}</tbody></table>`,
    );
    if (type.example !== undefined) parts.push(`<h3>${escapeHtml(t('example', language))}</h3><pre dir="ltr"><code>${escapeHtml(type.example)}</code></pre>`);
  } else if (type.kind === 'enum') {
    parts.push(`<h2>${escapeHtml(t('values', language))}</h2>`);
    parts.push(
      `<table><thead><tr><th>${escapeHtml(t('values', language))}</th><th>${escapeHtml(t('description', language))}</th></tr></thead><tbody>${type.enumValues
        .map((v) => `<tr id="${escapeHtml(v.name)}"><td><code>${escapeHtml(v.name)}</code></td><td>${escapeHtml(v.description[language])}${v.deprecationReason !== undefined ? ` <strong>${escapeHtml(t('deprecated', language))}:</strong> ${escapeHtml(v.deprecationReason)}` : ''}</td></tr>`)
        .join('\n')}</tbody></table>`,
    );
    if (type.example !== undefined) parts.push(`<p>${escapeHtml(t('example', language))}: <code>${escapeHtml(type.example)}</code></p>`);
  } else if (type.kind === 'union') {
    parts.push(`<h2>${escapeHtml(t('possibleTypes', language))}</h2><ul>${type.possibleTypes.map((p) => `<li>${typeLink(p, p)}</li>`).join('')}</ul>`);
  }
  return parts.join('\n');
}

function fieldSection(language: Language, field: FieldDoc): string {
  const rows = [
    `<tr><th>${escapeHtml(t('type', language))}</th><td>${typeLink(field.type, field.namedType)}</td></tr>`,
    `<tr><th>${escapeHtml(t('sensitivity', language))}</th><td>${sensitivityBadge(field, language)}</td></tr>`,
    `<tr><th>${escapeHtml(t('purposes', language))}</th><td class="muted">${escapeHtml(t('policyNotConfigured', language))}</td></tr>`,
  ];
  const args =
    field.arguments.length === 0
      ? ''
      : `<table class="args"><thead><tr><th>${escapeHtml(t('argument', language))}</th><th>${escapeHtml(t('type', language))}</th><th>${escapeHtml(t('defaultValue', language))}</th><th>${escapeHtml(t('description', language))}</th></tr></thead><tbody>${field.arguments
          .map(
            (a) =>
              `<tr id="${escapeHtml(`${field.name}.${a.name}`)}"><td><code>${escapeHtml(a.name)}</code></td><td><code>${escapeHtml(a.type)}</code></td><td>${a.defaultValue !== undefined ? `<code>${escapeHtml(a.defaultValue)}</code>` : ''}</td><td>${escapeHtml(a.description[language])}</td></tr>`,
          )
          .join('\n')}</tbody></table>`;
  const example = field.example === undefined ? '' : `<details><summary>${escapeHtml(t('example', language))}</summary><pre dir="ltr"><code>${escapeHtml(field.example)}</code></pre></details>`;
  const deprecated = field.deprecationReason !== undefined ? `<p class="note warn"><strong>${escapeHtml(t('deprecated', language))}:</strong> ${escapeHtml(field.deprecationReason)}</p>` : '';
  return `<section class="field" id="${escapeHtml(field.name)}">
<h3><code>${escapeHtml(field.name)}</code></h3>
${field.description[language] !== '' ? `<p>${escapeHtml(field.description[language])}</p>` : ''}${deprecated}
<table class="facts"><tbody>${rows.join('')}</tbody></table>
${args}${example}
</section>`;
}

function errorTable(language: Language, registry: Readonly<Record<string, ErrorCodeEntry>>, defaultOrigin: string): string {
  const head = [t('code', language), t('origin', language), t('httpStatus', language), t('retriable', language), t('message', language)].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = Object.entries(registry)
    .map(
      ([code, entry]) =>
        `<tr id="${escapeHtml(code)}"><td><code>${escapeHtml(code)}</code></td><td>${escapeHtml(originLabel(entry.origin ?? defaultOrigin, language))}</td><td>${entry.httpStatus ?? ''}</td><td>${escapeHtml(t(entry.retriable ? 'yes' : 'no', language))}</td><td>${escapeHtml(entry[language])}</td></tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function errorsBody(language: Language, trustErrorCodes: BuildDocsSiteOptions['trustErrorCodes']): string {
  const intro =
    language === 'en'
      ? '<p>Every error carries its code in <code>extensions.code</code>, an <code>origin</code> and a <code>correlationId</code> equal to the <code>x-request-id</code> response header; quote the correlation id when you report a problem. Codes are stable; messages may be reworded.</p>'
      : '<p>يحمل كل خطأ رمزه في <code>extensions.code</code>، ومصدره <code>origin</code>، ومعرّف الارتباط <code>correlationId</code> المساوي لترويسة الاستجابة <code>x-request-id</code>؛ اذكر معرّف الارتباط عند الإبلاغ عن مشكلة. الرموز ثابتة، وقد تتغير صياغة الرسائل.</p>';
  const parts = [`<h1>${escapeHtml(t('errors', language))}</h1>`, intro, `<h2>${escapeHtml(t('gatewayErrors', language))}</h2>`, errorTable(language, ERROR_CODES, 'gateway')];
  if (trustErrorCodes !== undefined && Object.keys(trustErrorCodes).length > 0) {
    parts.push(`<h2>${escapeHtml(t('trustErrors', language))}</h2>`, errorTable(language, trustErrorCodes, 'trust'));
  }
  return parts.join('\n');
}

interface AsyncApiDocument {
  channels?: Record<string, { address?: string; description?: string; messages?: Record<string, unknown> }>;
  components?: {
    messages?: Record<string, { title?: string; summary?: string }>;
    schemas?: Record<string, { properties?: Record<string, { description?: string }> }>;
  };
}

function eventsBody(language: Language, rootDir: string): string {
  const parts = [`<h1>${escapeHtml(t('events', language))}</h1>`];
  const asyncapiPath = join(rootDir, 'schemas', 'asyncapi.yaml');
  const eventsDir = join(rootDir, 'schemas', 'events');
  const schemaFiles = existsSync(eventsDir) ? readdirSync(eventsDir).filter((f) => f.endsWith('.schema.json')).sort() : [];
  if (!existsSync(asyncapiPath) && schemaFiles.length === 0) {
    parts.push(`<p class="note">${escapeHtml(t('noEvents', language))}</p>`);
    return parts.join('\n');
  }
  let document: AsyncApiDocument | null = null;
  if (existsSync(asyncapiPath)) {
    document = parseYaml(readFileSync(asyncapiPath, 'utf8')) as AsyncApiDocument | null;
    parts.push(`<p>${escapeHtml(t('eventsIntro', language))} <a href="guides/events.html">${escapeHtml(t('eventsGuide', language))}</a></p>`);
    const channels = Object.entries(document?.channels ?? {});
    if (channels.length > 0) {
      parts.push(
        `<table><thead><tr><th>${escapeHtml(t('channel', language))}</th><th>${escapeHtml(t('description', language))}</th></tr></thead><tbody>${channels
          .map(([name, channel]) => `<tr><td><code>${escapeHtml(channel.address ?? name)}</code></td><td>${escapeHtml(splitBilingual(String(channel.description ?? ''))[language])}</td></tr>`)
          .join('\n')}</tbody></table>`,
      );
    }
    const headers = Object.entries(document?.components?.schemas?.['CloudEventHeaders']?.properties ?? {});
    if (headers.length > 0) {
      parts.push(`<h2>${escapeHtml(t('eventHeaders', language))}</h2>`);
      parts.push(
        `<table><thead><tr><th>${escapeHtml(t('header', language))}</th><th>${escapeHtml(t('description', language))}</th></tr></thead><tbody>${headers
          .map(([name, h]) => `<tr><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(splitBilingual(h.description)[language])}</td></tr>`)
          .join('\n')}</tbody></table>`,
      );
    }
  }
  for (const file of schemaFiles) {
    const schema = JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as { title?: string; description?: string; properties?: Record<string, { type?: unknown; description?: string }>; required?: string[]; 'x-gcc-sensitivity'?: string };
    const type = file.slice(0, -'.schema.json'.length);
    const message = document?.components?.messages?.[type];
    const title = message?.title !== undefined ? ` <span class="muted">${escapeHtml(splitBilingual(message.title)[language])}</span>` : '';
    parts.push(`<h2 id="${escapeHtml(type)}"><code>${escapeHtml(type)}</code>${title}</h2>`);
    if (schema.description !== undefined) parts.push(`<p>${escapeHtml(splitBilingual(schema.description)[language])}</p>`);
    if (message?.summary !== undefined) parts.push(`<p>${escapeHtml(splitBilingual(message.summary)[language])}</p>`);
    const level = schema['x-gcc-sensitivity'];
    if (level !== undefined) parts.push(`<p>${escapeHtml(t('dataSensitivity', language))}: <span class="sens sens-${escapeHtml(level)}">${escapeHtml(level)}</span></p>`);
    const properties = Object.entries(schema.properties ?? {});
    if (properties.length > 0) {
      parts.push(
        `<table><thead><tr><th>${escapeHtml(t('field', language))}</th><th>${escapeHtml(t('type', language))}</th><th>${escapeHtml(t('description', language))}</th></tr></thead><tbody>${properties
          .map(([name, p]) => `<tr><td><code>${escapeHtml(name)}</code>${(schema.required ?? []).includes(name) ? ' *' : ''}</td><td><code>${escapeHtml(JSON.stringify(p.type ?? ''))}</code></td><td>${escapeHtml(splitBilingual(p.description)[language])}</td></tr>`)
          .join('\n')}</tbody></table>`,
      );
    }
    parts.push(`<p class="muted">${escapeHtml(t('schemaFile', language))}: <code>schemas/events/${escapeHtml(file)}</code></p>`);
  }
  return parts.join('\n');
}
