/**
 * Merkle trees as RFC 9162 §2.1 (Certificate Transparency 2.0, same tree as RFC 6962 §2.1) defines
 * them, with SHA-256: for a list of n leaves D[n],
 *
 *   MTH({})    = SHA-256()
 *   leaf hash  = SHA-256(0x00 || d)                                  (§2.1.1)
 *   MTH(D[n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))         k = largest power of 2 < n
 *
 * The 0x00 / 0x01 prefixes separate leaves from interior nodes, so no interior node can be passed
 * off as a leaf (second-preimage attacks on the tree). An inclusion proof (audit path, §2.1.3.1)
 * is the list of sibling hashes from the leaf up to the root; §2.1.3.2 verifies it from the leaf
 * index and the tree size alone, so a proof cannot be replayed for another position or size.
 *
 * Used for batch-signed events (event-batch-signatures.ts): one signature over the root of a batch.
 */
import { hash } from 'node:crypto';
import { TrustError } from '../errors/trust-error.js';

/** Bytes of a SHA-256 hash. */
export const MERKLE_HASH_BYTES = 32;
/** Largest tree this module builds or accepts a proof for (bounds the work a hostile proof can ask for). */
export const MERKLE_MAX_TREE_SIZE = 1 << 24;

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || data). */
export function merkleLeafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(data.length + 1);
  input[0] = 0x00;
  input.set(data, 1);
  return hash('sha256', input, 'buffer');
}

/**
 * `merkleLeafHash` of the UTF-8 of `text` (as `TextEncoder` gives it), hashed from the string in
 * one call: no encoded copy and no prefixed copy of it made here first.
 */
export function merkleLeafHashOfText(text: string): Buffer {
  // U+0000 is the one byte 0x00 in UTF-8; Node encodes the string as TextEncoder does (a lone
  // surrogate becomes U+FFFD in both; the tests compare them).
  return hash('sha256', `\u0000${text}`, 'buffer');
}

/** RFC 9162 §2.1.1: an interior node, SHA-256(0x01 || left || right). */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + 2 * MERKLE_HASH_BYTES);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + MERKLE_HASH_BYTES);
  return hash('sha256', input, 'buffer');
}

/** A built tree: its root and every leaf's inclusion proof. */
export interface MerkleTree {
  readonly size: number;
  readonly root: Buffer;
  /** Audit path of the leaf at `index` (RFC 9162 §2.1.3.1), leaf level first. */
  proof(index: number): readonly Buffer[];
}

function assertLeafHashes(leafHashes: readonly Uint8Array[]): void {
  if (!Array.isArray(leafHashes) || leafHashes.length === 0) throw new TypeError('a Merkle tree needs at least one leaf');
  if (leafHashes.length > MERKLE_MAX_TREE_SIZE) throw new TypeError(`a Merkle tree holds at most ${MERKLE_MAX_TREE_SIZE} leaves`);
  for (const leaf of leafHashes) if (!(leaf instanceof Uint8Array) || leaf.length !== MERKLE_HASH_BYTES) throw new TypeError('leaf hashes must be 32-byte SHA-256 hashes');
}

/**
 * Builds the tree over leaf hashes (see `merkleLeafHash`) level by level: pairs are hashed, and a
 * level's last node without a partner moves up unchanged. That is the same tree as the recursive
 * split at the largest power of two below n (RFC 9162 §2.1.1), in O(n) hashes.
 */
