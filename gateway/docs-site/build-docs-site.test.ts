import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { ERROR_CODES } from '../errors/error-codes.js';
import { packageRoot, supergraphPath } from '../../schemas/schema-files.js';
import { apiDocumentFromSupergraph, apiSchemaFromSupergraph } from './api-schema.js';
import { buildDocsSite } from './build-docs-site.js';
import { splitBilingual } from './bilingual-text.js';

const SUPERGRAPH = readFileSync(supergraphPath(), 'utf8');
const site = buildDocsSite({ supergraphSdl: SUPERGRAPH, rootDir: packageRoot(), trustErrorCodes: { ERR_TRUST_EXAMPLE: { retriable: false, en: 'Example trust error.', ar: 'خطأ ثقة للتجربة.' } } });
const schema = apiSchemaFromSupergraph(SUPERGRAPH);
const definedTypes = apiDocumentFromSupergraph(SUPERGRAPH)
  .definitions.flatMap((d) => ('name' in d && d.name !== undefined && d.kind !== 'DirectiveDefinition' ? [d.name.value] : []));

function page(path: string): string {
  const body = site.get(path);
  if (body === undefined) throw new Error(`no page ${path}`);
  return body;
}

describe('the docs site', () => {
  it('has a page for every type of the supergraph in English and Arabic, with every field and argument', () => {
    expect(definedTypes.length).toBeGreaterThan(50);
    for (const name of definedTypes) {
      const type = schema.getType(name);
      for (const language of ['en', 'ar']) {
        const html = page(`${language}/schema/${name}.html`);
        if (isObjectType(type) || isInterfaceType(type)) {
          for (const field of Object.values(type.getFields())) {
            expect(html).toContain(`<section class="field" id="${field.name}">`);
            for (const arg of field.args) expect(html).toContain(`id="${field.name}.${arg.name}"`);
          }
        } else if (isInputObjectType(type)) {
          for (const field of Object.values(type.getFields())) expect(html).toContain(`<tr id="${field.name}">`);
        } else if (isEnumType(type)) {
          for (const value of type.getValues()) expect(html).toContain(`<tr id="${value.name}">`);
        }
      }
    }
  });

  it('leaves the federation machinery out of the reference', () => {
    expect([...site.keys()].filter((p) => /join__|link__/.test(p))).toEqual([]);
  });

  it('shows each field\u2019s own language, its sensitivity, an example and an honest purposes column', () => {
    const en = page('en/schema/GovernmentEntity.html');
    const ar = page('ar/schema/GovernmentEntity.html');
    expect(en).toContain('The entity&#39;s code, unique within its state');
    expect(en).not.toContain('رمز الجهة، فريد داخل دولتها');
    expect(ar).toContain('رمز الجهة، فريد داخل دولتها');
    expect(ar).not.toContain('unique within its state');
    expect(en).toContain('<span class="sens sens-FINANCIAL">FINANCIAL</span>');
    expect(en).toContain('policy not configured');
    expect(ar).toContain('لم تُضبط سياسة الوصول بعد');
    // The example reaches the field from a root field, with the required arguments filled in.
    expect(en).toContain('governmentEntity(state: QA, code: &#34;MOF&#34;) {\n    cloudSpend(month: &#34;2026-10&#34;)');
  });

  it('gives every field of every object type an example operation that is valid against the schema', async () => {
    const { parse, validate } = await import('graphql');
    const reference = (await import('./schema-reference.js')).buildSchemaReference(SUPERGRAPH);
    let checked = 0;
    for (const type of reference.types) {
      if (type.kind !== 'object') continue;
      for (const field of type.fields) {
        expect(field.example).toBeDefined();
        const errors = validate(schema, parse(field.example as string));
        expect({ field: `${type.name}.${field.name}`, errors: errors.map((e) => e.message) }).toEqual({ field: `${type.name}.${field.name}`, errors: [] });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(getNamedType(schema.getQueryType()!.getFields()['governmentEntity']!.type).name).toBe('GovernmentEntity');
  });

  it('lists every error code of the registry with its message in each language, and the trust codes given to it', () => {
    const en = page('en/errors.html');
    const ar = page('ar/errors.html');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(en).toContain(`<tr id="${code}">`);
      expect(en).toContain(spec.en.replace(/'/g, '&#39;'));
      expect(ar).toContain(`<tr id="${code}">`);
      expect(ar).toContain(spec.ar);
    }
    expect(en).toContain('Example trust error.');
    expect(ar).toContain('خطأ ثقة للتجربة.');
  });

  it('marks Arabic pages right-to-left and English pages left-to-right, each linking to the other language', () => {
    for (const [path, body] of site) {
      if (path.startsWith('ar/')) {
        expect(body).toContain('<html lang="ar" dir="rtl">');
        expect(body).toContain(`<a class="lang" href="${'../'.repeat(path.split('/').length - 1)}en/`);
      } else if (path.startsWith('en/')) {
        expect(body).toContain('<html lang="en" dir="ltr">');
      }
    }
    expect(page('ar/index.html')).toContain('<a class="lang" href="../en/index.html" hreflang="en" lang="en">English</a>');
    expect(page('en/schema/Query.html')).toContain('<a class="lang" href="../../ar/schema/Query.html"');
  });

  it('renders the guides from docs/ in both languages', () => {
    expect(page('en/guides/first-query.html')).toContain('<h1');
    expect(page('ar/guides/first-query.html')).toContain('dir="rtl"');
  });

  it('never makes a page load anything from elsewhere: no script, no inline style, no absolute resource URL', () => {
    for (const [path, body] of site) {
      if (!path.endsWith('.html')) continue;
      expect(body).not.toMatch(/<script/i);
      expect(body).not.toMatch(/\sstyle="/i);
      expect(body).not.toMatch(/<(link|img|iframe|source)[^>]+(href|src)="(https?:)?\/\//i);
    }
    expect(site.get('assets/site.css')).not.toMatch(/url\(|@import/);
  });
});

describe('splitBilingual', () => {
  it('splits one line at the slash before the Arabic part', () => {
    expect(splitBilingual('Calendar month as YYYY-MM / الشهر الميلادي بصيغة YYYY-MM')).toEqual({ en: 'Calendar month as YYYY-MM', ar: 'الشهر الميلادي بصيغة YYYY-MM' });
  });

  it('splits English lines from Arabic lines, keeping Latin words inside the Arabic text', () => {
    expect(splitBilingual('Cancels a request.\nCannot undo.\nيلغي الطلب عبر provisioningRequest.')).toEqual({ en: 'Cancels a request. Cannot undo.', ar: 'يلغي الطلب عبر provisioningRequest.' });
  });

  it('falls back to the whole text when one language is missing', () => {
    expect(splitBilingual('Only English')).toEqual({ en: 'Only English', ar: 'Only English' });
    expect(splitBilingual(undefined)).toEqual({ en: '', ar: '' });
  });
});

describe('the event catalogue', () => {
  it('says plainly that the catalogue is empty when no event contract is found', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const empty = buildDocsSite({ supergraphSdl: SUPERGRAPH, rootDir: mkdtempSync(`${tmpdir()}/gccgw-docs-empty-`) });
    expect(empty.get('en/events.html')).toContain('No event contract was found there, so the catalogue is empty.');
    expect(empty.get('ar/events.html')).toContain('ولم يُعثر فيها على أي عقد حدث');
  });

  it('lists the AsyncAPI channels and each event schema\u2019s fields, in the page\u2019s language', async () => {
    const { mkdirSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(`${tmpdir()}/gccgw-docs-events-`);
    mkdirSync(`${root}/schemas/events`, { recursive: true });
    writeFileSync(`${root}/schemas/asyncapi.yaml`, 'asyncapi: 3.0.0\nchannels:\n  hr:\n    address: gcc.qa.hr\n    description: "HR events of Qatar / أحداث الموارد البشرية في قطر"\n');
    writeFileSync(
      `${root}/schemas/events/gcc.hr.employment.ended.v1.schema.json`,
      JSON.stringify({ description: 'Employment ended / انتهاء الخدمة', required: ['employeeNumber'], properties: { employeeNumber: { type: 'string', description: 'Employee number / الرقم الوظيفي' } } }),
    );
    const events = buildDocsSite({ supergraphSdl: SUPERGRAPH, rootDir: root });
    const en = events.get('en/events.html') ?? '';
    const ar = events.get('ar/events.html') ?? '';
    expect(en).toContain('<code>gcc.qa.hr</code>');
    expect(en).toContain('HR events of Qatar');
    expect(ar).toContain('أحداث الموارد البشرية في قطر');
    expect(en).toContain('id="gcc.hr.employment.ended.v1"');
    expect(en).toContain('<code>employeeNumber</code> *');
    expect(ar).toContain('الرقم الوظيفي');
  });

  it('shows the committed catalogue (every event type, its headers, topics and sensitivity) in English and Arabic', async () => {
    const { EventCatalogue } = await import('../events/event-catalogue.js');
    const site = buildDocsSite({ supergraphSdl: SUPERGRAPH, rootDir: packageRoot() });
    const en = site.get('en/events.html') ?? '';
    const ar = site.get('ar/events.html') ?? '';
    for (const type of EventCatalogue.load().types) {
      expect(en).toContain(`id="${type}"`);
      expect(ar).toContain(`id="${type}"`);
    }
    expect(en).toContain('<code>gcc.{state}.{domain}</code>');
    expect(en).toContain('<code>ce_jws</code>');
    expect(en).toContain('Employment ended');
    expect(ar).toContain('انتهت الخدمة');
    expect(en).toContain('sens-PERSONAL');
    expect(ar).toContain('حساسية البيانات');
    expect(ar).not.toContain('Events for one member state');
  });
});
