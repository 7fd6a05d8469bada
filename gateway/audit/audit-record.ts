/**
 * What the evidence log keeps about one exchange. Never response data: only who asked what, why,
 * about whom, how it went, and the hashes and signatures that bind it to the bytes exchanged.
 */
export type AuditOutcome = 'success' | 'partial' | 'error' | 'rejected';

export interface FieldTouched {
  /** Schema coordinate, e.g. `Employee.nationalId`. */
  readonly coordinate: string;
  readonly sensitivity: string;
}

export interface GraphQLExchangeRecord {
  readonly type: 'graphql.exchange';
  readonly requestId: string;
  readonly clientId: string | null;
  readonly authenticatedBy: string;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly operationType: string | null;
  /** SHA-256 of the GraphQL document text. */
  readonly operationHash: string | null;
  /** SHA-256 of the variables, canonically serialised. */
  readonly variablesHash: string | null;
  readonly fields: readonly FieldTouched[];
  /** Keyed hashes (HMAC-SHA-256) of the data subjects looked up, e.g. national IDs in arguments. */
  readonly subjects: readonly string[];
  readonly subgraphs: readonly string[];
  readonly requestSignature: string | null;
  readonly requestHash: string | null;
  readonly responseSignature: string | null;
  readonly responseHash: string | null;
  readonly startedAt: string;
  readonly durationMillis: number;
  readonly outcome: AuditOutcome;
  readonly errorCodes: readonly string[];
}

/** A signed statement of the chain's head (see checkpoint.ts). */
export interface CheckpointBody {
  readonly type: 'checkpoint';
  readonly upToSeq: number;
  readonly upToHash: string;
  readonly signedAt: string;
  readonly signature: string;
  readonly timestamp: { readonly response: string; readonly nonce: string; readonly hashAlgorithm: string; readonly genTime: string } | null;
}

/** Any record the log can hold; events add their own types. */
export type AuditRecordBody = GraphQLExchangeRecord | CheckpointBody | { readonly type: string; readonly [key: string]: unknown };

/** A record as stored: its place in the chain, its time, its body, and the chain hashes. */
export interface SealedRecord {
  readonly seq: number;
  readonly prev: string;
  readonly time: string;
  readonly body: AuditRecordBody;
  readonly hash: string;
}

/** The `prev` of the very first record. */
export const GENESIS_HASH = '0'.repeat(64);
