/**
 * The chain a TLS peer presented, as parsed certificates (end entity first), from Node's
 * `getPeerCertificate(true)`. The TLS stack is configured not to decide (`rejectUnauthorized:
 * false`); the decision is verifyMemberChain / validatePath against the trust list.
 */
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { parseCertificate, type ParsedCertificate } from './parse-certificate.js';

export function certificatesFromTlsPeer(peer: PeerCertificate | DetailedPeerCertificate | undefined, maxLength = 8): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer && 'raw' in peer && peer.raw ? (peer as DetailedPeerCertificate) : undefined;
  while (current?.raw && out.length < maxLength) {
    const cert = parseCertificate(new Uint8Array(current.raw));
    // Node links a self-signed certificate to itself: stop at the first repeat.
    if (seen.has(cert.fingerprint)) break;
    seen.add(cert.fingerprint);
    out.push(cert);
    current = current.issuerCertificate;
  }
  return out;
}
