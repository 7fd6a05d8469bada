import { constants, createHash, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signDetached, type JwsAlgorithm, type SignDetachedOptions } from './sign-detached.js';

/** The protected header as signDetached encoded it before it kept a signer's last header: built afresh on every call. */
function uncachedHeader(options: SignDetachedOptions, alg: JwsAlgorithm): string {
  const ders = options.certificates.map((c) => (c instanceof Uint8Array ? c : c.der));
  const extra = options.headerParameters ?? {};
  const header = {
    alg,
    ...(options.typ ? { typ: options.typ } : {}),
    b64: false,
    crit: ['b64', 'sigT', ...Object.keys(extra)],
    sigT: `${options.signingTime.toISOString().slice(0, 19)}Z`,
    x5c: ders.map((d) => Buffer.from(d).toString('base64')),
    'x5t#S256': createHash('sha256').update(ders[0] as Uint8Array).digest('base64url'),
    ...extra,
  };
  return Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
}

function signatureHolds(jws: string, payload: Uint8Array, key: KeyObject, alg: JwsAlgorithm): boolean {
  const [header, , signature] = jws.split('.') as [string, string, string];
  const input = Buffer.concat([Buffer.from(`${header}.`, 'latin1'), payload]);
  const sig = Buffer.from(signature, 'base64url');
  switch (alg) {
    case 'ES256':
      return verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, sig);
    case 'PS256':
      return verify('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
    case 'RS256':
      return verify('sha256', input, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
    default:
      throw new Error(`not used here: ${alg}`);
  }
}

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
// signDetached takes the chain's DER bytes as they are; the header only carries them.
const chainA: readonly Uint8Array[] = [randomBytes(900), randomBytes(1100)];
const chainB: readonly Uint8Array[] = [randomBytes(800), randomBytes(1000)];

describe('signDetached', () => {
  it('gives the same protected header as one built afresh, call after call, as sigT, typ, alg, extra parameters and the chain change', async () => {
    const payload = new TextEncoder().encode('{"id":"e1","source":"QA"}');
    const t0 = Date.UTC(2026, 10, 23, 4, 59, 58, 100);
    // Calls in a row that a cache keyed on too little would get wrong: the same second (hit), the next
    // second, back to an earlier second, a typ, another alg with the same key and chain, extra
    // parameters in between, another chain array holding the same or other bytes.
    const sameBytesAsA = [...chainA];
    const calls: Array<{ readonly options: SignDetachedOptions; readonly alg: JwsAlgorithm; readonly verifyKey: KeyObject }> = [];
    const ecCall = (ms: number, more: Partial<SignDetachedOptions> = {}): void => {
      calls.push({ options: { payload, privateKey: ec.privateKey, certificates: chainA, signingTime: new Date(t0 + ms), ...more }, alg: 'ES256', verifyKey: ec.publicKey });
    };
    ecCall(0);
    ecCall(300);
    ecCall(899);
    ecCall(900); // 04:59:59
    ecCall(905);
    ecCall(-200); // 04:59:57
    ecCall(1_900); // 05:00:00
    ecCall(1_901, { typ: 'JOSE' });
    ecCall(1_902, { typ: 'JOSE' });
    ecCall(1_903);
    ecCall(1_904, { headerParameters: { 'gcc.batch': { root: 'abc', size: 3 } } });
    ecCall(1_905);
    ecCall(1_906, { headerParameters: { 'gcc.x': undefined } });
    ecCall(1_907, { headerParameters: {} });
    ecCall(1_908, { certificates: chainB });
    ecCall(1_909);
    ecCall(1_910, { certificates: sameBytesAsA });
    ecCall(1_911, { certificates: chainB });
    for (const alg of ['PS256', 'RS256', 'PS256', 'PS256'] as const) {
      calls.push({ options: { payload, privateKey: rsa.privateKey, certificates: chainB, signingTime: new Date(t0 + 1_912), algorithm: alg }, alg, verifyKey: rsa.publicKey });
    }
    ecCall(1_913);
    for (const { options, alg, verifyKey } of calls) {
      const jws = await signDetached(options);
      const [header, empty] = jws.split('.');
      expect({ sigT: options.signingTime.toISOString(), alg, header }).toEqual({ sigT: options.signingTime.toISOString(), alg, header: uncachedHeader(options, alg) });
      expect(empty).toBe('');
      expect(signatureHolds(jws, payload, verifyKey, alg)).toBe(true);
    }
  });

  it('refuses reserved header parameters and a key that does not fit the algorithm, with or without a kept header', async () => {
    const payload = new Uint8Array([1, 2, 3]);
    const signingTime = new Date(Date.UTC(2026, 10, 23, 5, 0, 0));
    await signDetached({ payload, privateKey: ec.privateKey, certificates: chainA, signingTime });
    await expect(signDetached({ payload, privateKey: ec.privateKey, certificates: chainA, signingTime, headerParameters: { sigT: 'x' } })).rejects.toThrow('Header parameter sigT is reserved');
    await expect(signDetached({ payload, privateKey: ec.privateKey, certificates: chainA, signingTime, algorithm: 'PS256' })).rejects.toThrow('cannot sign PS256');
    await expect(signDetached({ payload, privateKey: ec.privateKey, certificates: [], signingTime })).rejects.toThrow('needs the signer certificate chain');
  });
});
