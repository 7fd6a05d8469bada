import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TrustError } from '../errors/trust-error.js';
import type { LoadedIdentity } from '../pki/load-demo-pki.js';
import { rsaPssSigningChain, startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import { code } from '../testing/trust-error-code.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { eventSigningInput, signEvent } from './event-signatures.js';
import { fillHeaderTemplate, headerTemplateOf } from './header-template.js';
import { requestHash, signHttpRequest, signHttpResponse, type Signer } from './http-signatures.js';
import { signDetached, type JwsAlgorithm } from './sign-detached.js';
import { decodeDetachedJws, verifyDetached, verifyDetachedCached, type VerifyDetachedOptions } from './verify-detached.js';
import { ValidatedChainCache } from './verify-signature.js';

let env: DemoEnvironment;
const payload = new TextEncoder().encode('{"query":"{ employee(id: \\"1\\") { name } }"}');
/** Every extension name any binding below uses, so that crit alone never decides. */
const CRIT = ['gcc.htm', 'gcc.htu', 'gcc.dig', 'gcc.pur', 'gcc.nonce', 'gcc.cid', 'gcc.status', 'gcc.reqh', 'ex.num', 'ex.flag', 'ex.list', 'ex.null'];
const CONSTANTS = new Set(['alg', 'x5t#S256']);

type Binding = 'request' | 'response' | 'event' | 'raw';
interface SignerCase {
  readonly alg: JwsAlgorithm;
  readonly signer: Signer;
}
const signers: SignerCase[] = [];

beforeAll(async () => {
  env = await startDemoEnvironment();
  const agency = (state: 'QA' | 'KW' | 'AE'): Signer => {
    const id = (env.pki.states[state].agencies[0] as { signing: LoadedIdentity }).signing;
    return { privateKey: id.key.privateKey, certificates: id.chain, clock: env.clock };
  };
  const rsa = await rsaPssSigningChain(env, 'template');
  signers.push(
    { alg: 'ES256', signer: agency('QA') },
    { alg: 'ES384', signer: agency('KW') },
    { alg: 'EdDSA', signer: agency('AE') },
    { alg: 'PS256', signer: { privateKey: rsa.key, certificates: rsa.chain, clock: env.clock } },
  );
});

afterAll(async () => {
  await env.close();
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** A JWS of `signer` for `binding`, over `payload`; `n` varies the values that change per signature. */
async function sign(binding: Binding, { signer }: SignerCase, n: number): Promise<string> {
  env.clock.advanceSeconds(1);
  switch (binding) {
    case 'request':
      return (await signHttpRequest({ signer, method: 'POST', pathAndQuery: `/graphql?op=q${n}`, body: payload, purpose: 'AUDIT_OVERSIGHT', clientId: 'GCC:QA:GOV:CSGDB' })).signature;
    case 'response':
      return signHttpResponse({ signer, status: 200 + n, body: payload, requestHash: requestHash(`request ${n}`) });
    case 'event':
      return signEvent({ event: { specversion: '1.0', id: `e-${n}`, source: 'GCC:QA:GOV:CSGDB', type: 'gcc.hr.employment.ended.v1', data: { n } }, signer });
    case 'raw':
      return signDetached({
        payload, privateKey: signer.privateKey, certificates: signer.certificates, signingTime: env.clock.now(), typ: 'JOSE',
        headerParameters: { 'ex.num': n - 7, 'ex.flag': true, 'ex.list': ['a', 'b'], 'ex.null': null },
      });
  }
}

const textOf = (jws: string): string => Buffer.from(jws.split('.')[0] as string, 'base64url').toString('utf8');
const withText = (text: string | Buffer, signature: string): string => `${Buffer.from(text).toString('base64url')}..${signature}`;

/** What decoding gives: the code and message it threw, or the header (members in order), chain, signing time and whether the cached chain served. */
function outcome(options: Omit<VerifyDetachedOptions, 'payload'>): string {
  try {
    const decoded = decodeDetachedJws(options);
    return JSON.stringify({ header: decoded.header, chain: decoded.certificates.map((c: ParsedCertificate) => c.fingerprint), signingTime: decoded.signingTime.toISOString(), cached: decoded.cached !== undefined });
  } catch (error) {
    if (error instanceof TrustError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

/** Decodes with templates on, and reports whether a template gave the header (the full path always parses JSON). */
function viaTemplate(options: Omit<VerifyDetachedOptions, 'payload'>): { readonly result: string; readonly templated: boolean } {
  const parse = jest.spyOn(JSON, 'parse');
  try {
    const result = outcome({ ...options, headerTemplates: true });
    return { result, templated: parse.mock.calls.length === 0 };
  } finally {
    parse.mockRestore();
  }
}

/**
 * A cache that knows `jws`'s signer (jose accepted `first`), with a template made from `second`
 * (the full path accepted it and its signature verified).
 */
async function warm(first: string, second: string): Promise<ValidatedChainCache> {
  const cache = new ValidatedChainCache();
  await verifyDetached({ jws: first, payload: payloadOf(first), parsedCache: cache, crit: CRIT });
  expect(verifyDetachedCached({ jws: second, payload: payloadOf(second), parsedCache: cache, crit: CRIT })).toBeDefined();
  return cache;
}

/** The signed payload of each JWS made by `sign` (events sign their canonical form). */
const payloads = new Map<string, Uint8Array>();
const payloadOf = (jws: string): Uint8Array => payloads.get(jws) ?? payload;

async function signed(binding: Binding, signer: SignerCase, n: number): Promise<string> {
  const jws = await sign(binding, signer, n);
  if (binding === 'event') {
    payloads.set(jws, eventSigningInput({ specversion: '1.0', id: `e-${n}`, source: 'GCC:QA:GOV:CSGDB', type: 'gcc.hr.employment.ended.v1', data: { n } }));
  }
  return jws;
}

/** Where the values of the header's holes are in `text` (top-level strings but alg and x5t#S256, and integers). */
function holeRanges(text: string): Array<[number, number]> {
  const header = JSON.parse(text) as Record<string, unknown>;
  const ranges: Array<[number, number]> = [];
  for (const [name, value] of Object.entries(header)) {
    if (CONSTANTS.has(name) || (typeof value !== 'string' && typeof value !== 'number')) continue;
    const at = text.indexOf(`${JSON.stringify(name)}:`) + JSON.stringify(name).length + 1;
    const start = typeof value === 'string' ? at + 1 : at;
    ranges.push([start, start + (typeof value === 'string' ? value.length : String(value).length)]);
  }
  return ranges;
}

interface Variant {
  readonly label: string;
  readonly text: string | Buffer;
  /** Whether a template must give it (only changed hole values of the hole alphabet, before x5c as long as before). */
  readonly templated?: boolean;
}

/** Generated header texts around `text` (a signed header as JSON.stringify wrote it). */
function variants(text: string): Variant[] {
  const header = JSON.parse(text) as Record<string, unknown>;
  const out: Variant[] = [{ label: 'as signed', text, templated: true }];
  const stringHoles = Object.keys(header).filter((name) => typeof header[name] === 'string' && !CONSTANTS.has(name));
  const integerHoles = Object.keys(header).filter((name) => typeof header[name] === 'number');
  const set = (name: string, value: unknown): string => JSON.stringify({ ...header, [name]: value });
  const names = Object.keys(header);
  // A hole before x5c that changes length moves the anchor text (TextAnchor): that header is parsed.
  const keepsAnchor = (name: string, value: string): boolean => names.indexOf(name) > names.indexOf('x5c') || value.length === String(header[name]).length;
  // Values of every length 0-40 (so the base64url of all that follows shifts by every offset), in and out of the alphabet.
  const inAlphabet = ['', 'a', '0', ' ', '~', '!#$%&\'()*+,-./:;<=>?@[]^_`{|}', 'POST', '/graphql?op=x&y=1', ...Array.from({ length: 41 }, (_, n) => 'x'.repeat(n))];
  const outOfAlphabet = ['a"b', 'a\\b', '\u0001', '\u001f', '\u007f', 'é', 'للتدقيق', '😀', '\ud800', 'a\nb', '\u2028'];
  for (const name of stringHoles) {
    for (const value of inAlphabet) {
      // sigT must stay a valid time of the same length: before x5c, its length moves the anchor.
      if (name === 'sigT') continue;
      out.push({ label: `${name} = ${JSON.stringify(value)}`, text: set(name, value), templated: keepsAnchor(name, value) });
    }
    for (const value of outOfAlphabet) out.push({ label: `${name} = ${JSON.stringify(value)}`, text: set(name, value), templated: false });
    // Escapes JSON.stringify would not write, of characters of the alphabet.
    const raw = JSON.stringify(header[name]);
    const at = text.indexOf(`${JSON.stringify(name)}:${raw}`) + JSON.stringify(name).length + 1;
    out.push({ label: `${name} with \\u0041`, text: `${text.slice(0, at + 1)}\\u0041${text.slice(at + 1)}`, templated: false });
    out.push({ label: `${name} with \\/`, text: `${text.slice(0, at + 1)}\\/${text.slice(at + 1)}`, templated: false });
    out.push({ label: `${name} not a string`, text: set(name, 12), templated: false });
    out.push({ label: `${name} as an array`, text: set(name, [header[name]]), templated: false });
    out.push({ label: `${name} null`, text: set(name, null), templated: false });
  }
  out.push(
    { label: 'sigT a second later', text: set('sigT', String(header.sigT).replace(/:(\d\d)Z$/, (_, s: string) => `:${String((Number(s) + 1) % 60).padStart(2, '0')}Z`)), templated: true },
    { label: 'sigT not a date', text: set('sigT', '2026-13-45T99:00:00Z'), templated: false },
    { label: 'sigT with milliseconds', text: set('sigT', '2026-11-01T09:00:00.000Z'), templated: false },
    { label: 'sigT in another form', text: set('sigT', '2026-11-01 09:00:00Z'), templated: false },
  );
  for (const name of integerHoles) {
    for (const value of ['0', '1', '-1', '7', '404', '999999999999999', '-999999999999999']) out.push({ label: `${name} = ${value}`, text: text.replace(`${JSON.stringify(name)}:${String(header[name])}`, `${JSON.stringify(name)}:${value}`), templated: true });
    for (const value of ['-0', '007', '1.0', '1e2', '2E0', '1234567890123456', '99999999999999999999', '-', '+1', ' 1', '"1"', 'true', '0x10']) {
      out.push({ label: `${name} = ${value}`, text: text.replace(`${JSON.stringify(name)}:${String(header[name])}`, `${JSON.stringify(name)}:${value}`), templated: false });
    }
  }
  for (let i = 0; i + 1 < names.length; i++) {
    // Two neighbouring members swapped.
    const order = [...names];
    [order[i], order[i + 1]] = [order[i + 1] as string, order[i] as string];
    out.push({ label: `${order[i]} before ${order[i + 1]}`, text: JSON.stringify(Object.fromEntries(order.map((n) => [n, header[n]]))), templated: false });
  }
  const body = text.slice(1, -1);
  for (const name of names) {
    const member = `${JSON.stringify(name)}:${JSON.stringify(header[name])}`;
    const other = name === 'alg' ? '"none"' : name === 'x5c' ? '["AAAA"]' : name === 'crit' ? '["b64"]' : typeof header[name] === 'number' ? '1' : '"dup"';
    // Duplicates: JSON.parse keeps the last value, at the place of the first.
    out.push({ label: `${name} twice, the signed value last`, text: `{${JSON.stringify(name)}:${other},${body}}`, templated: false });
    out.push({ label: `${name} twice, the signed value first`, text: `{${body},${JSON.stringify(name)}:${other}}`, templated: false });
    out.push({ label: `${name} twice, the same value`, text: `{${body},${member}}`, templated: false });
    out.push({ label: `${name} left out`, text: JSON.stringify({ ...header, [name]: undefined }), templated: false });
    // Whitespace before and after the member.
    out.push({ label: `a space before ${name}`, text: text.replace(member, ` ${member}`), templated: false });
    out.push({ label: `a newline after ${name}`, text: text.replace(member, `${member}\n`), templated: false });
    out.push({ label: `a space inside ${name}`, text: text.replace(member, member.replace('":', '": ')), templated: false });
  }
  out.push(
    { label: 'an extra member first', text: `{"kid":"k",${body}}`, templated: false },
    { label: 'an extra member last', text: `{${body},"kid":"k"}`, templated: false },
    { label: 'an extra integer-like member', text: `{${body},"1":"k"}`, templated: false },
    { label: 'a __proto__ member', text: `{${body},"__proto__":"k"}`, templated: false },
    { label: 'a jwk', text: `{${body},"jwk":{"kty":"EC"}}`, templated: false },
    { label: 'trailing whitespace', text: `${text} `, templated: false },
    { label: 'leading whitespace', text: ` ${text}`, templated: false },
    { label: 'not JSON after', text: `${text}x`, templated: false },
    { label: 'cut short', text: text.slice(0, -1), templated: false },
    { label: 'two objects', text: `${text}${text}`, templated: false },
    { label: 'invalid UTF-8 at the end', text: Buffer.concat([Buffer.from(text), Buffer.from([0xe2, 0x82])]), templated: false },
    { label: 'crit with an unknown name', text: set('crit', [...(header.crit as string[]), 'gcc.unknown']), templated: false },
    { label: 'b64 true', text: set('b64', true), templated: false },
    { label: 'alg none', text: set('alg', 'none'), templated: false },
    { label: 'another x5t#S256', text: set('x5t#S256', 'A'.repeat(43)), templated: false },
  );
  return out;
}

describe('header templates of known signers', () => {
  for (const binding of ['request', 'response', 'event', 'raw'] as const) {
    it(`gives exactly what the full parse gives for generated ${binding} headers of every algorithm, and a template gives the ones it should`, async () => {
      for (const signer of signers) {
        const [first, second, third] = [await signed(binding, signer, 1), await signed(binding, signer, 2), await signed(binding, signer, 3)];
        const cache = await warm(first, second);
        const text = textOf(third);
        const signature = third.split('.')[2] as string;
        const disagreements: string[] = [];
        const wrongPath: string[] = [];
        let templated = 0;
        for (const variant of variants(text)) {
          const jws = withText(variant.text, signature);
          const full = outcome({ jws, parsedCache: cache, crit: CRIT, headerTemplates: false });
          const fast = viaTemplate({ jws, parsedCache: cache, crit: CRIT });
          if (fast.result !== full) disagreements.push(`${signer.alg} ${variant.label}: ${fast.result.slice(0, 120)} / ${full.slice(0, 120)}`);
          if (variant.templated !== undefined && fast.templated !== variant.templated) wrongPath.push(`${signer.alg} ${variant.label}: ${fast.templated ? 'templated' : 'parsed'}`);
          if (fast.templated) templated++;
        }
        expect(disagreements).toEqual([]);
        expect(wrongPath).toEqual([]);
        expect(templated).toBeGreaterThan(binding === 'event' ? 1 : binding === 'raw' ? 5 : 30);
      }
    });
  }

  it('falls back to the full parse for every single-byte change outside the holes, and agrees with it everywhere', async () => {
    for (const signer of [signers[0], signers[3]] as SignerCase[]) {
      const [first, second, third] = [await signed('request', signer, 1), await signed('request', signer, 2), await signed('request', signer, 3)];
      const cache = await warm(first, second);
      const bytes = Buffer.from(textOf(third));
      const signature = third.split('.')[2] as string;
      const holes = holeRanges(bytes.toString('latin1'));
      const inHole = (at: number): boolean => holes.some(([from, to]) => at >= from && at < to);
      const disagreements: string[] = [];
      const templatedOutside: number[] = [];
      let templatedInside = 0;
      // One spy for the loop: a decode that calls JSON.parse went the full way.
      const parse = jest.spyOn(JSON, 'parse');
      // Inside the x5c strings, a neighbouring base64 character or a non-ASCII byte makes the full
      // path parse a certificate (milliseconds each): tried at every 64th byte there; a quote at every byte.
      const x5cFrom = bytes.indexOf('"x5c":[') + 7;
      const x5cTo = bytes.indexOf(']', x5cFrom);
      for (let at = 0; at < bytes.length; at++) {
        const original = bytes[at] as number;
        const quote = original === 0x22 ? 0x5c : 0x22;
        const sparse = at > x5cFrom && at < x5cTo && at % 64 !== 0 && original !== 0x22 && original !== 0x2c;
        // A neighbouring byte, a quote (a backslash for a quote), and a byte that is not ASCII.
        for (const replacement of sparse ? [quote] : [original ^ 0x01, quote, 0x80]) {
          const edited = Buffer.from(bytes);
          edited[at] = replacement;
          const jws = withText(edited, signature);
          const full = outcome({ jws, parsedCache: cache, crit: CRIT, headerTemplates: false });
          const before = parse.mock.calls.length;
          const fast = outcome({ jws, parsedCache: cache, crit: CRIT });
          const templated = parse.mock.calls.length === before;
          parse.mockClear();
          if (fast !== full) disagreements.push(`${signer.alg} byte ${at} = ${replacement}`);
          if (templated && !inHole(at)) templatedOutside.push(at);
          if (templated && inHole(at)) templatedInside++;
        }
      }
      parse.mockRestore();
      expect(disagreements).toEqual([]);
      expect(templatedOutside).toEqual([]);
      // In the holes, a neighbouring character of the alphabet still fits the template.
      expect(templatedInside).toBeGreaterThan(50);
      // The same header untouched still comes from its template (so the loop above could have seen one).
      expect(viaTemplate({ jws: third, parsedCache: cache, crit: CRIT }).templated).toBe(true);
    }
  }, 180_000);

  it('checks what the call decides as the full path does: allowed algorithms, understood crit names, chain length, the cache at hand', async () => {
    const signer = signers[3] as SignerCase;
    const [first, second, third] = [await signed('request', signer, 1), await signed('request', signer, 2), await signed('request', signer, 3)];
    const cache = await warm(first, second);
    const cases: Array<[string, Omit<VerifyDetachedOptions, 'payload'>, string]> = [
      ['as warmed', { jws: third, parsedCache: cache, crit: CRIT }, 'templated'],
      ['PS256 not allowed', { jws: third, parsedCache: cache, crit: CRIT, algorithms: ['ES256'] }, 'ERR_TRUST_JWS_ALG_NOT_ALLOWED'],
      ['the binding names not understood', { jws: third, parsedCache: cache }, 'ERR_TRUST_JWS_CRIT'],
      ['one binding name not understood', { jws: third, parsedCache: cache, crit: CRIT.filter((n) => n !== 'gcc.nonce') }, 'ERR_TRUST_JWS_CRIT'],
      ['one certificate at most', { jws: third, parsedCache: cache, crit: CRIT, maxChainLength: 1 }, 'ERR_TRUST_JWS_MALFORMED'],
      ['another cache that never saw the signer', { jws: third, parsedCache: new ValidatedChainCache(), crit: CRIT }, 'parsed, not cached'],
      ['as warmed, again', { jws: third, parsedCache: cache, crit: CRIT }, 'templated'],
    ];
    for (const [label, options, expected] of cases) {
      const fast = viaTemplate(options);
      expect([label, fast.result]).toEqual([label, outcome({ ...options, headerTemplates: false })]);
      const seen = fast.templated ? 'templated' : fast.result.startsWith('ERR_') ? fast.result.split(':')[0] : JSON.parse(fast.result).cached ? 'parsed, cached' : 'parsed, not cached';
      expect([label, seen]).toEqual([label, expected]);
    }
    // A cache that dropped the chain, or holds another entry for the same signer, is not served from the template.
    cache.clear();
    expect(viaTemplate({ jws: third, parsedCache: cache, crit: CRIT }).templated).toBe(false);
    expect(decodeDetachedJws({ jws: third, parsedCache: cache, crit: CRIT }).cached).toBeUndefined();
  });

  it('makes a template only from a header whose signature verified', async () => {
    const signer = signers[0] as SignerCase;
    const [first, second, third] = [await signed('request', signer, 1), await signed('request', signer, 2), await signed('request', signer, 3)];
    const cache = new ValidatedChainCache();
    await verifyDetached({ jws: first, payload, parsedCache: cache, crit: CRIT });
    // Known signer, full path, but the signature does not verify: no template.
    const forged = `${second.split('.')[0] as string}..${(first.split('.')[2] as string)}`;
    expect(code(() => verifyDetachedCached({ jws: forged, payload, parsedCache: cache, crit: CRIT }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
    expect(viaTemplate({ jws: third, parsedCache: cache, crit: CRIT }).templated).toBe(false);
    // Decoded alone (no signature checked): no template either.
    decodeDetachedJws({ jws: second, parsedCache: cache, crit: CRIT });
    expect(viaTemplate({ jws: third, parsedCache: cache, crit: CRIT }).templated).toBe(false);
    expect(verifyDetachedCached({ jws: second, payload, parsedCache: cache, crit: CRIT })).toBeDefined();
    expect(viaTemplate({ jws: third, parsedCache: cache, crit: CRIT }).templated).toBe(true);
    // A bad signature under a templated header is still refused (the template spares only the parse).
    expect(code(() => verifyDetachedCached({ jws: `${third.split('.')[0] as string}..${first.split('.')[2] as string}`, payload, parsedCache: cache, crit: CRIT }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });

  it('keeps serving signers taken in turn, more of them than the recent templates, each its own chain', async () => {
    const caches: Array<{ cache: ValidatedChainCache; jws: string; chain: readonly string[] }> = [];
    for (let round = 0; round < 17; round++) {
      for (const signer of signers) {
        const [first, second, third] = [await signed('request', signer, 1), await signed('request', signer, 2), await signed('request', signer, 3)];
        caches.push({ cache: await warm(first, second), jws: third, chain: signer.signer.certificates.map((c) => (c as ParsedCertificate).fingerprint) });
      }
    }
    expect(caches.length).toBeGreaterThan(64);
    for (let pass = 0; pass < 2; pass++) {
      for (const { cache, jws, chain } of caches) {
        const decoded = decodeDetachedJws({ jws, parsedCache: cache, crit: CRIT });
        expect(decoded.cached).toBeDefined();
        expect(decoded.certificates.map((c) => c.fingerprint)).toEqual(chain);
      }
    }
    // The newest ones are still templated.
    const last = caches[caches.length - 1] as { cache: ValidatedChainCache; jws: string };
    expect(viaTemplate({ jws: last.jws, parsedCache: last.cache, crit: CRIT }).templated).toBe(true);
  });

  it('hands every caller a header and arrays of its own', async () => {
    const signer = signers[2] as SignerCase;
    const [first, second, third] = [await signed('raw', signer, 1), await signed('raw', signer, 2), await signed('raw', signer, 3)];
    const cache = await warm(first, second);
    expect(viaTemplate({ jws: third, parsedCache: cache, crit: CRIT }).templated).toBe(true);
    const one = decodeDetachedJws({ jws: third, parsedCache: cache, crit: CRIT });
    (one.header.crit as string[]).push('x');
    (one.header['ex.list'] as string[]).pop();
    (one.header.x5c as string[]).pop();
    one.header.sigT = 'changed';
    const two = decodeDetachedJws({ jws: third, parsedCache: cache, crit: CRIT });
    expect(two.header).toEqual(JSON.parse(textOf(third)));
    expect(two.header.crit).not.toBe(one.header.crit);
  });
});

describe('headerTemplateOf', () => {
  const base = { alg: 'ES256', b64: false, crit: ['b64', 'sigT'], sigT: '2026-11-01T08:00:00Z', x5c: ['AAAA'.repeat(40)], 'x5t#S256': 'x'.repeat(43), n: 5 };
  const template = (text: string | Buffer): unknown => headerTemplateOf(Buffer.from(text), CONSTANTS);

  it('makes a template only of a text that JSON.stringify writes for what JSON.parse reads of it', () => {
    const text = JSON.stringify(base);
    expect(template(text)).toBeDefined();
    const refused: Array<[string, string | Buffer]> = [
      ['whitespace', JSON.stringify(base, null, 1)],
      ['a duplicate member', text.replace('"n":5', '"n":4,"n":5')],
      ['an escape stringify does not write', text.replace('"ES256"', '"E\\u0053256"')],
      ['an integer-like member name', text.replace('"n":5', '"n":5,"7":1')],
      ['a __proto__ member', text.replace('"n":5', '"n":5,"__proto__":1')],
      ['invalid UTF-8', Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from(',"v":"'), Buffer.from([0xff]), Buffer.from('"}')])],
      ['a fraction', text.replace('"n":5', '"n":5.5')],
      ['an integer beyond 15 digits', text.replace('"n":5', '"n":1234567890123456')],
      ['a nested object', text.replace('"n":5', '"n":{"a":1}')],
      ['an array holding a number', text.replace('"n":5', '"n":[1]')],
      ['a value outside the hole alphabet', text.replace('"n":5', '"n":"é"')],
      ['an array, not an object', `[${text}]`],
      ['not JSON', text.slice(1)],
    ];
    for (const [label, variant] of refused) expect([label, template(variant)]).toEqual([label, undefined]);
  });

  it('gives back the header it was made of, and the parse of any text that fits it', () => {
    const text = JSON.stringify(base);
    const made = headerTemplateOf(Buffer.from(text), CONSTANTS);
    if (made === undefined) throw new Error('no template');
    expect(made.holeNames).toEqual(['sigT', 'n']);
    expect(fillHeaderTemplate(made, Buffer.from(text), false)).toEqual(base);
    for (const value of [0, -1, 42, 999_999_999_999_999]) {
      const other = text.replace('"n":5', `"n":${value}`);
      expect(fillHeaderTemplate(made, Buffer.from(other), false)).toEqual(JSON.parse(other));
    }
    for (const other of [text.replace('"n":5', '"n":-0'), text.replace('"n":5', '"n":05'), text.replace('"ES256"', '"ES384"'), text.replace('"n":5', '"n":"5"')]) {
      expect(fillHeaderTemplate(made, Buffer.from(other), false)).toBeUndefined();
    }
  });
});
