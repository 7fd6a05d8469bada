/**
 * Member identities. A client certificate names its member with a SAN URI
 * `urn:gcc:client:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]` (X-Road style member identifiers); the
 * gateway's ClientId is `GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]`.
 */
import { TrustError } from '../errors/trust-error.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';

export const MEMBER_STATES = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

export interface ClientIdentity {
  readonly state: MemberState;
  readonly memberClass: string;
  readonly member: string;
  readonly subsystem: string | undefined;
  /** `GCC:QA:GOV:CSGDB:hr-portal` */
  readonly clientId: string;
  /** `urn:gcc:client:QA:GOV:CSGDB:hr-portal` */
  readonly uri: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const URN_PREFIX = 'urn:gcc:client:';

export function isMemberState(value: unknown): value is MemberState {
  return typeof value === 'string' && (MEMBER_STATES as readonly string[]).includes(value);
}

/** Parses `urn:gcc:client:...`; returns undefined for anything else (the URN prefix is case-insensitive, RFC 8141 §3.1). */
export function parseClientUri(uri: string): ClientIdentity | undefined {
  if (typeof uri !== 'string' || uri.length > 300 || uri.slice(0, URN_PREFIX.length).toLowerCase() !== URN_PREFIX) return undefined;
  const parts = uri.slice(URN_PREFIX.length).split(':');
  if (parts.length < 3 || parts.length > 4) return undefined;
  const [state, memberClass, member, subsystem] = parts as [string, string, string, string | undefined];
  if (!isMemberState(state) || ![memberClass, member, ...(subsystem === undefined ? [] : [subsystem])].every((p) => PART.test(p))) return undefined;
  return makeIdentity(state, memberClass, member, subsystem);
}

export function makeIdentity(state: MemberState, memberClass: string, member: string, subsystem?: string): ClientIdentity {
  const tail = [state, memberClass, member, ...(subsystem === undefined ? [] : [subsystem])].join(':');
  return { state, memberClass, member, subsystem, clientId: `GCC:${tail}`, uri: `${URN_PREFIX}${tail}` };
}

/** Parses a ClientId `GCC:QA:GOV:CSGDB[:hr-portal]`. */
export function parseClientId(clientId: string): ClientIdentity | undefined {
  if (typeof clientId !== 'string' || !clientId.startsWith('GCC:')) return undefined;
  return parseClientUri(`${URN_PREFIX}${clientId.slice(4)}`);
}

/**
 * The identity a certificate carries, bound to the state whose trust-list entry vouches for the
 * chain: a CA listed under QA may only vouch for QA identifiers (DESIGN.md, request step 2).
 * Exactly one urn:gcc:client URI is allowed, so a certificate cannot carry two identities.
 */
export function identityFromCertificate(cert: ParsedCertificate, anchorState: string): ClientIdentity {
  const identities = cert.subjectAltNames
    .filter((n): n is { type: 'uri'; value: string } => n.type === 'uri')
    .filter((n) => n.value.slice(0, URN_PREFIX.length).toLowerCase() === URN_PREFIX);
  if (identities.length !== 1) {
    throw new TrustError('ERR_TRUST_IDENTITY_MISSING', {
      certIndex: 0,
      message: identities.length === 0 ? 'The certificate has no urn:gcc:client SAN URI' : 'The certificate has more than one urn:gcc:client SAN URI',
    });
  }
  const identity = parseClientUri((identities[0] as { value: string }).value);
  if (!identity) throw new TrustError('ERR_TRUST_IDENTITY_MISSING', { certIndex: 0, message: 'The urn:gcc:client SAN URI is malformed' });
  if (identity.state !== anchorState) {
    throw new TrustError('ERR_TRUST_IDENTITY_STATE_MISMATCH', {
      certIndex: 0,
      message: `The certificate claims ${identity.clientId} but its CA is listed under ${anchorState}`,
    });
  }
  return identity;
}
