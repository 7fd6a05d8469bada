import { createHash } from 'node:crypto';
import {
  canonicalize,
  requestTimestamp,
  signDetached,
  verifySignature,
  verifyTimestampResponse,
  type FetchLike,
  type SignatureTrust,
  type Signer,
  type TrustList,
} from '../../trust/index.js';
import type { CheckpointBody } from './audit-record.js';
import type { EvidenceLog } from './evidence-log.js';
import { proveLog, type CheckpointSeen } from './verify-log.js';

export type { CheckpointBody };

/**
 * Signed checkpoints of the evidence log (DESIGN.md, "periodic signed checkpoints (and RFC 3161
 * timestamps when a TSA is configured)"). A checkpoint is itself a record in the chain; it states
 * the head (`upToSeq`, `upToHash`) it vouches for, signed by the gateway's signing key (detached JWS,
 * trust module), and optionally a timestamp token over that signature, as CAdES-T does: proof the
 * signature existed at that time, so the log cannot be silently rewritten and re-signed later.
 */
export const CHECKPOINT_PAYLOAD_TYPE = 'gcc.audit.checkpoint.v1';

/** The bytes signed: RFC 8785 canonical JSON, so any verifier rebuilds them exactly. */
export function checkpointPayload(upToSeq: number, upToHash: string, signedAt: string): Uint8Array {
  return new TextEncoder().encode(canonicalize({ type: CHECKPOINT_PAYLOAD_TYPE, upToSeq, upToHash, signedAt }));
}

export interface CheckpointSigner {
  /** Builds a checkpoint body for the given head. */
  checkpoint(upToSeq: number, upToHash: string, at: Date): Promise<CheckpointBody>;
}

export interface TrustCheckpointSignerOptions {
  /** The gateway's signing identity (signing EKU certificate and key). */
  readonly signer: Signer;
  /** An RFC 3161 TSA from the trust list; without it checkpoints are signed but not timestamped. */
  readonly tsa?: { readonly url: string; readonly fetch: FetchLike; readonly trustList: () => TrustList };
}

export function trustCheckpointSigner(options: TrustCheckpointSignerOptions): CheckpointSigner {
  return {
    async checkpoint(upToSeq, upToHash, at) {
      const signedAt = at.toISOString();
      const signature = await signDetached({
        payload: checkpointPayload(upToSeq, upToHash, signedAt),
        privateKey: options.signer.privateKey,
        certificates: options.signer.certificates,
        signingTime: at,
        typ: CHECKPOINT_PAYLOAD_TYPE,
      });
      let timestamp: CheckpointBody['timestamp'] = null;
      if (options.tsa !== undefined) {
        const token = await requestTimestamp({ url: options.tsa.url, data: new TextEncoder().encode(signature), fetch: options.tsa.fetch, trustList: options.tsa.trustList() });
        timestamp = { response: Buffer.from(token.response).toString('base64'), nonce: token.nonce, hashAlgorithm: token.hashAlgorithm, genTime: token.genTime.toISOString() };
      }
      return { type: 'checkpoint', upToSeq, upToHash, signedAt, signature, timestamp };
    },
  };
}

export interface CheckpointReport {
  readonly ok: boolean;
  readonly checkpoints: number;
  readonly timestamped: number;
  /** Signers of the checkpoints (ClientIds), in order of first appearance. */
  readonly signers: readonly string[];
  readonly problem?: { readonly seq: number; readonly reason: string };
}

/**
 * Proves a log's chain and verifies every checkpoint in it, on one pass over the log
 * (`proveLog`): the head each names is the chain's record at that place, the signature is valid
 * at its signing time for a member identity of the trust list, and the timestamp (when present)
 * covers that signature. A broken chain fails here too: its checkpoints vouch for nothing.
 * Checkpoints vouching for records retention removed are skipped (the retention record's own
 * cover is checked by `verifyLog`). Revocation is judged by the caller's `trust`; for old
 * evidence, status history by time applies.
 */
export async function verifyCheckpoints(dir: string, trust: SignatureTrust): Promise<CheckpointReport> {
  const { report, checkpoints } = proveLog(dir, { checkpoints: true });
  if (!report.ok) {
    const where = report.problem !== undefined ? `record #${report.problem.expectedSeq} (${report.problem.segment} line ${report.problem.line}): ${report.problem.reason}` : 'it';
    return { ok: false, checkpoints: checkpoints.length, timestamped: 0, signers: [], problem: { seq: report.problem?.expectedSeq ?? report.head.seq + 1, reason: `the chain is broken at ${where}` } };
  }
  return verifySeenCheckpoints(checkpoints, trust);
}

