/**
 * Service identity checks (RFC 6125 §6): the expected peer name is compared with the certificate's
 * subjectAltName only; the subject CN is never used (§6.4.4 allows it only without SANs, and no
 * certificate of this PKI lacks them).
 */
import { bytesEqual } from '../util/der.js';
import { parseIp } from './general-names.js';
import type { ParsedCertificate } from './parse-certificate.js';

export type PeerName = string | { readonly dns: string } | { readonly ip: string } | { readonly email: string };

function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** RFC 6125 §6.4.3: a wildcard only as the whole left-most label, matching exactly one label. */
export function dnsNameMatches(presented: string, reference: string): boolean {
  const p = normaliseHost(presented);
  const r = normaliseHost(reference);
  if (!p.startsWith('*.')) return p === r;
  const suffix = p.slice(2);
  // A wildcard must leave at least two labels ("*.com" is not accepted).
  if (!suffix.includes('.')) return false;
  const dot = r.indexOf('.');
  return dot > 0 && r.slice(dot + 1) === suffix;
}

export function matchesPeerName(cert: ParsedCertificate, peer: PeerName): boolean {
  const reference =
    typeof peer === 'string' ? (parseIp(peer) ? { ip: peer } : peer.includes('@') ? { email: peer } : { dns: peer }) : peer;
  if ('ip' in reference) {
    const wanted = parseIp(reference.ip);
    if (!wanted) return false;
    return cert.subjectAltNames.some((n) => n.type === 'ip' && bytesEqual(n.bytes, wanted));
  }
  if ('email' in reference) {
    const at = reference.email.lastIndexOf('@');
    return cert.subjectAltNames.some((n) => {
      if (n.type !== 'email') return false;
      const nat = n.value.lastIndexOf('@');
      return n.value.slice(0, nat) === reference.email.slice(0, at) && n.value.slice(nat + 1).toLowerCase() === reference.email.slice(at + 1).toLowerCase();
    });
  }
  return cert.subjectAltNames.some((n) => n.type === 'dns' && dnsNameMatches(n.value, reference.dns));
}
