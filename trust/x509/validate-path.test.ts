import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { TrustError } from '../errors/trust-error.js';
import { withCorruptedSignature } from '../pki/issue-certificate.js';
import type { KeyPair } from '../pki/key-pair.js';
import { issue, standardChain, T0, type Issued } from '../testing/chain-factory.js';
import { OID } from './oids.js';
import { parseCertificate, type ParsedCertificate } from './parse-certificate.js';
import { validatePath, type ValidatePathOptions } from './validate-path.js';

function refusal(options: ValidatePathOptions): TrustError {
  try {
    validatePath(options);
  } catch (error) {
    if (error instanceof TrustError) return error;
    throw error;
  }
  throw new Error('validatePath accepted the chain');
}

function run(chain: { root: Issued; int: Issued; leaf: Issued }, extra: Partial<ValidatePathOptions> = {}): ValidatePathOptions {
  return { anchors: [chain.root.cert], intermediates: [chain.int.cert], endEntity: chain.leaf.cert, at: T0, purpose: 'clientAuth', ...extra };
}

let good: { root: Issued; int: Issued; leaf: Issued };

beforeAll(async () => {
  good = await standardChain();
});

describe('validatePath: accepted chains', () => {
  it('accepts a valid ECDSA chain and returns it end entity first', () => {
    const result = validatePath(run(good));
    expect(result.chain.map((c) => c.subject)).toEqual([good.leaf.cert.subject, good.int.cert.subject, good.root.cert.subject]);
    expect(result.anchor.fingerprint).toBe(good.root.cert.fingerprint);
  });

  it.each([
    ['RSA PKCS#1 v1.5 (RSA-2048)', 'rsa-2048', 'pkcs1'],
    ['RSA-PSS', 'rsa-2048', 'pss'],
    ['ECDSA P-384', 'ec-p384', 'pkcs1'],
    ['Ed25519', 'ed25519', 'pkcs1'],
  ] as const)('accepts links signed with %s', async (_label, type, scheme) => {
    const root = await issue(`Root-${type}`, type, undefined, { profile: 'root-ca', rsaScheme: scheme, slot: 'alg-root' });
    const int = await issue(`Int-${type}`, type, root, { profile: 'intermediate-ca', rsaScheme: scheme, slot: 'alg-int' });
    const leaf = await issue(`Leaf-${type}`, 'ec-p256', int, { rsaScheme: scheme });
    expect(validatePath(run({ root, int, leaf })).chain).toHaveLength(3);
  });

  it('ignores unrelated intermediates and finds the issuer among several', async () => {
    const other = await standardChain({}, { subject: 'C=QA, O=Test, CN=Other Int', slot: 'other-int' });
    const result = validatePath(run(good, { intermediates: [other.int.cert, good.int.cert] }));
    expect(result.chain).toHaveLength(3);
  });

  it('accepts DER input as well as parsed certificates', () => {
    expect(validatePath(run(good, { endEntity: good.leaf.cert.der, anchors: [good.root.cert.der], intermediates: [good.int.cert.der] })).chain).toHaveLength(3);
  });
});

