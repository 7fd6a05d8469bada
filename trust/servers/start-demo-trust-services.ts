/**
 * Starts the OCSP responder, CRL distribution server and TSA for a demo PKI (embedded mode, tests),
 * and tells a RevocationChecker where they really listen: certificates carry the PKI's configured
 * base URL, the servers listen on whatever port they got.
 */
import { MEMBER_STATES } from '../identity/client-identity.js';
import type { LoadedDemoPki } from '../pki/load-demo-pki.js';
import { normaliseSerial } from '../revocation/crl.js';
import type { Clock } from '../util/clock.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import type { OcspAnswer } from './build-ocsp-response.js';
import { startCrlServer, type CrlServer } from './crl-server.js';
import { startOcspResponder, type OcspResponder, type OcspResponderIssuer } from './ocsp-responder.js';
import { startTsaServer, type TsaServer } from './tsa-server.js';

export interface DemoTrustServices {
  readonly ocsp: OcspResponder;
  readonly crl: CrlServer;
  readonly tsa: TsaServer | undefined;
  /** Revocations served by OCSP, by lower-case serial; tests add and remove entries. */
  readonly revoked: Map<string, { readonly revokedAt: Date; readonly reason: NonNullable<Extract<OcspAnswer, { status: 'revoked' }>['reason']> }>;
  /** For RevocationChecker.ocspUrlsFor. */
  ocspUrlsFor(): string[];
  /** For RevocationChecker.crlUrlsFor: maps a certificate's CRL URL to this server. */
  crlUrlsFor(cert: ParsedCertificate): string[];
  close(): Promise<void>;
}

export async function startDemoTrustServices(pki: LoadedDemoPki, options: { readonly clock?: Clock } = {}): Promise<DemoTrustServices> {
  const revoked: DemoTrustServices['revoked'] = new Map();
  for (const r of pki.manifest.revocations) revoked.set(normaliseSerial(r.serialNumberHex), { revokedAt: new Date(r.revokedAt), reason: r.reason as 'keyCompromise' });
  const statusOf = (serial: string): OcspAnswer => {
    const entry = revoked.get(serial);
    return entry ? { status: 'revoked', revokedAt: entry.revokedAt, reason: entry.reason } : { status: 'good' };
  };
  const issuers: OcspResponderIssuer[] = [];
  const crls: Record<string, Uint8Array> = {};
  for (const state of MEMBER_STATES) {
    const s = pki.states[state];
    // Leaves: a delegated responder (RFC 6960 §4.2.2.2 case 3). Intermediates: the root signs itself (case 2).
    issuers.push({ issuer: s.intermediate.certificate, signer: { certificate: s.ocsp.certificate, key: s.ocsp.key }, statusOf });
    issuers.push({ issuer: s.root.certificate, signer: { certificate: s.root.certificate, key: s.root.key, rsaScheme: s.root.key.type.startsWith('rsa') ? 'pss' : 'pkcs1' }, statusOf });
    crls[`${state}-root.crl`] = s.rootCrl;
    crls[`${state}-intermediate.crl`] = s.intermediateCrl;
  }
  const clockOption = options.clock ? { clock: options.clock } : {};
  const ocsp = await startOcspResponder({ issuers, ...clockOption });
  const crl = await startCrlServer({ crls });
  const tsaSigner = pki.states.QA.tsa;
  const tsa = tsaSigner ? await startTsaServer({ signer: { certificate: tsaSigner.certificate, key: tsaSigner.key, chain: tsaSigner.chain }, ...clockOption }) : undefined;
  return {
    ocsp,
    crl,
    tsa,
    revoked,
    ocspUrlsFor: () => [ocsp.url],
    crlUrlsFor: (cert) => cert.crlDistributionUrls.map((u) => `${crl.url}/${u.split('/').pop() ?? ''}`),
    close: async () => {
      await Promise.all([ocsp.close(), crl.close(), tsa?.close()]);
    },
  };
}
