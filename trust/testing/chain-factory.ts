/**
 * Test support (not part of the public API; production code must not import it): builds
 * certificate chains with our own PKI code, caching keys per type so a test file pays for key
 * generation once.
 */
import { generateKeyPair, type KeyPair, type KeyType, type RsaScheme } from '../pki/key-pair.js';
import { issueCertificate, type IssueCertificateOptions } from '../pki/issue-certificate.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';

const keyCache = new Map<string, Promise<KeyPair>>();

/** A key of `type`; the same `slot` returns the same key within a process. */
export function testKey(type: KeyType, slot = 'default'): Promise<KeyPair> {
  const id = `${type}/${slot}`;
  let key = keyCache.get(id);
  if (!key) {
    key = generateKeyPair(type);
    keyCache.set(id, key);
  }
  return key;
}

export const T0 = new Date('2026-06-01T00:00:00Z');
export const NOT_BEFORE = new Date('2026-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2028-01-01T00:00:00Z');

export interface Issued {
  readonly cert: ParsedCertificate;
  readonly key: KeyPair;
}

type Partial2 = Omit<IssueCertificateOptions, 'subjectKey' | 'issuer' | 'notBefore' | 'notAfter' | 'profile' | 'subject'> &
  Partial<Pick<IssueCertificateOptions, 'notBefore' | 'notAfter' | 'profile' | 'subject'>> & { readonly slot?: string };

function withoutSlot<T extends { slot?: string }>(options: T): Omit<T, 'slot'> {
  const { slot: _slot, ...rest } = options;
  return rest;
}

export async function issue(name: string, keyType: KeyType, issuer: Issued | undefined, options: Partial2 & { rsaScheme?: RsaScheme } = {}): Promise<Issued> {
  const key = await testKey(keyType, options.slot ?? name);
  const cert = await issueCertificate({
    subject: options.subject ?? `C=QA, O=Test, CN=${name}`,
    profile: options.profile ?? (issuer ? 'client' : 'root-ca'),
    notBefore: options.notBefore ?? NOT_BEFORE,
    notAfter: options.notAfter ?? NOT_AFTER,
    subjectKey: key,
    ...(issuer ? { issuer: { certificate: issuer.cert, key: issuer.key } } : {}),
    ...withoutSlot(options),
  });
  return { cert, key };
}

/** Root (P-384) -> intermediate (P-256) -> leaf, each overridable. */
export async function standardChain(leafOptions: Partial2 = {}, intOptions: Partial2 = {}, rootOptions: Partial2 = {}): Promise<{ root: Issued; int: Issued; leaf: Issued }> {
  const root = await issue('Root', 'ec-p384', undefined, { profile: 'root-ca', ...rootOptions });
  const int = await issue('Int', 'ec-p256', root, { profile: 'intermediate-ca', ...intOptions });
  const leaf = await issue('Leaf', 'ec-p256', int, { profile: 'client', subjectAltNames: { uri: ['urn:gcc:client:QA:GOV:CSGDB:hr-portal'] }, ...leafOptions });
  return { root, int, leaf };
}