describe('validatePath: each check refuses exactly its breakage', () => {
  it('refuses a leaf whose signature does not verify (ERR_TRUST_BAD_SIGNATURE at 0)', () => {
    const error = refusal(run(good, { endEntity: withCorruptedSignature(good.leaf.cert) }));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_BAD_SIGNATURE', 0]);
  });

  it('refuses an intermediate whose signature does not verify (ERR_TRUST_BAD_SIGNATURE at 1)', () => {
    const error = refusal(run(good, { intermediates: [parseCertificate(withCorruptedSignature(good.int.cert))] }));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_BAD_SIGNATURE', 1]);
  });

  it('refuses a signature algorithm outside the allowed set (ecdsa-with-SHA224)', () => {
    const der = Buffer.from(good.leaf.cert.der);
    const sha256 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
    let pos = der.indexOf(sha256);
    while (pos >= 0) {
      der[pos + 9] = 0x01;
      pos = der.indexOf(sha256, pos + 1);
    }
    const error = refusal(run(good, { endEntity: new Uint8Array(der) }));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_UNSUPPORTED_ALGORITHM', 0]);
  });

  it('refuses an RSA key below 2048 bits (ERR_TRUST_WEAK_KEY)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weak: KeyPair = { type: 'rsa-2048', privateKey, publicKey };
    const leaf = await issue('Weak', 'ec-p256', good.int, {});
    const { issueCertificate } = await import('../pki/issue-certificate.js');
    const weakLeaf = await issueCertificate({ subject: 'C=QA, CN=weak', subjectKey: weak, issuer: { certificate: good.int.cert, key: good.int.key }, profile: 'client', notBefore: leaf.cert.notBefore, notAfter: leaf.cert.notAfter });
    const error = refusal(run(good, { endEntity: weakLeaf }));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_WEAK_KEY', 0]);
  });

  it('refuses an expired intermediate (ERR_TRUST_CERT_EXPIRED at 1)', async () => {
    const chain = await standardChain({}, { notAfter: new Date('2026-05-01T00:00:00Z') });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_CERT_EXPIRED', 1]);
  });

  it('refuses a leaf that is not yet valid (ERR_TRUST_CERT_NOT_YET_VALID at 0)', async () => {
    const chain = await standardChain({ notBefore: new Date('2026-07-01T00:00:00Z') });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_CERT_NOT_YET_VALID', 0]);
  });

  it('judges validity at the given time, not now', () => {
    const error = refusal(run(good, { at: new Date('2029-01-01T00:00:00Z') }));
    expect(error.code).toBe('ERR_TRUST_CERT_EXPIRED');
    expect(error.certIndex).toBe(2);
  });

  it('refuses an issuer name that matches no certificate (ERR_TRUST_NO_PATH)', async () => {
    // Signed by the intermediate's key, but naming some other issuer.
    const renamed = await issue('Renamed issuer', 'ec-p256', { cert: { ...good.int.cert, subjectDer: good.leaf.cert.subjectDer }, key: good.int.key });
    const error = refusal(run(good, { endEntity: renamed.cert }));
    expect(error.code).toBe('ERR_TRUST_NO_PATH');
  });

  it('refuses a chain to a root that is not an anchor (ERR_TRUST_NO_PATH)', async () => {
    const foreign = await standardChain({}, { slot: 'foreign-int' }, { subject: 'C=SA, O=Test, CN=Foreign Root', slot: 'foreign-root' });
    const error = refusal(run(good, { endEntity: foreign.leaf.cert, intermediates: [foreign.int.cert] }));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_NO_PATH', 1]);
  });

  it('refuses an authority key identifier that differs from the issuer key identifier', async () => {
    const chain = await standardChain({ overrides: { authorityKeyId: new Uint8Array(20).fill(7) } });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_KEY_ID_MISMATCH', 0]);
  });

  it('refuses an intermediate whose basicConstraints says cA false (ERR_TRUST_NOT_A_CA)', async () => {
    const chain = await standardChain({}, { overrides: { basicConstraints: { cA: false } } });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_NOT_A_CA', 1]);
  });

  it('refuses an intermediate without basicConstraints (ERR_TRUST_NOT_A_CA)', async () => {
    const chain = await standardChain({}, { overrides: { basicConstraints: null } });
    expect(refusal(run(chain)).code).toBe('ERR_TRUST_NOT_A_CA');
  });

  it('refuses an intermediate below a root with pathLen 0 (ERR_TRUST_PATH_LEN_EXCEEDED)', async () => {
    const chain = await standardChain({}, {}, { pathLen: 0 });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_PATH_LEN_EXCEEDED', 1]);
  });

  it('refuses a second intermediate below an intermediate with pathLen 0', async () => {
    const root = good.root;
    const int1 = await issue('Int pl0', 'ec-p256', root, { profile: 'intermediate-ca', pathLen: 0 });
    const int2 = await issue('Int below', 'ec-p256', int1, { profile: 'intermediate-ca' });
    const leaf = await issue('Leaf deep', 'ec-p256', int2, {});
    const error = refusal({ anchors: [root.cert], intermediates: [int1.cert, int2.cert], endEntity: leaf.cert, at: T0, purpose: 'clientAuth' });
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_PATH_LEN_EXCEEDED', 1]);
  });

  it('refuses an intermediate without keyCertSign (ERR_TRUST_KEY_USAGE at 1)', async () => {
    const chain = await standardChain({}, { overrides: { keyUsage: ['cRLSign', 'digitalSignature'] } });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_KEY_USAGE', 1]);
  });

  it('refuses a client certificate without digitalSignature (ERR_TRUST_KEY_USAGE at 0)', async () => {
    const chain = await standardChain({ overrides: { keyUsage: ['keyEncipherment'] } });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_KEY_USAGE', 0]);
  });

  it('refuses a server certificate used as a client certificate (ERR_TRUST_EXTENDED_KEY_USAGE)', async () => {
    const chain = await standardChain({ profile: 'server' });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_EXTENDED_KEY_USAGE', 0]);
  });

  it('refuses anyExtendedKeyUsage in place of the required purpose', async () => {
    const chain = await standardChain({ overrides: { extKeyUsage: [OID.anyExtendedKeyUsage] } });
    expect(refusal(run(chain)).code).toBe('ERR_TRUST_EXTENDED_KEY_USAGE');
  });

  it('refuses a client certificate under an intermediate restricted to serverAuth', async () => {
    const chain = await standardChain({}, { overrides: { extKeyUsage: [OID.ekuServerAuth] } });
    const error = refusal(run(chain));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_EXTENDED_KEY_USAGE', 1]);
  });

  it('refuses an unknown critical extension in the leaf and in the intermediate', async () => {
    const extra = { extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: new Uint8Array([0x05, 0x00]) }] };
    const leafCase = refusal(run(await standardChain({ overrides: extra })));
    expect([leafCase.code, leafCase.certIndex]).toEqual(['ERR_TRUST_UNKNOWN_CRITICAL_EXTENSION', 0]);
    const intCase = refusal(run(await standardChain({}, { overrides: extra })));
    expect([intCase.code, intCase.certIndex]).toEqual(['ERR_TRUST_UNKNOWN_CRITICAL_EXTENSION', 1]);
  });

  it('accepts an unknown extension that is not critical', async () => {
    const chain = await standardChain({ overrides: { extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, value: new Uint8Array([0x05, 0x00]) }] } });
    expect(validatePath(run(chain)).chain).toHaveLength(3);
  });

  it('refuses a chain longer than maxDepth (ERR_TRUST_MAX_DEPTH)', async () => {
    const ints: Issued[] = [];
    let parent = good.root;
    for (let i = 0; i < 6; i++) {
      parent = await issue(`Depth ${i}`, 'ec-p256', parent, { profile: 'intermediate-ca', slot: 'depth' });
      ints.push(parent);
    }
    const leaf = await issue('Depth leaf', 'ec-p256', parent, {});
    const options = { anchors: [good.root.cert], intermediates: ints.map((i) => i.cert), endEntity: leaf.cert, at: T0, purpose: 'clientAuth' as const };
    expect(refusal(options).code).toBe('ERR_TRUST_MAX_DEPTH');
    expect(validatePath({ ...options, maxDepth: 8 }).chain).toHaveLength(8);
  });

  it('terminates on a certification loop and reports no path', async () => {
    const a = await issue('Loop A', 'ec-p256', undefined, { profile: 'root-ca', slot: 'loop-a' });
    const b = await issue('Loop B', 'ec-p256', a, { profile: 'intermediate-ca', slot: 'loop-b' });
    const aByB = await issue('Loop A', 'ec-p256', b, { profile: 'intermediate-ca', slot: 'loop-a' });
    const leaf = await issue('Loop leaf', 'ec-p256', b, {});
    const error = refusal({ anchors: [good.root.cert], intermediates: [b.cert, aByB.cert, a.cert], endEntity: leaf.cert, at: T0 });
    expect(error.code).toBe('ERR_TRUST_NO_PATH');
  });

  it('bounds the work spent on many candidate issuers with the same name', async () => {
    const decoys: ParsedCertificate[] = [];
    for (let i = 0; i < 12; i++) decoys.push((await issue('Int', 'ec-p256', good.root, { profile: 'intermediate-ca', slot: `decoy-${i % 3}` })).cert);
    // The leaf names "Int" as issuer but is signed by a key none of the candidates holds.
    const stranger = await issue('Stranger', 'ec-p256', undefined, { slot: 'orphan' });
    const orphan = await issue('Orphan', 'ec-p256', { cert: good.int.cert, key: stranger.key });
    const intermediates = [...decoys, ...decoys.map((d) => parseCertificate(withCorruptedSignature(d)))];
    expect(refusal(run(good, { intermediates, maxWork: 10, endEntity: orphan.cert })).code).toBe('ERR_TRUST_WORK_LIMIT');
    expect(refusal(run(good, { intermediates, maxWork: 500, endEntity: orphan.cert })).code).toBe('ERR_TRUST_BAD_SIGNATURE');
  });

  it('refuses oversized and deeply nested input before parsing it', () => {
    expect(refusal(run(good, { endEntity: new Uint8Array(40000).fill(0x30) })).code).toMatch(/ERR_TRUST_(INPUT_TOO_LARGE|MALFORMED_INPUT)/);
    let nested = new Uint8Array([0x05, 0x00]);
    for (let i = 0; i < 40; i++) nested = new Uint8Array([0x30, nested.length, ...nested]);
    expect(refusal(run(good, { endEntity: nested })).code).toBe('ERR_TRUST_INPUT_TOO_LARGE');
  });

  it('throws TypeError on misuse', () => {
    expect(() => validatePath({ anchors: [good.root.cert], endEntity: good.leaf.cert, at: new Date('nope') })).toThrow(TypeError);
  });
});

