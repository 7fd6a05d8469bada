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

/**
 * The record retention leaves in the chain when it removes old segments (see evidence-retention.ts).
 * It is appended, and made durable, before any file is deleted, and it says exactly what went:
 * the segment numbers, the first and last sequence numbers, the hash of the last record removed
 * (which is the `prev` of the first record kept) and the time span; and what still holds it: the
 * signed archive files by name and SHA-256, or (when the operator chose `requireArchive: false`)
 * the signed checkpoint that vouches for the removed part. The gateway signs the whole statement,
 * so whoever can write the log's files but does not hold the gateway's key cannot explain a hole
 * away with a retention record of their own.
 */
export interface RetentionBody {
  readonly type: 'retention';
  readonly decidedAt: string;
  readonly policy: { readonly keepDays: number | null; readonly keepSegments: number | null; readonly requireArchive: boolean };
  readonly removed: RemovedRange;
  readonly coveredBy: RetentionCover;
  /** Detached JWS (x5c, sigT) by the gateway's signing identity over `retentionPayload(body)`. */
  readonly signature: string;
}

export interface RemovedRange {
  readonly fromSegment: number;
  readonly toSegment: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The hash of record `lastSeq`: the `prev` of the first record kept. */
  readonly lastHash: string;
  readonly firstTime: string;
  readonly lastTime: string;
}

export interface ArchiveCover {
  /** The archive's file name in the archive directory. */
  readonly file: string;
  /** SHA-256 of the archive file's bytes. */
  readonly sha256: string;
  readonly fromSegment: number;
  readonly toSegment: number;
  /** The chain head at the end of the archive, as the archive's own signature states it. */
  readonly head: { readonly seq: number; readonly hash: string };
  /** Who signed the archive (ClientId). */
  readonly signer: string;
}

export type RetentionCover =
  | { readonly kind: 'archive'; readonly archives: readonly ArchiveCover[] }
  | { readonly kind: 'checkpoint'; readonly checkpointSeq: number; readonly checkpoint: Omit<CheckpointBody, 'type'> };

/** Any record the log can hold; events add their own types. */
export type AuditRecordBody = GraphQLExchangeRecord | CheckpointBody | RetentionBody | { readonly type: string; readonly [key: string]: unknown };

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
