/**
 * Batch-signed events: one detached JWS over the Merkle root of a batch of events, and per event
 * an inclusion proof, so that every event can still be verified on its own (DESIGN.md,
 * "Cross-border events"; issue 8, "batch signing").
 *
 *   leaf    = SHA-256(0x00 || RFC 8785 canonical event without jws)     (RFC 9162 §2.1.1)
 *   root    = RFC 9162 §2.1.1 Merkle tree hash of the batch's leaves, in batch order
 *   ce_jws  = detached JWS (sign-detached.ts: JAdES baseline header, x5c, sigT, b64 false) whose
 *             payload is the 32 root bytes, with the protected header parameter
 *             "gcc.mr": { "root": base64url(root), "size": <leaves> }, listed in `crit`
 *   ce_jwsproof = "<leaf index>.<tree size>.<base64url of the audit path's hashes, concatenated>"
 *
 * Verifying one event: hash its canonical form as a leaf, walk the proof to a root (RFC 9162
 * §2.1.3.2), require that root and size to be the ones in `gcc.mr`, verify the JWS over the root
 * (once per batch with a cache), validate the signer's chain now (trust list, revocation; the
 * chain decision is never cached here) and require `source` to be the signer's ClientId. A
 * verifier that does not know `gcc.mr` refuses the signature (RFC 7515 §4.1.11), and a
 * per-event verifier never accepts it (its payload would be the event, not a root).
 */
import { TrustError } from '../errors/trust-error.js';
import { systemClock } from '../util/clock.js';
import { canonicalEventJson, type SignableEvent } from './event-signatures.js';
import type { Signer } from './http-signatures.js';
import { buildMerkleTree, MERKLE_HASH_BYTES, merkleLeafHashOfText, MerkleNodeMemo, rootFromInclusionProof, verifyInclusionProof } from './merkle-tree.js';
import { signDetached } from './sign-detached.js';
import { decodeDetachedJws, type DecodedDetachedJws } from './verify-detached.js';
import { cachedMemberChain, verifyMemberChain, verifySignature, type SignatureTrust, type VerifiedSignature, type VerifiedSigner } from './verify-signature.js';

/** The protected header parameter that names the signed batch. */
export const EVENT_BATCH_HEADER = 'gcc.mr';
/** What a batch verifier understands in `crit` beyond b64 and sigT. */
export const EVENT_BATCH_CRIT: readonly string[] = Object.freeze([EVENT_BATCH_HEADER]);
/** Audit paths longer than this cannot belong to a tree this module accepts (2^24 leaves). */
const MAX_PATH_HASHES = 24;
const PROOF = /^(0|[1-9][0-9]{0,8})\.([1-9][0-9]{0,8})\.([A-Za-z0-9_-]*)$/;
const ROOT_B64 = /^[A-Za-z0-9_-]{43}$/;

/** A decoded `ce_jwsproof`. */
export interface EventInclusionProof {
  readonly index: number;
  readonly size: number;
  readonly path: readonly Buffer[];
}

/** The compact `ce_jwsproof` text of a proof. */
export function encodeEventInclusionProof(proof: EventInclusionProof): string {
  return `${proof.index}.${proof.size}.${Buffer.concat(proof.path as Buffer[]).toString('base64url')}`;
}

