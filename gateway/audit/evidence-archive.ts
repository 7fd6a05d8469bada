import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { canonicalize, signDetached, verifySignature, type SignatureTrust, type Signer } from '../../trust/index.js';
import { GatewayError } from '../errors/gateway-error.js';
import { verifySeenCheckpoints, type CheckpointReport } from './checkpoint.js';
import { listSegments } from './evidence-log.js';
import { checkLineBytes } from './record-codec.js';
import { proveSegments, verifySegments, type SegmentBytes, type VerifyReport } from './verify-log.js';

export const ARCHIVE_FORMAT = 'gccgw-evidence-archive/1';

/**
 * A closed range of evidence-log segments with their checkpoints, as one signed bundle that can be
 * verified anywhere: the bytes of each segment, the chain head before and after the range, and a
 * detached JWS by the gateway over the RFC 8785 statement of all that (segment contents by hash).
 */
export interface EvidenceArchive {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly createdAt: string;
  /** The head just before the first record of the range (genesis for segment 1). */
  readonly previous: { readonly seq: number; readonly hash: string };
  readonly head: { readonly seq: number; readonly hash: string };
  readonly segments: ReadonlyArray<{ readonly number: number; readonly name: string; readonly sha256: string; readonly content: string }>;
  readonly signature: string;
}

function statement(archive: Omit<EvidenceArchive, 'signature'>): Uint8Array {
  return new TextEncoder().encode(
    canonicalize({
      format: archive.format,
      createdAt: archive.createdAt,
      previous: archive.previous,
      head: archive.head,
      segments: archive.segments.map(({ number, name, sha256 }) => ({ number, name, sha256 })),
    }),
  );
}

/**
 * Exports segments `from`..`to` (inclusive). The last segment of the log is refused: it is still
 * being written, so it is not closed evidence yet.
 */
export async function exportArchive(dir: string, options: { from: number; to: number; signer: Signer; now?: Date }): Promise<EvidenceArchive> {
  const all = listSegments(dir);
  const last = all[all.length - 1];
  const chosen = all.filter((s) => s.number >= options.from && s.number <= options.to);
  if (options.from > options.to || chosen.length !== options.to - options.from + 1) {
    throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `segments ${options.from} to ${options.to} are not all present in ${dir}` });
  }
  if (last !== undefined && options.to >= last.number) throw new TypeError(`segment ${last.number} is still being written; archive up to ${last.number - 1}`);
  const contents = chosen.map((s) => ({ number: s.number, name: basename(s.path), bytes: readFileSync(s.path) }));
  const firstLine = contents[0]!.bytes.subarray(0, contents[0]!.bytes.indexOf(0x0a));
  const first = checkLineBytes(firstLine);
  if (!first.ok) throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `the first record of segment ${options.from} is damaged: ${first.reason}` });
  const previous = { seq: first.seq - 1, hash: first.prev };
  const report = verifySegments(contents, previous);
  if (!report.ok) throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `refusing to archive a broken chain: ${report.problem?.reason} (${report.problem?.segment} line ${report.problem?.line})` });
  const unsigned: Omit<EvidenceArchive, 'signature'> = {
    format: ARCHIVE_FORMAT,
    createdAt: (options.now ?? new Date()).toISOString(),
    previous,
    head: report.head,
    segments: contents.map((c) => ({ number: c.number, name: c.name, sha256: createHash('sha256').update(c.bytes).digest('hex'), content: c.bytes.toString('base64') })),
  };
  const signature = await signDetached({
    payload: statement(unsigned),
    privateKey: options.signer.privateKey,
    certificates: options.signer.certificates,
    signingTime: options.now ?? new Date(),
    typ: ARCHIVE_FORMAT,
  });
  return { ...unsigned, signature };
}

export interface ArchiveReport {
  readonly ok: boolean;
  readonly signer?: string;
  readonly chain?: VerifyReport;
  readonly checkpoints?: CheckpointReport;
  readonly problem?: string;
}

/** Verifies an archive: its signature, every segment's hash, the chain from `previous` to `head`, and its checkpoints. */
export async function verifyArchive(archive: EvidenceArchive, trust: SignatureTrust): Promise<ArchiveReport> {
  if (archive.format !== ARCHIVE_FORMAT) return { ok: false, problem: `not an evidence archive (format ${String(archive.format)})` };
  let signer: string;
  try {
    const { signature: _signature, ...unsigned } = archive;
    signer = (await verifySignature({ jws: archive.signature, payload: statement(unsigned), trust, atSigningTime: true })).identity.clientId;
  } catch (error) {
    return { ok: false, problem: `archive signature refused: ${(error as Error).message}` };
  }
  const segments: SegmentBytes[] = [];
  for (const segment of archive.segments) {
    const bytes = Buffer.from(segment.content, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== segment.sha256) return { ok: false, signer, problem: `segment ${segment.name} does not match its signed hash` };
    segments.push({ name: segment.name, number: segment.number, bytes });
  }
  // One pass proves the chain and finds the checkpoints in it.
  const { report: chain, checkpoints: seen } = proveSegments(segments, archive.previous, { checkpoints: true });
  if (!chain.ok) return { ok: false, signer, chain, problem: `chain broken: ${chain.problem?.reason} (${chain.problem?.segment} line ${chain.problem?.line})` };
  if (chain.head.seq !== archive.head.seq || chain.head.hash !== archive.head.hash) return { ok: false, signer, chain, problem: 'the chain does not end at the signed head' };
  const checkpoints = await verifySeenCheckpoints(seen, trust);
  if (!checkpoints.ok) return { ok: false, signer, chain, checkpoints, problem: `checkpoint ${checkpoints.problem?.seq}: ${checkpoints.problem?.reason}` };
  return { ok: true, signer, chain, checkpoints };
}
