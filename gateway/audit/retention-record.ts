import { canonicalize } from '../../trust/index.js';
import type { ArchiveCover, CheckpointBody, RemovedRange, RetentionBody, RetentionCover } from './audit-record.js';

/**
 * Reading and signing retention records: the statement the gateway signs, how verification finds
 * them in a segment without parsing every line, and which record explains a hole in the log. The
 * record body types live in audit-record.ts with the other bodies; evidence-retention.ts writes them.
 */
export type { ArchiveCover, RemovedRange, RetentionBody, RetentionCover };

export const RETENTION_PAYLOAD_TYPE = 'gcc.audit.retention.v1';

/** The bytes signed: the record body without its signature, typed, in RFC 8785 canonical form. */
export function retentionPayload(body: Omit<RetentionBody, 'signature'> | RetentionBody): Uint8Array {
  const { signature: _signature, ...rest } = body as RetentionBody;
  return new TextEncoder().encode(canonicalize({ ...rest, type: RETENTION_PAYLOAD_TYPE }));
}

/**
 * How a retention record starts on disk. Bodies are written with `type` first, so a line is a
 * retention record candidate exactly when these bytes follow its `time`; the verifier then parses
 * it and checks `isRetentionBody`. A record written in another key order is not recognised, which
 * can only make an unexplained hole fail verification, never hide one.
 */
export const RETENTION_MARKER = Buffer.from(',"body":{"type":"retention",', 'latin1');

/** How far into a line the marker is looked for: it follows `seq`, `prev` and `time`. */
export const RETENTION_MARKER_WITHIN_BYTES = 256;

/** Whether a sealed line (checked by `checkLineBytes`) is a retention record candidate. Looks only near the start of the line. */
export function looksLikeRetention(line: Buffer): boolean {
  return line.subarray(0, Math.min(line.length, RETENTION_MARKER_WITHIN_BYTES)).includes(RETENTION_MARKER);
}

const HEX64 = /^[0-9a-f]{64}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Shape check of a parsed retention body; a record that fails it cannot account for anything. */
export function isRetentionBody(value: unknown): value is RetentionBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Partial<RetentionBody>;
  const removed = body.removed as Partial<RemovedRange> | undefined;
  const cover = body.coveredBy as Partial<RetentionCover> | undefined;
  if (body.type !== 'retention' || !isText(body.decidedAt) || !isText(body.signature) || typeof body.policy !== 'object' || body.policy === null) return false;
  if (removed === undefined || removed === null || !isCount(removed.fromSegment) || !isCount(removed.toSegment) || removed.fromSegment < 1 || removed.toSegment < removed.fromSegment) return false;
  if (!isCount(removed.firstSeq) || !isCount(removed.lastSeq) || removed.firstSeq < 1 || removed.lastSeq < removed.firstSeq) return false;
  if (typeof removed.lastHash !== 'string' || !HEX64.test(removed.lastHash) || !isText(removed.firstTime) || !isText(removed.lastTime)) return false;
  if (cover === undefined || cover === null) return false;
  if (cover.kind === 'archive') {
    const archives = (cover as { archives?: unknown }).archives;
    if (!Array.isArray(archives) || archives.length === 0) return false;
    return archives.every((a: Partial<ArchiveCover>) => isText(a.file) && typeof a.sha256 === 'string' && HEX64.test(a.sha256) && isCount(a.fromSegment) && isCount(a.toSegment) && typeof a.head === 'object' && a.head !== null && isCount(a.head.seq) && typeof a.head.hash === 'string' && HEX64.test(a.head.hash) && isText(a.signer));
  }
  if (cover.kind === 'checkpoint') {
    const c = cover as { checkpointSeq?: unknown; checkpoint?: Partial<CheckpointBody> };
    return isCount(c.checkpointSeq) && typeof c.checkpoint === 'object' && c.checkpoint !== null && isCount(c.checkpoint.upToSeq) && typeof c.checkpoint.upToHash === 'string' && HEX64.test(c.checkpoint.upToHash) && isText(c.checkpoint.signedAt) && isText(c.checkpoint.signature);
  }
  return false;
}

/** A retention record found in the chain. */
export interface RetentionSeen {
  readonly seq: number;
  readonly time: string;
  readonly body: RetentionBody;
}

/**
 * The retention record that explains a hole in the log: segments `afterSegment + 1` to
 * `nextSegment - 1` are gone and the next record present is `next`. It is the latest retention
 * record whose removed range ends exactly before `next` (by segment and by sequence number) and,
 * for a hole after a segment that is still present (`afterSegment > 0`: a removal interrupted by a
 * crash, deleting newest first), also contains the hole. A hole at the start of the log may reach
 * further back than the record's own range: what was before it was removed by earlier retention
 * records, whose statements the latest one's signed hash commits to through the chain.
 * Whether its `lastHash` matches is for the caller to check.
 */
export function explainingRetention(retentions: readonly RetentionSeen[], hole: { readonly afterSegment: number; readonly nextSegment: number; readonly nextSeq: number }): RetentionSeen | undefined {
  for (let i = retentions.length - 1; i >= 0; i--) {
    const { removed } = retentions[i]!.body;
    if (removed.toSegment + 1 !== hole.nextSegment || removed.lastSeq + 1 !== hole.nextSeq) continue;
    if (hole.afterSegment > 0 && removed.fromSegment > hole.afterSegment + 1) continue;
    return retentions[i];
  }
  return undefined;
}

/** The archives named by a retention record, or none (checkpoint cover). */
export function coveringArchives(body: RetentionBody): readonly ArchiveCover[] {
  return body.coveredBy.kind === 'archive' ? body.coveredBy.archives : [];
}