/**
 * Verifies the checkpoints `proveLog` met in a chain it proved. A checkpoint can only vouch for a
 * record before it; one vouching for a record the walked segments do not hold is skipped.
 */
export async function verifySeenCheckpoints(seen: readonly CheckpointSeen[], trust: SignatureTrust): Promise<CheckpointReport> {
  const signers: string[] = [];
  let timestamped = 0;
  for (const { seq, body, chainHash } of seen) {
    const fail = (reason: string): CheckpointReport => ({ ok: false, checkpoints: seen.length, timestamped, signers, problem: { seq, reason } });
    if (!Number.isSafeInteger(body.upToSeq) || typeof body.upToHash !== 'string') return fail('malformed checkpoint: no head (upToSeq, upToHash) it vouches for');
    if (body.upToSeq >= seq) return fail(`checkpoint vouches for record ${body.upToSeq}, which is not before it`);
    if (chainHash === undefined) continue;
    if (chainHash !== body.upToHash) return fail(`checkpoint vouches for record ${body.upToSeq} with a hash the chain does not have`);
    try {
      const verified = await verifyCheckpointBody(body, trust);
      if (!signers.includes(verified.signer)) signers.push(verified.signer);
      if (verified.timestamped) timestamped += 1;
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  return { ok: true, checkpoints: seen.length, timestamped, signers };
}

/**
 * Checks one checkpoint's signature (valid at its signing time for a member identity of the trust
 * list) and its timestamp, when present, over that signature. Throws an Error saying which failed.
 */
export async function verifyCheckpointBody(body: Omit<CheckpointBody, 'type'>, trust: SignatureTrust): Promise<{ signer: string; timestamped: boolean }> {
  let signer: string;
  try {
    signer = (await verifySignature({ jws: body.signature, payload: checkpointPayload(body.upToSeq, body.upToHash, body.signedAt), trust, atSigningTime: true })).identity.clientId;
  } catch (error) {
    throw new Error(`checkpoint signature refused: ${(error as Error).message}`, { cause: error });
  }
  if (body.timestamp === null) return { signer, timestamped: false };
  try {
    verifyTimestampResponse({
      response: Buffer.from(body.timestamp.response, 'base64'),
      request: {
        hashAlgorithm: body.timestamp.hashAlgorithm as 'sha256',
        hashedMessage: new Uint8Array(createHash(body.timestamp.hashAlgorithm).update(body.signature).digest()),
        nonce: body.timestamp.nonce,
      },
      trustList: trust.trustList(),
    });
  } catch (error) {
    throw new Error(`checkpoint timestamp refused: ${(error as Error).message}`, { cause: error });
  }
  return { signer, timestamped: true };
}

export interface CheckpointSchedulerOptions {
  readonly log: EvidenceLog;
  readonly signer: CheckpointSigner;
  /** A checkpoint after this many records... @default 10_000 */
  readonly everyRecords?: number;
  /** ...or after this long with new records, whichever comes first. @default 60_000 */
  readonly everyMillis?: number;
  readonly onError?: (error: unknown) => void;
}

/** Writes checkpoints every N records or T milliseconds (only when there is something new to vouch for). */
export class CheckpointScheduler {
  readonly #options: CheckpointSchedulerOptions;
  readonly #timer: NodeJS.Timeout;
  #lastSeq: number;
  #lastAt = Date.now();
  #running: Promise<unknown> | undefined;

  constructor(options: CheckpointSchedulerOptions) {
    this.#options = options;
    this.#lastSeq = options.log.head.seq;
    const everyMillis = options.everyMillis ?? 60_000;
    this.#timer = setInterval(() => this.#tick(), Math.max(50, Math.min(everyMillis, 1_000)));
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#running !== undefined || !this.#options.log.healthy) return;
    const head = this.#options.log.head.seq;
    if (head === this.#lastSeq) return;
    const due = head - this.#lastSeq >= (this.#options.everyRecords ?? 10_000) || Date.now() - this.#lastAt >= (this.#options.everyMillis ?? 60_000);
    if (!due) return;
    this.#running = this.#options.log
      .checkpoint(this.#options.signer)
      .then(({ checkpointSeq }) => {
        // Records after the checkpoint record (even those appended while it was signed) are unvouched.
        this.#lastSeq = checkpointSeq;
        this.#lastAt = Date.now();
      })
      .catch((error: unknown) => this.#options.onError?.(error))
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Stops scheduling; writes a last checkpoint when there are unvouched records. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    if (this.#options.log.healthy && this.#options.log.head.seq !== this.#lastSeq) await this.#options.log.checkpoint(this.#options.signer);
  }
}