describe('validatePath: name constraints (RFC 5280 §4.2.1.10)', () => {
  const nc = (permitted: string[], excluded: string[] = []): { nameConstraints: { permitted: string[]; excluded: string[] } } => ({ nameConstraints: { permitted, excluded } });

  it.each([
    ['DNS', ['dns:gov.qa'], { dns: ['portal.gov.qa'] }, { dns: ['portal.gov.sa'] }],
    ['IP', ['ip:10.0.0.0/8'], { ip: ['10.1.2.3'] }, { ip: ['192.168.1.1'] }],
    ['email', ['email:gov.qa'], { email: ['hr@gov.qa'] }, { email: ['hr@gmail.com'] }],
    ['URI', ['uri:.gov.qa'], { uri: ['https://api.gov.qa/x'] }, { uri: ['https://evil.example/x'] }],
  ] as const)('enforces permitted %s subtrees', async (_kind, permitted, inside, outside) => {
    const ok = await standardChain({ subjectAltNames: inside, profile: 'client' }, { ...nc([...permitted]), slot: 'nc-int' });
    expect(validatePath(run(ok)).chain).toHaveLength(3);
    const bad = await standardChain({ subjectAltNames: outside }, { ...nc([...permitted]), slot: 'nc-int' });
    const error = refusal(run(bad));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_NAME_CONSTRAINTS', 0]);
  });

  it('enforces directoryName subtrees on the subject DN', async () => {
    const bad = await standardChain({ subject: 'C=SA, O=Test, CN=Leaf' }, { ...nc(['dn:C=QA']), slot: 'nc-int' });
    expect(refusal(run(bad)).code).toBe('ERR_TRUST_NAME_CONSTRAINTS');
    const ok = await standardChain({ subject: 'C=QA, O=Test, CN=Leaf' }, { ...nc(['dn:C=QA']), slot: 'nc-int' });
    expect(validatePath(run(ok)).chain).toHaveLength(3);
  });

  it('enforces excluded subtrees', async () => {
    const bad = await standardChain({ subjectAltNames: { dns: ['secret.gov.qa'] } }, { ...nc([], ['dns:secret.gov.qa']), slot: 'nc-int' });
    expect(refusal(run(bad)).code).toBe('ERR_TRUST_NAME_CONSTRAINTS');
  });

  it('applies the root anchor constraints too', async () => {
    const bad = await standardChain({ subjectAltNames: { dns: ['x.example.com'] } }, {}, { ...nc(['dns:gov.qa']), slot: 'nc-root' });
    expect(refusal(run(bad)).code).toBe('ERR_TRUST_NAME_CONSTRAINTS');
  });
});

describe('validatePath: peer names (RFC 6125)', () => {
  let server: { root: Issued; int: Issued; leaf: Issued };
  beforeAll(async () => {
    server = await standardChain({ profile: 'server', subjectAltNames: { dns: ['gateway.gov.qa', '*.api.gov.qa'], ip: ['127.0.0.1', '::1'], email: ['ops@gov.qa'] } });
  });

  it.each(['gateway.gov.qa', 'GATEWAY.gov.qa.', 'x.api.gov.qa', '127.0.0.1', '::1', 'ops@GOV.qa'])('matches %s', (peer) => {
    expect(validatePath(run(server, { purpose: 'serverAuth', peerName: peer })).chain).toHaveLength(3);
  });

  it.each(['other.gov.qa', 'a.b.api.gov.qa', 'api.gov.qa', '127.0.0.2', 'Ops@gov.qa'])('refuses %s', (peer) => {
    const error = refusal(run(server, { purpose: 'serverAuth', peerName: peer }));
    expect([error.code, error.certIndex]).toEqual(['ERR_TRUST_PEER_NAME_MISMATCH', 0]);
  });
});