export function buildMerkleTree(leafHashes: readonly Uint8Array[]): MerkleTree {
  assertLeafHashes(leafHashes);
  const levels: Uint8Array[][] = [[...leafHashes]];
  for (let level = levels[0] as Uint8Array[]; level.length > 1; ) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    levels.push(next);
    level = next;
  }
  const root = Buffer.from((levels[levels.length - 1] as Uint8Array[])[0] as Uint8Array);
  const size = leafHashes.length;
  return {
    size,
    root,
    proof(index: number): readonly Buffer[] {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} is outside a tree of ${size}`);
      const path: Buffer[] = [];
      let position = index;
      for (let l = 0; l < levels.length - 1; l++) {
        const level = levels[l] as Uint8Array[];
        const sibling = position ^ 1;
        // A node without a partner moved up unchanged: nothing to add at this level.
        if (sibling < level.length) path.push(Buffer.from(level[sibling] as Uint8Array));
        position >>= 1;
      }
      return path;
    },
  };
}

/** RFC 9162 §2.1.1 MTH of leaf hashes. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Buffer {
  return buildMerkleTree(leafHashes).root;
}

/** One interior node hash computed before: SHA-256(0x01 || left || right) = node. */
interface MemoNode {
  readonly left: Buffer;
  readonly right: Buffer;
  readonly node: Buffer;
}

/**
 * Interior node hashes of one tree (one signed root and size) computed while walking inclusion
 * proofs that reached that root. The events of a batch share most of their audit paths, so a
 * consumer that verifies them one by one hashes the same interior nodes again and again; with a
 * memo each event pays its leaf hash and about one node hash, the rest of its walk being byte
 * comparisons. A memoised node is used only when both children are byte-equal to the ones it was
 * hashed from, so a walk with the memo computes exactly what it computes without it (a pure hash
 * cache, no assumption about the proof). Only walks that reached the root are remembered, so the
 * memo holds at most the tree's `size - 1` interior nodes whatever a sender puts in proofs.
 */
export class MerkleNodeMemo {
  readonly #nodes = new Map<number, MemoNode>();
  constructor(
    readonly root: Buffer,
    readonly size: number,
  ) {}

  get nodeCount(): number {
    return this.#nodes.size;
  }

  /** The node at `position` when its children are `left` and `right`, else undefined. */
  lookup(position: number, left: Uint8Array, right: Uint8Array): Buffer | undefined {
    const known = this.#nodes.get(position);
    return known !== undefined && known.left.equals(left) && known.right.equals(right) ? known.node : undefined;
  }

  /** Remembers the nodes of a walk that reached `root` (see `verifyInclusionProof`). */
  remember(nodes: ReadonlyMap<number, MemoNode>): void {
    for (const [position, node] of nodes) if (!this.#nodes.has(position)) this.#nodes.set(position, node);
  }
}

/** A node's place in the level-by-level tree (level 0: leaves); levels are at most 25 (2^24 leaves). */
const nodePosition = (level: number, index: number): number => level * 0x2000000 + index;

/**
 * RFC 9162 §2.1.3.2: the root an audit path leads to from a leaf hash at `index` in a tree of
 * `size`. Throws ERR_TRUST_JWS_MALFORMED when the path cannot belong to that index and size (too
 * short, too long, index outside the tree); the caller compares the result with the signed root.
 */
export function rootFromInclusionProof(options: { readonly leafHash: Uint8Array; readonly index: number; readonly size: number; readonly path: readonly Uint8Array[] }): Buffer {
  return walkInclusionProof(options, undefined, undefined);
}

/**
 * Whether an audit path leads from a leaf hash at `index` to `memo.root` in a tree of `memo.size`
 * (RFC 9162 §2.1.3.2), reusing and extending the memo's node hashes. The same checks and the same
 * result as `rootFromInclusionProof(...).equals(memo.root)`; throws ERR_TRUST_JWS_MALFORMED as it
 * does.
 */
export function verifyInclusionProof(options: { readonly leafHash: Uint8Array; readonly index: number; readonly path: readonly Uint8Array[]; readonly memo: MerkleNodeMemo }): boolean {
  const { memo } = options;
  const computed = new Map<number, MemoNode>();
  const root = walkInclusionProof({ leafHash: options.leafHash, index: options.index, size: memo.size, path: options.path }, memo, computed);
  if (!root.equals(memo.root)) return false;
  memo.remember(computed);
  return true;
}

function walkInclusionProof(
  options: { readonly leafHash: Uint8Array; readonly index: number; readonly size: number; readonly path: readonly Uint8Array[] },
  memo: MerkleNodeMemo | undefined,
  computed: Map<number, MemoNode> | undefined,
): Buffer {
  const { leafHash, index, size, path } = options;
  // The hash of the node at (level + 1, fn >> 1) from its children, from the memo when it has them.
  const node = (level: number, fn: number, left: Uint8Array, right: Uint8Array): Buffer => {
    if (memo === undefined) return merkleNodeHash(left, right);
    const position = nodePosition(level + 1, fn >>> 1);
    const known = memo.lookup(position, left, right);
    if (known !== undefined) return known;
    const hashed = merkleNodeHash(left, right);
    computed?.set(position, { left: Buffer.from(left), right: Buffer.from(right), node: hashed });
    return hashed;
  };
  const malformed = (message: string): TrustError => new TrustError('ERR_TRUST_JWS_MALFORMED', { message });
  if (!Number.isSafeInteger(size) || size < 1 || size > MERKLE_MAX_TREE_SIZE) throw malformed(`Merkle tree size ${size} is out of range`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw malformed(`leaf index ${index} is outside a tree of ${size}`);
  if (leafHash.length !== MERKLE_HASH_BYTES || path.some((p) => p.length !== MERKLE_HASH_BYTES)) throw malformed('Merkle hashes must be 32 bytes');
  // Step 1-2: fn = index, sn = size - 1, r = leaf hash.
  let fn = index;
  let sn = size - 1;
  // The level of the node r stands for (memo positions only).
  let level = 0;
  let r: Uint8Array = leafHash;
  for (const p of path) {
    // Step 3a: a path longer than the tree is high.
    if (sn === 0) throw malformed('the inclusion proof is longer than the tree is high');
    if ((fn & 1) === 1 || fn === sn) {
      // A right-most node without a sibling moves up: skip the levels where it has none.
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>>= 1;
          sn >>>= 1;
          level += 1;
        }
      }
      // Hashed after the skip (RFC 9162 hashes first; the same value, as the node moved up unchanged),
      // so that the memo position is the level where p is r's sibling.
      r = node(level, fn, p, r);
    } else {
      r = node(level, fn, r, p);
    }
    fn >>>= 1;
    sn >>>= 1;
    level += 1;
  }
  // Step 4: the path must reach the top exactly.
  if (sn !== 0) throw malformed('the inclusion proof is shorter than the tree is high');
  return Buffer.from(r);
}
