import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { verifySignature, type SignatureTrust } from '../../trust/index.js';
import { verifyCheckpointBody } from './checkpoint.js';
import { retentionPayload, type RetentionBody, type RetentionSeen } from './retention-record.js';

export interface RetentionSignatureReport {
  readonly ok: boolean;
  /** Retention records checked. */
  readonly checked: number;
  /** Who signed them (ClientIds), in order of first appearance. */
  readonly signers: readonly string[];
  readonly problem?: { readonly seq: number; readonly reason: string };
}

/** Checks one retention record's signature (and its checkpoint's, for checkpoint cover); throws saying which failed. */
export async function verifyRetentionBody(body: RetentionBody, trust: SignatureTrust): Promise<{ signer: string }> {
  let signer: string;
  try {
    signer = (await verifySignature({ jws: body.signature, payload: retentionPayload(body), trust, atSigningTime: true })).identity.clientId;
  } catch (error) {
    throw new Error(`retention record signature refused: ${(error as Error).message}`, { cause: error });
  }
  if (body.coveredBy.kind === 'checkpoint') await verifyCheckpointBody(body.coveredBy.checkpoint, trust);
  return { signer };
}

/**
 * Proves that the retention records of a log were made by a member identity of the trust list (the
 * gateway), at their signing time: someone who can write the log's files but does not hold the
 * gateway's key cannot explain a hole away with a record of their own. `verifyLog` has already
 * checked that each record is consistent with the chain around the part it removed.
 */
export async function verifyRetentionSignatures(retentions: readonly RetentionSeen[], trust: SignatureTrust): Promise<RetentionSignatureReport> {
  const signers: string[] = [];
  for (const { seq, body } of retentions) {
    try {
      const { signer } = await verifyRetentionBody(body, trust);
      if (!signers.includes(signer)) signers.push(signer);
    } catch (error) {
      return { ok: false, checked: retentions.length, signers, problem: { seq, reason: (error as Error).message } };
    }
  }
  return { ok: true, checked: retentions.length, signers };
}

export interface ArchivePresence {
  readonly file: string;
  readonly retentionSeq: number;
  readonly state: 'present' | 'missing' | 'different';
}

/** For each archive a retention record names: is the file in `archiveDir`, with the SHA-256 the record states? */
export function checkRetentionArchives(retentions: readonly RetentionSeen[], archiveDir: string): ArchivePresence[] {
  const out: ArchivePresence[] = [];
  for (const { seq, body } of retentions) {
    if (body.coveredBy.kind !== 'archive') continue;
    for (const archive of body.coveredBy.archives) {
      let state: ArchivePresence['state'];
      try {
        state = createHash('sha256').update(readFileSync(join(archiveDir, basename(archive.file)))).digest('hex') === archive.sha256 ? 'present' : 'different';
      } catch {
        state = 'missing';
      }
      out.push({ file: archive.file, retentionSeq: seq, state });
    }
  }
  return out;
}
