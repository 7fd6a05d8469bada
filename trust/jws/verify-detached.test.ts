import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TrustError } from '../errors/trust-error.js';
import { issueCertificate } from '../pki/issue-certificate.js';
import { generateKeyPair } from '../pki/key-pair.js';
import type { LoadedIdentity } from '../pki/load-demo-pki.js';
import { rsaPssSigningChain, startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import { code, codeOf } from '../testing/trust-error-code.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { signDetached, x5tS256 } from './sign-detached.js';
import { decodeDetachedJws, verifyDetached, verifyDetachedCached, verifyDetachedCachedOffloaded } from './verify-detached.js';
import { cachedMemberChain, ValidatedChainCache, verifyMemberChain, verifySignature, type SignatureTrust } from './verify-signature.js';

let env: DemoEnvironment;
let qa: LoadedIdentity;
const payload = new TextEncoder().encode('{"query":"{ employee(id: \\"1\\") { name } }"}');

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function headerOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function withHeader(jws: string, header: Record<string, unknown>): string {
  return `${b64url(header)}..${jws.split('.')[2] as string}`;
}

/** A trust context whose cache already holds `jws`'s signer (jose accepted it once). */
async function warmTrust(jws: string): Promise<SignatureTrust> {
  const trust: SignatureTrust = { ...env.trust, chainCache: new ValidatedChainCache() };
  expect(await codeOf(verifySignature({ jws, payload, trust }))).toBe('accepted');
  return trust;
}

beforeAll(async () => {
  env = await startDemoEnvironment();
  qa = (env.pki.states.QA.agencies[0] as { signing: LoadedIdentity }).signing;
});

afterAll(async () => {
  await env.close();
});

describe('parsed signer cache (keyed by x5t#S256)', () => {
  it('serves a known signer only when the x5c is exactly the one jose accepted', async () => {
    const cache = new ValidatedChainCache();
    const twoCerts = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const withRoot = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: [...qa.chain, env.pki.states.QA.root.certificate], signingTime: env.clock.now() });
    expect(headerOf(withRoot)['x5t#S256']).toBe(headerOf(twoCerts)['x5t#S256']);

    await verifyDetached({ jws: twoCerts, payload, parsedCache: cache });
    expect(decodeDetachedJws({ jws: twoCerts, parsedCache: cache }).cached).toBeDefined();
    // Same signer certificate (same x5t#S256), another x5c: a miss, parsed from the header, checked by jose.
    const other = decodeDetachedJws({ jws: withRoot, parsedCache: cache });
    expect(other.cached).toBeUndefined();
    expect(other.certificates).toHaveLength(3);
    expect(verifyDetachedCached({ jws: withRoot, payload, parsedCache: cache })).toBeUndefined();

    await verifyDetached({ jws: withRoot, payload, parsedCache: cache });
    expect(cache.getParsed(x5tS256(qa.certificate.der))?.x5c).toHaveLength(3);
    expect(decodeDetachedJws({ jws: withRoot, parsedCache: cache }).cached).toBeDefined();
    expect(decodeDetachedJws({ jws: twoCerts, parsedCache: cache }).cached).toBeUndefined();
  });

  it("refuses a header that pairs a cached signer's x5t#S256 with another certificate", async () => {
    const good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const trust = await warmTrust(good);
    const rogueKey = await generateKeyPair('ec-p256');
    const rogue = await issueCertificate({ subject: 'C=QA, CN=rogue', subjectKey: rogueKey, profile: 'signing', notBefore: new Date('2026-01-01'), notAfter: new Date('2030-01-01') });
    const signed = await signDetached({ payload, privateKey: rogueKey.privateKey, certificates: [rogue], signingTime: env.clock.now() });
    // The rogue's own x5c, but the known signer's x5t#S256: must not be served the cached QA chain.
    const forged = withHeader(signed, { ...headerOf(signed), 'x5t#S256': headerOf(good)['x5t#S256'] });
    expect(code(() => decodeDetachedJws({ jws: forged, parsedCache: trust.chainCache }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(await codeOf(verifySignature({ jws: forged, payload, trust }))).toBe('ERR_TRUST_JWS_MALFORMED');
  });

  it('decides on the chain presented: the known leaf with another intermediate is parsed, not taken from the cache', async () => {
    const good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const trust = await warmTrust(good);
    const otherIntermediate = env.pki.states.SA.intermediate.certificate;
    const mixed = withHeader(good, { ...headerOf(good), x5c: [qa.certificate, otherIntermediate].map((c) => Buffer.from(c.der).toString('base64')) });
    const decoded = decodeDetachedJws({ jws: mixed, parsedCache: trust.chainCache });
    expect(decoded.cached).toBeUndefined();
    expect(decoded.certificates.map((c) => c.fingerprint)).toEqual([qa.certificate.fingerprint, otherIntermediate.fingerprint]);
  });

  it('does not carry an algorithm jose accepted over to another algorithm of the same signer', async () => {
    // ES256 accepted and cached; ES384 with the same x5c must still meet the key-type check.
    const good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const trust = await warmTrust(good);
    const es384 = withHeader(good, { ...headerOf(good), alg: 'ES384' });
    expect(code(() => decodeDetachedJws({ jws: es384, algorithms: ['ES256', 'ES384'], parsedCache: trust.chainCache }))).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');
    expect(await codeOf(verifySignature({ jws: es384, payload, trust }))).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');

    // PS256 accepted and cached for an RSA signer; RS256 from the same signer goes through jose, and only when allowed.
    const { key, chain } = await rsaPssSigningChain(env, 'rsa');
    const ps256 = await signDetached({ payload, privateKey: key, certificates: chain, signingTime: env.clock.now(), algorithm: 'PS256' });
    const rs256 = await signDetached({ payload, privateKey: key, certificates: chain, signingTime: env.clock.now(), algorithm: 'RS256' });
    const cache = new ValidatedChainCache();
    const algorithms = ['PS256', 'RS256'] as const;
    await verifyDetached({ jws: ps256, payload, algorithms, parsedCache: cache });
    expect(verifyDetachedCached({ jws: ps256, payload, algorithms, parsedCache: cache })).toBeDefined();
    expect(code(() => verifyDetachedCached({ jws: rs256, payload, parsedCache: cache }))).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');
    expect(verifyDetachedCached({ jws: rs256, payload, algorithms, parsedCache: cache })).toBeUndefined();
    // The PS256 signature under an RS256 header: refused, and by the signature check, not let through by the cache.
    const relabelled = withHeader(ps256, { ...headerOf(ps256), alg: 'RS256' });
    expect(await codeOf(verifyDetached({ jws: relabelled, payload, algorithms, parsedCache: cache }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
    await verifyDetached({ jws: rs256, payload, algorithms, parsedCache: cache });
    expect([...(cache.getParsed(x5tS256((chain[0] as ParsedCertificate).der))?.joseVerified ?? [])].sort()).toEqual(['PS256', 'RS256']);
    expect(code(() => verifyDetachedCached({ jws: relabelled, payload, algorithms, parsedCache: cache }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });
});

describe('header checks on the cached fast path', () => {
  let good: string;
  let h: Record<string, unknown>;
  let sig: string;
  beforeAll(async () => {
    good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    h = headerOf(good);
    sig = good.split('.')[2] as string;
  });

  it('refuses every header trick with the same code whether the signer is cached or not', async () => {
    const warm = await warmTrust(good);
    const cold: SignatureTrust = { ...env.trust, chainCache: undefined };
    const protectedB64 = good.split('.')[0] as string;
    const cases: Array<[string, string, string]> = [
      ['alg none', withHeader(good, { ...h, alg: 'none' }), 'ERR_TRUST_JWS_ALG_NOT_ALLOWED'],
      ['alg HS256', withHeader(good, { ...h, alg: 'HS256' }), 'ERR_TRUST_JWS_ALG_NOT_ALLOWED'],
      ['b64 true', withHeader(good, { ...h, b64: true }), 'ERR_TRUST_JWS_CRIT'],
      ['b64 not critical', withHeader(good, { ...h, crit: ['sigT'] }), 'ERR_TRUST_JWS_CRIT'],
      ['sigT not critical', withHeader(good, { ...h, crit: ['b64'] }), 'ERR_TRUST_JWS_CRIT'],
      ['an unknown critical parameter', withHeader(good, { ...h, crit: ['b64', 'sigT', 'exp'], exp: 1 }), 'ERR_TRUST_JWS_CRIT'],
      ['a duplicate crit entry', withHeader(good, { ...h, crit: ['b64', 'sigT', 'b64'] }), 'ERR_TRUST_JWS_CRIT'],
      ['a crit entry that is not a string', withHeader(good, { ...h, crit: ['b64', 'sigT', 7] }), 'ERR_TRUST_JWS_CRIT'],
      ['crit naming an absent parameter', withHeader(good, { ...h, crit: ['b64', 'sigT', 'gcc.htm'] }), 'ERR_TRUST_JWS_CRIT'],
      ['an inline jwk', withHeader(good, { ...h, jwk: { kty: 'EC' } }), 'ERR_TRUST_JWS_MALFORMED'],
      ['a jku', withHeader(good, { ...h, jku: 'https://example.test/keys' }), 'ERR_TRUST_JWS_MALFORMED'],
      ['an x5u', withHeader(good, { ...h, x5u: 'https://example.test/chain' }), 'ERR_TRUST_JWS_MALFORMED'],
      ['sigT with milliseconds', withHeader(good, { ...h, sigT: '2026-11-01T09:00:00.000Z' }), 'ERR_TRUST_JWS_MALFORMED'],
      ['sigT that is no date', withHeader(good, { ...h, sigT: '2026-13-45T99:00:00Z' }), 'ERR_TRUST_JWS_MALFORMED'],
      ['no x5t#S256', withHeader(good, { ...h, 'x5t#S256': undefined }), 'ERR_TRUST_JWS_MALFORMED'],
      ['another x5t#S256', withHeader(good, { ...h, 'x5t#S256': 'AAAA' }), 'ERR_TRUST_JWS_MALFORMED'],
      ['x5c longer than allowed', withHeader(good, { ...h, x5c: new Array(6).fill((h.x5c as string[])[0]) }), 'ERR_TRUST_JWS_MALFORMED'],
      ['x5c holding a number', withHeader(good, { ...h, x5c: [...(h.x5c as string[]), 1] }), 'ERR_TRUST_JWS_MALFORMED'],
      ['a header nested too deeply', withHeader(good, { ...h, n: [[[{ a: 1 }]]] }), 'ERR_TRUST_INPUT_TOO_LARGE'],
      ['a base64 (not base64url) character in the header part', `${protectedB64.slice(0, -1)}+..${sig}`, 'ERR_TRUST_JWS_MALFORMED'],
      ['a padded header part', `${protectedB64}=..${sig}`, 'ERR_TRUST_JWS_MALFORMED'],
      // Node's decoder reads a character above U+00FF by its low byte (U+0155 as "U"): the text
      // decodes like the signed one, but is not the text that was signed.
      ['a header character that only aliases base64url', `${protectedB64.replace('e', '\u0165')}..${sig}`, 'ERR_TRUST_JWS_MALFORMED'],
      ['an attached payload', `${protectedB64}.${b64url('x')}.${sig}`, 'ERR_TRUST_JWS_MALFORMED'],
      ['four parts', `${protectedB64}..${sig}.x`, 'ERR_TRUST_JWS_MALFORMED'],
      ['a signature that is not base64url', `${protectedB64}..${sig.slice(1)}+`, 'ERR_TRUST_JWS_MALFORMED'],
      ['a header that decodes but was not signed', withHeader(good, { ...h, typ: 'x' }), 'ERR_TRUST_JWS_BAD_SIGNATURE'],
    ];
    expect(protectedB64).toContain('e');
    for (const [label, jws, expected] of cases) {
      const outcome = [await codeOf(verifySignature({ jws, payload, trust: warm })), await codeOf(verifySignature({ jws, payload, trust: cold }))];
      expect([label, ...outcome]).toEqual([label, expected, expected]);
    }
    // The cache still serves the untouched signature afterwards.
    expect(verifyDetachedCached({ jws: good, payload, parsedCache: warm.chainCache })).toBeDefined();
  });

  it('allows values four levels below the header and no deeper', () => {
    const cache = new ValidatedChainCache();
    const decode = (n: unknown): string => code(() => decodeDetachedJws({ jws: withHeader(good, { ...h, n }), parsedCache: cache }));
    expect(decode([[[{}]]])).toBe('accepted');
    expect(decode([[[[]]]])).toBe('accepted');
    expect(decode([[[1]]])).toBe('accepted');
    expect(decode([[[{ a: 1 }]]])).toBe('ERR_TRUST_INPUT_TOO_LARGE');
    expect(decode([[[[1]]]])).toBe('ERR_TRUST_INPUT_TOO_LARGE');
    expect(decode({ a: { b: { c: { d: 1 } } } })).toBe('ERR_TRUST_INPUT_TOO_LARGE');
  });

  it('verifies payloads larger than the reused buffer, and small ones after them', async () => {
    const large = new Uint8Array(200_000).fill(0x61);
    const signed = await signDetached({ payload: large, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const trust = await warmTrust(good);
    expect(await codeOf(verifySignature({ jws: signed, payload: large, trust }))).toBe('accepted');
    expect(verifyDetachedCached({ jws: signed, payload: large, parsedCache: trust.chainCache })).toBeDefined();
    const tampered = Uint8Array.from(large);
    tampered[tampered.length - 1] = 0x62;
    expect(await codeOf(verifySignature({ jws: signed, payload: tampered, trust }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
    expect(await codeOf(verifySignature({ jws: good, payload, trust }))).toBe('accepted');
    expect(await codeOf(verifySignature({ jws: good, payload: payload.subarray(1), trust }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });

  it('checks the crit names a caller understands as they are at each call', async () => {
    const signed = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now(), headerParameters: { 'gcc.pur': 'p' } });
    const trust = await warmTrust(good);
    const understood = ['gcc.pur'];
    expect(await codeOf(verifySignature({ jws: signed, payload, trust, crit: understood }))).toBe('accepted');
    understood[0] = 'gcc.other';
    expect(await codeOf(verifySignature({ jws: signed, payload, trust, crit: understood }))).toBe('ERR_TRUST_JWS_CRIT');
  });
});

/**
 * What the first checks of decodeDetachedJws refuse, written as they were before they were made
 * cheaper: split at the dots, then base64url by re-encoding each part (the signature part used to be
 * matched with /^[A-Za-z0-9_-]*$/ only; it now has to be canonical too, and may be empty).
 */
function referenceFrontEnd(jws: string): string | undefined {
  const firstDot = jws.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : jws.indexOf('.', firstDot + 1);
  if (secondDot < 0 || jws.indexOf('.', secondDot + 1) >= 0) return 'A detached JWS has three parts';
  if (secondDot !== firstDot + 1) return 'The payload part of a detached JWS must be empty';
  const protectedB64 = jws.slice(0, firstDot);
  const signatureB64 = jws.slice(secondDot + 1);
  if (Buffer.from(signatureB64, 'base64url').toString('base64url') !== signatureB64) return 'Not base64url';
  if (protectedB64.length === 0 || Buffer.from(protectedB64, 'base64url').toString('base64url') !== protectedB64) return 'Not base64url';
  return undefined;
}

const FRONT_END_MESSAGES = new Set(['A detached JWS has three parts', 'The payload part of a detached JWS must be empty', 'Not base64url']);

/** Which of those checks refuses `jws` now (by its message), or `undefined` when it gets past them. */
function frontEnd(jws: string, parsedCache?: ValidatedChainCache): string | undefined {
  try {
    decodeDetachedJws({ jws, parsedCache });
  } catch (error) {
    if (!(error instanceof TrustError)) throw error;
    if (FRONT_END_MESSAGES.has(error.message)) return error.message;
  }
  return undefined;
}

describe('base64url parts checked while decoding', () => {
  // Every ASCII code unit, non-ASCII ones Node's decoder would read by their low byte as "-", "A",
  // "U" and "_", other non-ASCII ones, and a lone surrogate.
  const units = [...Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)), '\u0080', '\u00ad', '\u00ff', '\u012d', '\u0141', '\u0155', '\u015f', '\uff3f', '\ud800'];

  it('refuses exactly what re-encoding refuses, for every character at every kind of position of either part', async () => {
    const good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const [protectedB64, , sig] = good.split('.') as [string, string, string];
    // Warm, so that signatures edited past these checks do not parse the chain each time.
    const cache = new ValidatedChainCache();
    await verifyDetached({ jws: good, payload, parsedCache: cache });
    // Header parts of each length modulo 4 (0, 2, 3 are valid lengths, 1 is not), signatures of each length.
    const headers = [protectedB64, protectedB64.slice(0, -1), protectedB64.slice(0, -2), protectedB64.slice(0, -3)];
    const signatures = [sig, sig.slice(0, -1), sig.slice(0, -2), sig.slice(0, -3), ''];
    const edits = (text: string, unit: string): string[] => {
      const out: string[] = [];
      for (const at of new Set([0, 1, Math.floor(text.length / 2), text.length - 2, text.length - 1, text.length])) {
        if (at < 0 || at > text.length) continue;
        out.push(text.slice(0, at) + unit + text.slice(at), text.slice(0, at) + unit + text.slice(at + 1));
      }
      return out;
    };
    let checked = 0;
    const disagreements: string[] = [];
    const compare = (jws: string): void => {
      checked++;
      if (frontEnd(jws, cache) !== referenceFrontEnd(jws)) disagreements.push(jws.length > 200 ? `${JSON.stringify(jws.slice(0, 40))}...${JSON.stringify(jws.slice(-60))}` : JSON.stringify(jws));
    };
    for (const header of headers) for (const signature of signatures) compare(`${header}..${signature}`);
    for (const unit of units) {
      // At and around the two dots (a signature of a length the split looks for first).
      for (const at of [protectedB64.length - 1, protectedB64.length, protectedB64.length + 1, protectedB64.length + 2]) {
        compare(good.slice(0, at) + unit + good.slice(at));
        compare(good.slice(0, at) + unit + good.slice(at + 1));
      }
      for (const header of headers) for (const edited of edits(header, unit)) compare(`${edited}..${sig}`);
      for (const signature of signatures) for (const edited of edits(signature, unit)) compare(`${protectedB64}..${edited}`);
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  });

  it('refuses another text of the same bytes in either part', async () => {
    const good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const [protectedB64, , sig] = good.split('.') as [string, string, string];
    // A last character with unused bits set: 2 characters over carry 4 such bits, 3 carry 2.
    const alias = (text: string): string => {
      const unused = text.length % 4 === 2 ? 0x0f : 0x03;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return text.slice(0, -1) + (alphabet[alphabet.indexOf(text.slice(-1)) | unused] as string);
    };
    expect(sig.length % 4).toBe(2); // 64 bytes
    expect(Buffer.from(alias(sig), 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    const header = protectedB64.length % 4 === 0 ? b64url(`${Buffer.from(protectedB64, 'base64url').toString()} `) : protectedB64;
    expect(Buffer.from(alias(header), 'base64url')).toEqual(Buffer.from(header, 'base64url'));
    expect(frontEnd(`${header}..${sig}`)).toBeUndefined();
    expect(frontEnd(`${alias(header)}..${sig}`)).toBe('Not base64url');
    // The signature part used to pass with any base64url characters: this alias verified.
    const warm = await warmTrust(good);
    expect(await codeOf(verifySignature({ jws: `${protectedB64}..${alias(sig)}`, payload, trust: warm }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(await codeOf(verifySignature({ jws: `${protectedB64}..${alias(sig)}`, payload, trust: { ...env.trust, chainCache: undefined } }))).toBe('ERR_TRUST_JWS_MALFORMED');
    // A length no byte string encodes to (one character over a multiple of 4).
    expect(await codeOf(verifySignature({ jws: `${protectedB64}..${sig}AAA`, payload, trust: warm }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(await codeOf(verifySignature({ jws: good, payload, trust: warm }))).toBe('accepted');
  });
});

describe('parsing the header of a known signer', () => {
  let good: string;
  let text: string;
  let sig: string;
  let x5cJson: string;
  let cache: ValidatedChainCache;
  beforeAll(async () => {
    good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now(), headerParameters: { 'gcc.pur': 'AUDIT_OVERSIGHT' } });
    text = Buffer.from(good.split('.')[0] as string, 'base64url').toString('utf8');
    sig = good.split('.')[2] as string;
    x5cJson = JSON.stringify(headerOf(good).x5c);
    cache = new ValidatedChainCache();
    await verifyDetached({ jws: good, payload, parsedCache: cache, crit: ['gcc.pur'] });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** What decoding gives: the code, or the header, chain and signing time it returned. */
  function outcome(jws: string, parsedCache?: ValidatedChainCache): string {
    try {
      const decoded = decodeDetachedJws({ jws, crit: ['gcc.pur', 'n'], parsedCache });
      return JSON.stringify({ header: decoded.header, chain: decoded.certificates.map((c) => c.fingerprint), signingTime: decoded.signingTime });
    } catch (error) {
      if (error instanceof TrustError) return error.code;
      throw error;
    }
  }

  const withText = (headerText: string | Buffer): string => `${Buffer.from(headerText).toString('base64url')}..${sig}`;

  it("parses only what is not the cached chain's x5c, and gives what parsing all of it gives", () => {
    const parse = jest.spyOn(JSON, 'parse');
    const warm = outcome(good, cache);
    const parsedLengths = parse.mock.calls.map(([t]) => String(t).length);
    parse.mockRestore();
    expect(warm).toBe(outcome(good));
    expect(decodeDetachedJws({ jws: good, crit: ['gcc.pur'], parsedCache: cache }).cached).toBeDefined();
    // One parse, of the header without the ~1.5 KB chain.
    expect(parsedLengths).toHaveLength(1);
    expect(parsedLengths[0]).toBeLessThan(text.length - x5cJson.length + 100);
  });

  it('agrees with parsing the whole header where the x5c text is placed to mislead', () => {
    const other = JSON.stringify([Buffer.from(env.pki.states.SA.intermediate.certificate.der).toString('base64')]);
    const member = `"x5c":${x5cJson}`;
    expect(text).toContain(member);
    const variants: Array<[string, string | Buffer]> = [
      ['as signed', text],
      ['x5c twice, the cached chain last', text.replace(member, `"x5c":${other},${member}`)],
      ['x5c twice, the cached chain first', text.replace(member, `${member},"x5c":${other}`)],
      ['x5c twice, then a number', text.replace(member, `${member},"x5c":0`)],
      ['the cached chain as another member, x5c another chain', text.replace(member, `"x5c":${other},"n":${x5cJson}`)],
      ['the cached chain nested, x5c as signed', text.replace(member, `"n":{"x5c":${x5cJson}},${member}`)],
      ['the cached chain only nested', text.replace(member, `"n":{"x5c":${x5cJson}},"x5c":${other}`)],
      ['x5c named with an escape', text.replace(member, `"x\\u0035c":${x5cJson}`)],
      ['whitespace around the chain', text.replace(member, `"x5c": ${x5cJson} `)],
      ['the chain with one character changed far from its end', text.replace(member, `"x5c":${x5cJson.slice(0, 40)}${x5cJson[40] === 'A' ? 'B' : 'A'}${x5cJson.slice(41)}`)],
      ['an escaped quote before the chain', text.replace(member, `"n":"\\"x5c\\":",${member}`)],
      ['the chain text inside a string', text.replace(member, `"n":${JSON.stringify(member)},"x5c":${other}`)],
      ['a string that ends where the chain starts', text.replace(member, `"n":"${member.slice(0, -x5cJson.length)}${x5cJson}"`)],
      ['Arabic before the chain', text.replace(member, `"gcc.note":"للتدقيق",${member}`)],
      ['not JSON after the chain', `${text}x`],
      ['not JSON before the chain', text.replace(member, `"n":,${member}`)],
      ['an array, not an object', `[${x5cJson}]`],
      ['only the chain', `{${member}}`],
      [
        'invalid UTF-8 just before the member',
        Buffer.concat([Buffer.from(text.slice(0, text.indexOf(member)).replace(/,$/, ',"n":"')), Buffer.from([0xe2, 0x82]), Buffer.from(`",${text.slice(text.indexOf(member))}`)]),
      ],
    ];
    for (const [label, variant] of variants) {
      const jws = withText(variant);
      // Twice warm: once found by the x5t#S256 hint, once at the place the last header had it.
      expect([label, outcome(jws, cache), outcome(jws, cache)]).toEqual([label, outcome(jws), outcome(jws)]);
      outcome(good, cache);
      expect([label, outcome(jws, cache)]).toEqual([label, outcome(jws)]);
    }
    expect(outcome(withText(variants[1]?.[1] as string), cache)).not.toMatch(/^ERR_/);
  });

  it('agrees with parsing the whole header on randomly edited headers', () => {
    // A fixed pseudo-random sequence (xorshift), so a failure can be reproduced.
    let state = 0x9e3779b9;
    const random = (n: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const pieces = ['"', '\\', ',', ':', '[', ']', '{', '}', ' ', 'x', '0', 'é', '"x5c":', x5cJson, `"x5c":${x5cJson}`, '"n":', 'null'];
    const disagreements: string[] = [];
    for (let i = 0; i < 400; i++) {
      let edited = text;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(edited.length + 1);
        const piece = pieces[random(pieces.length)] as string;
        const removed = random(3);
        edited = edited.slice(0, at) + piece + edited.slice(at + removed);
      }
      const jws = withText(edited);
      const expected = outcome(jws);
      if (outcome(jws, cache) !== expected || outcome(jws, cache) !== expected) disagreements.push(edited);
    }
    expect(disagreements).toEqual([]);
  });

  it('no longer uses a chain the cache has dropped, nor mixes up two signers taken in turn', async () => {
    const own = new ValidatedChainCache();
    await verifyDetached({ jws: good, payload, parsedCache: own, crit: ['gcc.pur'] });
    const kw = (env.pki.states.KW.agencies[0] as { signing: LoadedIdentity }).signing;
    const other = await signDetached({ payload, privateKey: kw.key.privateKey, certificates: kw.chain, signingTime: env.clock.now(), headerParameters: { 'gcc.pur': 'AUDIT_OVERSIGHT' } });
    await verifyDetached({ jws: other, payload, parsedCache: own, crit: ['gcc.pur'] });
    for (let i = 0; i < 3; i++) {
      for (const [jws, chain] of [[good, qa.chain], [other, kw.chain]] as const) {
        const decoded = decodeDetachedJws({ jws, crit: ['gcc.pur'], parsedCache: own });
        expect(decoded.cached).toBeDefined();
        expect(decoded.certificates.map((c) => c.fingerprint)).toEqual(chain.map((c) => c.fingerprint));
      }
    }
    expect(decodeDetachedJws({ jws: good, crit: ['gcc.pur'], parsedCache: own }).cached).toBeDefined();
    own.clear();
    expect(decodeDetachedJws({ jws: good, crit: ['gcc.pur'], parsedCache: own }).cached).toBeUndefined();
  });

  it('hands every caller a header and signing time of its own', () => {
    const first = decodeDetachedJws({ jws: good, crit: ['gcc.pur'], parsedCache: cache });
    const second = decodeDetachedJws({ jws: good, crit: ['gcc.pur'], parsedCache: cache });
    expect(second.header).not.toBe(first.header);
    expect(second.header.x5c).not.toBe(first.header.x5c);
    expect(second.signingTime).not.toBe(first.signingTime);
    (first.header.x5c as string[]).pop();
    first.signingTime.setTime(0);
    const third = decodeDetachedJws({ jws: good, crit: ['gcc.pur'], parsedCache: cache });
    expect(third.header.x5c).toEqual(JSON.parse(x5cJson));
    expect(third.signingTime.getTime()).toBe(second.signingTime.getTime());
    expect(third.cached).toBeDefined();
  });
});

describe('validated-chain decisions', () => {
  it('keys a decision by the chain as it is at each call, even when the caller changes its array', async () => {
    const trust: SignatureTrust = { ...env.trust, chainCache: new ValidatedChainCache() };
    const chain: ParsedCertificate[] = [...qa.chain];
    expect((await verifyMemberChain({ certificates: chain, trust })).identity.clientId).toBe(qa.clientId);
    expect(cachedMemberChain({ certificates: chain, trust })).toBeDefined();
    const revoked = (env.pki.states.QA.agencies.find((a) => a.revoked) as { signing: LoadedIdentity }).signing;
    chain[0] = revoked.certificate;
    expect(cachedMemberChain({ certificates: chain, trust })).toBeUndefined();
    expect(await codeOf(verifyMemberChain({ certificates: chain, trust }))).toBe('ERR_TRUST_CERT_REVOKED');
  });

  it('serves a known signer from both caches on the second signature', async () => {
    const trust: SignatureTrust = { ...env.trust, chainCache: new ValidatedChainCache() };
    const first = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    env.clock.advanceSeconds(1);
    const second = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    expect(await codeOf(verifySignature({ jws: first, payload, trust }))).toBe('accepted');
    const decoded = verifyDetachedCached({ jws: second, payload, parsedCache: trust.chainCache });
    expect(decoded?.cached).toBeDefined();
    expect(Object.isFrozen(decoded?.certificates)).toBe(true);
    expect(cachedMemberChain({ certificates: decoded?.certificates ?? [], trust, purpose: 'signing' })?.identity.clientId).toBe(qa.clientId);
    const verified = await verifySignature({ jws: second, payload, trust });
    expect(verified.identity.clientId).toBe(qa.clientId);
    expect(verified.signingTime.toISOString()).toBe(env.clock.now().toISOString().replace(/\.\d{3}Z$/, '.000Z'));
  });

  it('serves the decision for a known chain only for the purpose and peer name it was made for', async () => {
    const trust: SignatureTrust = { ...env.trust, chainCache: new ValidatedChainCache() };
    const signed = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    await verifySignature({ jws: signed, payload, trust });
    const frozen = decodeDetachedJws({ jws: signed, parsedCache: trust.chainCache }).certificates;
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(cachedMemberChain({ certificates: frozen, trust, purpose: 'signing' })?.identity.clientId).toBe(qa.clientId);
    expect(cachedMemberChain({ certificates: frozen, trust, purpose: 'clientAuth' })).toBeUndefined();
    expect(cachedMemberChain({ certificates: frozen, trust, purpose: 'signing', peerName: 'hr-portal.gov.qa' })).toBeUndefined();
    expect(cachedMemberChain({ certificates: frozen, trust, purpose: 'signing' })?.identity.clientId).toBe(qa.clientId);
  });
});

describe('signature checks of known signers on the thread pool (offloadSignatureChecks)', () => {
  it('accepts what the in-call check accepts and refuses a changed payload or signature, concurrently', async () => {
    const jws = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
    const trust: SignatureTrust = { ...(await warmTrust(jws)), offloadSignatureChecks: true };
    const [header, , signature] = jws.split('.') as [string, string, string];
    const flipped = `${header}..${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const changed = new TextEncoder().encode('{"query":"{ employee(id: \\"2\\") { name } }"}');
    const cache = trust.chainCache;
    // Many at once, straight and through verifySignature: each job must keep its own signing input and signature bytes.
    const check = (i: number, jwsText: string, bytes: Uint8Array): Promise<string> =>
      i % 2 === 0 ? codeOf(verifySignature({ jws: jwsText, payload: bytes, trust })) : codeOf(verifyDetachedCachedOffloaded({ jws: jwsText, payload: bytes, parsedCache: cache }).then((d) => expect(d).toBeDefined()));
    const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? check(i, jws, payload) : i % 3 === 1 ? check(i, jws, changed) : check(i, flipped, payload))));
    // An unknown signer is left to the full check.
    expect(await verifyDetachedCachedOffloaded({ jws, payload, parsedCache: new ValidatedChainCache() })).toBeUndefined();
    expect(outcomes).toEqual(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 'accepted' : 'ERR_TRUST_JWS_BAD_SIGNATURE')));
  });
});
