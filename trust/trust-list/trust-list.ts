/**
 * The trust list document and queries over it (ETSI TS 119 612 concepts: scheme operator, sequence
 * number, next update, per-service status with history). Status is always asked "at a time":
 * a CA withdrawn at T still vouches for evidence signed before T, never after (TS 119 612 §5.5.10).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { TrustError } from '../errors/trust-error.js';
import { isMemberState, type MemberState } from '../identity/client-identity.js';
import { parseCertificate, type ParsedCertificate } from '../x509/parse-certificate.js';
import { TRUST_LIST_SCHEMA } from './trust-list-schema.js';

export type ServiceStatus = 'granted' | 'suspended' | 'withdrawn';
export type ServiceType = 'ca' | 'ocsp' | 'tsa' | 'gateway';
export type RevocationPolicy = 'ocsp' | 'crl' | 'ocsp-then-crl';

export interface LocalizedName {
  readonly en: string;
  readonly ar: string;
}

export interface StatusChange {
  readonly status: ServiceStatus;
  readonly from: string;
  readonly reason?: string;
}

export interface TrustService {
  readonly id: string;
  readonly type: ServiceType;
  readonly name: LocalizedName;
  readonly certificate: string;
  readonly url?: string;
  readonly crlUrls?: readonly string[];
  readonly status: ServiceStatus;
  readonly statusHistory: readonly StatusChange[];
}

export interface TrustListMember {
  readonly state: MemberState;
  readonly name: LocalizedName;
  readonly services: readonly TrustService[];
}

export interface TrustListDocument {
  readonly schemaVersion: 1;
  readonly schemeOperator: { readonly name: LocalizedName; readonly uri?: string };
  readonly sequenceNumber: number;
  readonly issued: string;
  readonly nextUpdate: string;
  readonly revocationPolicy: RevocationPolicy;
  readonly members: readonly TrustListMember[];
}

/** A service with its certificate parsed and its member state attached. */
export interface ResolvedService {
  readonly state: MemberState;
  readonly service: TrustService;
  readonly certificate: ParsedCertificate;
}

const ajv = new Ajv2020({ allErrors: false, strict: true });
const validateSchema = ajv.compile(TRUST_LIST_SCHEMA);

/** Validates shape and internal consistency; throws ERR_TRUST_LIST_INVALID. */
export function assertTrustListDocument(value: unknown): asserts value is TrustListDocument {
  if (!validateSchema(value)) {
    const first = validateSchema.errors?.[0];
    throw new TrustError('ERR_TRUST_LIST_INVALID', { message: `Trust list invalid at ${first?.instancePath || '/'}: ${first?.message ?? 'schema violation'}` });
  }
  const doc = value as TrustListDocument;
  const ids = new Set<string>();
  const states = new Set<string>();
  if (Date.parse(doc.nextUpdate) <= Date.parse(doc.issued)) throw new TrustError('ERR_TRUST_LIST_INVALID', { message: 'nextUpdate must be after issued' });
  for (const member of doc.members) {
    if (states.has(member.state)) throw new TrustError('ERR_TRUST_LIST_INVALID', { message: `State ${member.state} is listed twice` });
    states.add(member.state);
    for (const service of member.services) {
      if (ids.has(service.id)) throw new TrustError('ERR_TRUST_LIST_INVALID', { message: `Service id ${service.id} is not unique` });
      ids.add(service.id);
      const history = service.statusHistory;
      for (let i = 1; i < history.length; i++) {
        if (Date.parse((history[i] as StatusChange).from) < Date.parse((history[i - 1] as StatusChange).from)) {
          throw new TrustError('ERR_TRUST_LIST_INVALID', { message: `Status history of ${service.id} is not in time order` });
        }
      }
      if ((history[history.length - 1] as StatusChange).status !== service.status) {
        throw new TrustError('ERR_TRUST_LIST_INVALID', { message: `Status of ${service.id} differs from the last history entry` });
      }
    }
  }
}

/** The status of a service at `at`: the last history entry starting at or before it, else none. */
export function statusAt(service: TrustService, at: Date): ServiceStatus | undefined {
  let current: ServiceStatus | undefined;
  for (const change of service.statusHistory) {
    if (Date.parse(change.from) <= at.getTime()) current = change.status;
    else break;
  }
  return current;
}

/** A loaded, verified trust list with parsed certificates. */
export class TrustList {
  readonly document: TrustListDocument;
  readonly services: readonly ResolvedService[];
  private readonly byFingerprint = new Map<string, ResolvedService>();
  /** nextUpdate as epoch milliseconds, parsed once (the holder checks it on every verification). */
  readonly nextUpdateMillis: number;

  constructor(document: TrustListDocument) {
    assertTrustListDocument(document);
    this.document = document;
    this.nextUpdateMillis = Date.parse(document.nextUpdate);
    const services: ResolvedService[] = [];
    for (const member of document.members) {
      if (!isMemberState(member.state)) continue;
      for (const service of member.services) {
        let certificate: ParsedCertificate;
        try {
          certificate = parseCertificate(new Uint8Array(Buffer.from(service.certificate, 'base64')));
        } catch (cause) {
          throw new TrustError('ERR_TRUST_LIST_INVALID', { message: `Service ${service.id} has an unreadable certificate`, cause });
        }
        const resolved = { state: member.state, service, certificate };
        services.push(resolved);
        this.byFingerprint.set(`${service.type}:${certificate.fingerprint}`, resolved);
      }
    }
    this.services = services;
  }

  get sequenceNumber(): number {
    return this.document.sequenceNumber;
  }

  get nextUpdate(): Date {
    return new Date(this.nextUpdateMillis);
  }

  get revocationPolicy(): RevocationPolicy {
    return this.document.revocationPolicy;
  }

  servicesOfType(type: ServiceType, state?: MemberState): ResolvedService[] {
    return this.services.filter((s) => s.service.type === type && (state === undefined || s.state === state));
  }

  /** The listed service whose certificate is exactly `cert`, if any. */
  findService(type: ServiceType, cert: ParsedCertificate): ResolvedService | undefined {
    return this.byFingerprint.get(`${type}:${cert.fingerprint}`);
  }

  /** CA certificates to use as path-validation anchors (every status; status is checked per time after). */
  caCertificates(state?: MemberState): ParsedCertificate[] {
    return this.servicesOfType('ca', state).map((s) => s.certificate);
  }
}