/** Parses `ce_jwsproof` strictly (decimal without leading zeros, canonical base64url); ERR_TRUST_JWS_MALFORMED otherwise. */
export function decodeEventInclusionProof(text: string): EventInclusionProof {
  const malformed = (message: string): TrustError => new TrustError('ERR_TRUST_JWS_MALFORMED', { message: `ce_jwsproof: ${message}` });
  if (typeof text !== 'string' || text.length > 16 + Math.ceil((MAX_PATH_HASHES * MERKLE_HASH_BYTES * 4) / 3) + 4) throw malformed('not a proof');
  const match = PROOF.exec(text);
  if (match === null) throw malformed('expected <index>.<size>.<base64url path>');
  const index = Number(match[1]);
  const size = Number(match[2]);
  const encoded = match[3] as string;
  const bytes = Buffer.from(encoded, 'base64url');
  // Canonical base64url only (Node's decoder tolerates oddities), whole 32-byte hashes only.
  if (bytes.toString('base64url') !== encoded || bytes.length % MERKLE_HASH_BYTES !== 0) throw malformed('the path is not whole SHA-256 hashes in base64url');
  if (bytes.length / MERKLE_HASH_BYTES > MAX_PATH_HASHES) throw malformed('the path is too long');
  if (index >= size) throw malformed(`leaf index ${index} is outside a tree of ${size}`);
  const path: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += MERKLE_HASH_BYTES) path.push(bytes.subarray(offset, offset + MERKLE_HASH_BYTES));
  return { index, size, path };
}

/**
 * The Merkle leaf hash of an event: SHA-256(0x00 || its canonical form without `jws`).
 * `canonicalData`: `canonicalize(event.data)` when the caller has it (see `canonicalEventJson`).
 */
export function eventLeafHash(event: SignableEvent, canonicalData?: string): Buffer {
  return merkleLeafHashOfText(canonicalEventJson(event, canonicalData));
}

export interface EventBatchSignature {
  /** The batch's detached JWS (`ce_jws` of every event in it). */
  readonly jws: string;
  /** `ce_jwsproof` of each event, in the order given. */
  readonly proofs: readonly string[];
  readonly root: Buffer;
}

/**
 * Signs a batch given its events' leaf hashes (`eventLeafHash`), in batch order. The signer's
 * ClientId must be every event's `source`; verification refuses the events otherwise.
 */
export async function signEventBatchLeaves(options: { readonly leafHashes: readonly Uint8Array[]; readonly signer: Signer }): Promise<EventBatchSignature> {
  const tree = buildMerkleTree(options.leafHashes);
  const jws = await signDetached({
    payload: tree.root,
    privateKey: options.signer.privateKey,
    certificates: options.signer.certificates,
    signingTime: (options.signer.clock ?? systemClock).now(),
    headerParameters: { [EVENT_BATCH_HEADER]: { root: tree.root.toString('base64url'), size: tree.size } },
  });
  const proofs = options.leafHashes.map((_, index) => encodeEventInclusionProof({ index, size: tree.size, path: tree.proof(index) }));
  return { jws, proofs, root: tree.root };
}

/** Signs a batch of events (see `signEventBatchLeaves`). */
export async function signEventBatch(options: { readonly events: readonly SignableEvent[]; readonly signer: Signer }): Promise<EventBatchSignature> {
  for (const event of options.events) {
    if (typeof event?.source !== 'string' || typeof event.id !== 'string') throw new TypeError('signEventBatch needs events with id and source');
  }
  return signEventBatchLeaves({ leafHashes: options.events.map((event) => eventLeafHash(event)), signer: options.signer });
}

interface VerifiedBatch {
  readonly jws: string;
  readonly root: Buffer;
  readonly size: number;
  readonly decoded: DecodedDetachedJws;
}

/**
 * Batch signatures whose JWS was verified (signature over the root, by the x5c key), keyed by the
 * signature value. Holds cryptographic facts only, which cannot go stale; the signer's chain is
 * decided again for every event (through the trust context's chain cache, which a revocation
 * refresh clears). Share one per consumer.
 */
export class EventBatchSignatureCache {
  readonly #entries = new Map<string, VerifiedBatch>();
  /** Interior node hashes of the newest batches' trees (a pure hash cache, see MerkleNodeMemo). */
  readonly #memos = new Map<string, MerkleNodeMemo>();
  constructor(
    private readonly maxEntries = 1024,
    /** Batches whose tree nodes are remembered (each at most size - 1 nodes). @default 16 */
    private readonly maxMemos = 16,
  ) {}

