/**
 * Name constraints (RFC 5280 §4.2.1.10, applied per §6.1.3 (b)-(c)). Instead of intersecting the
 * permitted subtrees of successive CAs (§6.1.4 (g)), every CA's constraints are kept and a name must
 * satisfy each of them, which has the same outcome.
 */
import { TrustError } from '../errors/trust-error.js';
import { bytesEqual, children, readNode } from '../util/der.js';
import type { GeneralNameValue } from './general-names.js';
import type { NameConstraintsValue, ParsedCertificate } from './parse-certificate.js';

function lower(text: string): string {
  return text.toLowerCase();
}

/** dNSName: "example.com" covers itself and every subdomain; ".example.com" only subdomains. */
export function dnsMatches(name: string, constraint: string): boolean {
  const n = lower(name).replace(/\.$/, '');
  const c = lower(constraint).replace(/\.$/, '');
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith(`.${c}`);
}

/** rfc822Name: a mailbox, a host ("example.com": mailboxes at that host), or ".example.com" (any subdomain). */
export function emailMatches(mailbox: string, constraint: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at < 0) return false;
  const host = lower(mailbox.slice(at + 1));
  if (constraint.includes('@')) {
    const cat = constraint.lastIndexOf('@');
    return mailbox.slice(0, at) === constraint.slice(0, cat) && host === lower(constraint.slice(cat + 1));
  }
  const c = lower(constraint);
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

/** URI: the constraint applies to the host of the authority; a URI without a host matches nothing. */
export function uriMatches(uri: string, constraint: string): boolean {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)/.exec(uri);
  const host = match?.[1];
  if (!host) return false;
  const c = lower(constraint);
  if (c.startsWith('.')) return lower(host).endsWith(c);
  return lower(host) === c;
}

export function ipMatches(address: Uint8Array, constraint: Uint8Array): boolean {
  if (constraint.length !== address.length * 2) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = constraint[address.length + i] as number;
    if (((address[i] as number) & mask) !== ((constraint[i] as number) & mask)) return false;
  }
  return true;
}

/** directoryName: the constraint's RDN sequence must be a prefix of the subject's. */
export function dnMatches(subjectRdns: readonly Uint8Array[], constraintDer: Uint8Array): boolean {
  const constraintRdns = children(readNode(constraintDer)).map((rdn) => rdn.bytes.subarray(rdn.start, rdn.end));
  if (constraintRdns.length > subjectRdns.length) return false;
  return constraintRdns.every((rdn, i) => bytesEqual(rdn, subjectRdns[i] as Uint8Array));
}

type Candidate =
  | { readonly type: 'dns' | 'email' | 'uri'; readonly value: string }
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'dn'; readonly rdns: readonly Uint8Array[] };

function matches(candidate: Candidate, constraint: GeneralNameValue): boolean {
  if (candidate.type !== constraint.type) return false;
  switch (candidate.type) {
    case 'dns':
      return dnsMatches(candidate.value, (constraint as { value: string }).value);
    case 'email':
      return emailMatches(candidate.value, (constraint as { value: string }).value);
    case 'uri':
      return uriMatches(candidate.value, (constraint as { value: string }).value);
    case 'ip':
      return ipMatches(candidate.bytes, (constraint as { bytes: Uint8Array }).bytes);
    case 'dn':
      return dnMatches(candidate.rdns, (constraint as { der: Uint8Array }).der);
  }
}

function candidatesOf(cert: ParsedCertificate): Candidate[] {
  const out: Candidate[] = [];
  if (cert.subjectRdns.length > 0) out.push({ type: 'dn', rdns: cert.subjectRdns });
  for (const email of cert.subjectEmails) out.push({ type: 'email', value: email });
  for (const name of cert.subjectAltNames) {
    if (name.type === 'dns' || name.type === 'email' || name.type === 'uri') out.push({ type: name.type, value: name.value });
    else if (name.type === 'ip') out.push({ type: 'ip', bytes: name.bytes });
    else if (name.type === 'dn') out.push({ type: 'dn', rdns: children(readNode(name.der)).map((r) => r.bytes.subarray(r.start, r.end)) });
  }
  return out;
}

/** Throws ERR_TRUST_NAME_CONSTRAINTS when a name of `cert` falls outside `constraints`. */
export function checkNameConstraints(cert: ParsedCertificate, constraints: NameConstraintsValue, certIndex: number): void {
  for (const candidate of candidatesOf(cert)) {
    const excluded = constraints.excluded.find((c) => matches(candidate, c));
    if (excluded) {
      throw new TrustError('ERR_TRUST_NAME_CONSTRAINTS', { certIndex, message: `A ${candidate.type} name is in an excluded subtree` });
    }
    const permittedOfType = constraints.permitted.filter((c) => c.type === candidate.type);
    if (permittedOfType.length > 0 && !permittedOfType.some((c) => matches(candidate, c))) {
      throw new TrustError('ERR_TRUST_NAME_CONSTRAINTS', { certIndex, message: `A ${candidate.type} name is outside the permitted subtrees` });
    }
  }
}
