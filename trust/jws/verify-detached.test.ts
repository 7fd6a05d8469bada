import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { issueCertificate } from '../pki/issue-certificate.js';
import { generateKeyPair } from '../pki/key-pair.js';
import type { LoadedIdentity } from '../pki/load-demo-pki.js';
import { startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import { code, codeOf } from '../testing/trust-error-code.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { signDetached, x5tS256 } from './sign-detached.js';
import { decodeDetachedJws, verifyDetached, verifyDetachedCached } from './verify-detached.js';
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
    const sa = env.pki.states.SA;
    const rsaKey = (sa.gateway?.server as LoadedIdentity).key;
    const leaf = await issueCertificate({
      subject: 'C=SA, O=MHRSD, CN=rsa signer', subjectKey: rsaKey, issuer: { certificate: sa.intermediate.certificate, key: sa.intermediate.key },
      profile: 'signing', notBefore: env.clock.now(), notAfter: new Date(env.clock.now().getTime() + 86_400_000), rsaScheme: 'pss',
      subjectAltNames: { uri: ['urn:gcc:client:SA:GOV:MHRSD:rsa'] },
    });
    const chain = [leaf, sa.intermediate.certificate];
    const ps256 = await signDetached({ payload, privateKey: rsaKey.privateKey, certificates: chain, signingTime: env.clock.now(), algorithm: 'PS256' });
    const rs256 = await signDetached({ payload, privateKey: rsaKey.privateKey, certificates: chain, signingTime: env.clock.now(), algorithm: 'RS256' });
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
    expect([...(cache.getParsed(x5tS256(leaf.der))?.joseVerified ?? [])].sort()).toEqual(['PS256', 'RS256']);
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
});