  /** The node memo of a verified batch's tree, made on first use; only the newest `maxMemos` are kept. */
  memoOf(batch: VerifiedBatch): MerkleNodeMemo {
    const key = batch.jws.slice(batch.jws.lastIndexOf('.') + 1);
    const existing = this.#memos.get(key);
    if (existing !== undefined && existing.root.equals(batch.root) && existing.size === batch.size) return existing;
    const memo = new MerkleNodeMemo(batch.root, batch.size);
    this.#memos.delete(key);
    if (this.#memos.size >= this.maxMemos) this.#memos.delete(this.#memos.keys().next().value as string);
    this.#memos.set(key, memo);
    return memo;
  }

  get(jws: string): VerifiedBatch | undefined {
    const entry = this.#entries.get(jws.slice(jws.lastIndexOf('.') + 1));
    // The signature value is only the key: the whole JWS (header with x5c, sigT, root) must be the same.
    return entry !== undefined && entry.jws === jws ? entry : undefined;
  }

  set(entry: VerifiedBatch): void {
    const key = entry.jws.slice(entry.jws.lastIndexOf('.') + 1);
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#memos.clear();
  }
}

export interface VerifyBatchedEventOptions {
  readonly event: SignableEvent;
  /** `ce_jws`: the batch's detached JWS. */
  readonly signature: string;
  /** `ce_jwsproof`. */
  readonly proof: string;
  readonly trust: SignatureTrust;
  /** Verified batch signatures; without one every event verifies the JWS again. */
  readonly cache?: EventBatchSignatureCache;
}

/**
 * Verifies one event of a signed batch on its own. Fails closed with a TrustError:
 * ERR_TRUST_JWS_MALFORMED (proof or `gcc.mr` not well formed), ERR_TRUST_JWS_BINDING_MISMATCH (the
 * proof does not lead from this event to the signed root and size, or `source` is not the
 * signer), ERR_TRUST_JWS_BAD_SIGNATURE and the chain, revocation and trust-list codes as for any
 * signature.
 */
export async function verifyBatchedEvent(options: VerifyBatchedEventOptions): Promise<VerifiedSignature> {
  const step = verifyBatchedEventStep(options);
  if (step.verified !== undefined) return step.verified;
  const { proof, leafHash } = step;
  let batch = step.batch;
  if (batch === undefined) {
    const root = rootFromInclusionProof({ leafHash, index: proof.index, size: proof.size, path: proof.path });
    // The header is read (and checked in full) before any signature work, so a wrong proof is
    // refused without crypto and with its own reason. The parsed-chain cache is used only for an
    // x5c exactly as jose accepted it before (verify-detached.ts).
    const decodeOptions = { jws: options.signature, algorithms: options.trust.algorithms, crit: EVENT_BATCH_CRIT, parsedCache: options.trust.chainCache };
    let decoded = decodeDetachedJws(decodeOptions);
    const claimed = batchOf(decoded);
    if (claimed.size !== proof.size || !claimed.root.equals(root)) throw proofMismatch(proof);
    await verifySignature({ jws: options.signature, payload: root, trust: options.trust, crit: EVENT_BATCH_CRIT });
    // A signer seen for the first time: decoded again, now from the cache, for its frozen chain
    // (whose chain-decision key verify-signature.ts caches).
    if (decoded.cached === undefined && options.trust.chainCache !== undefined) decoded = decodeDetachedJws(decodeOptions);
    batch = { jws: options.signature, root: claimed.root, size: claimed.size, decoded };
    options.cache?.set(batch);
  }
  // The chain is decided for every event, now: a revocation refresh takes effect at once.
  const chainOptions = { certificates: batch.decoded.certificates, trust: options.trust, purpose: 'signing' as const };
  return boundToSource(options.event, batch, cachedMemberChain(chainOptions) ?? (await verifyMemberChain(chainOptions)));
}

/**
 * The part of a verification that needs no waiting: the proof decoded, the leaf hashed and, for a
 * batch whose signature was verified before, the proof walked to its root (with the batch's node
 * memo) and, when the chain decision is cached, the whole result (no await on that path).
 */
function verifyBatchedEventStep(options: VerifyBatchedEventOptions): { proof: EventInclusionProof; leafHash: Buffer; batch: VerifiedBatch | undefined; verified: VerifiedSignature | undefined } {
  const proof = decodeEventInclusionProof(options.proof);
  let leafHash: Buffer;
  try {
    leafHash = eventLeafHash(options.event);
  } catch (cause) {
    throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The event cannot be canonicalised', cause });
  }
  const batch = options.cache?.get(options.signature);
  if (batch === undefined || options.cache === undefined) return { proof, leafHash, batch: undefined, verified: undefined };
  if (batch.size !== proof.size) {
    // Walked anyway, so a path that fits no tree is refused as malformed, as without the cache.
    rootFromInclusionProof({ leafHash, index: proof.index, size: proof.size, path: proof.path });
    throw proofMismatch(proof);
  }
  if (!verifyInclusionProof({ leafHash, index: proof.index, path: proof.path, memo: options.cache.memoOf(batch) })) throw proofMismatch(proof);
  const signer = cachedMemberChain({ certificates: batch.decoded.certificates, trust: options.trust, purpose: 'signing' });
  return { proof, leafHash, batch, verified: signer !== undefined ? boundToSource(options.event, batch, signer) : undefined };
}

function proofMismatch(proof: EventInclusionProof): TrustError {
  return new TrustError('ERR_TRUST_JWS_BINDING_MISMATCH', { message: `The event's inclusion proof (leaf ${proof.index} of ${proof.size}) does not lead to the signed Merkle root of its batch` });
}

/** The verified signature, once `source` is the signer's ClientId. */
function boundToSource(event: SignableEvent, batch: VerifiedBatch, signer: VerifiedSigner): VerifiedSignature {
  if (event.source !== signer.identity.clientId) {
    throw new TrustError('ERR_TRUST_JWS_BINDING_MISMATCH', { message: `Event source ${event.source} is not the signer ${signer.identity.clientId}` });
  }
  return { identity: signer.identity, state: signer.state, chain: signer.chain, header: batch.decoded.header, signingTime: batch.decoded.signingTime };
}

/** The batch a protected header names: `gcc.mr` must be critical, `{ root, size }` and nothing else. */
function batchOf(decoded: DecodedDetachedJws): { readonly root: Buffer; readonly size: number } {
  const malformed = (message: string): TrustError => new TrustError('ERR_TRUST_JWS_MALFORMED', { message });
  const value = decoded.header[EVENT_BATCH_HEADER] as unknown;
  if (value === undefined) throw malformed(`A batch signature names its Merkle root in ${EVENT_BATCH_HEADER}`);
  if (!Array.isArray(decoded.header.crit) || !decoded.header.crit.includes(EVENT_BATCH_HEADER)) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: `${EVENT_BATCH_HEADER} must be critical` });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed(`${EVENT_BATCH_HEADER} must be an object`);
  const { root, size, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw malformed(`${EVENT_BATCH_HEADER} holds only root and size`);
  if (typeof root !== 'string' || !ROOT_B64.test(root)) throw malformed(`${EVENT_BATCH_HEADER}.root must be a base64url SHA-256 hash`);
  const rootBytes = Buffer.from(root, 'base64url');
  if (rootBytes.length !== MERKLE_HASH_BYTES || rootBytes.toString('base64url') !== root) throw malformed(`${EVENT_BATCH_HEADER}.root must be a base64url SHA-256 hash`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) throw malformed(`${EVENT_BATCH_HEADER}.size must be a positive integer`);
  return { root: rootBytes, size };
}
