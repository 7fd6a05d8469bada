import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { code } from '../testing/trust-error-code.js';
import { buildMerkleTree, merkleLeafHash, merkleLeafHashOfText, MerkleNodeMemo, merkleNodeHash, merkleRoot, rootFromInclusionProof, verifyInclusionProof } from './merkle-tree.js';
import { seededRandom } from '../testing/seeded-random.js';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
};

/** RFC 9162 §2.1.1 written as the RFC does, recursively: the oracle the level-by-level build is checked against. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return sha256(Buffer.of(0x00), leaves[0] as Buffer);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.of(0x01), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), recursively. */
function referencePath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))] : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

// The eight leaves of the RFC 6962 reference implementation's tests (certificate-transparency,
// merkle_tree_test.cc) and the roots of their first 1..8 leaves.
const VECTOR_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => Buffer.from(hex, 'hex'));
const VECTOR_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const leavesOf = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`event-${i}`));

describe('Merkle trees (RFC 9162 §2.1)', () => {
  it('hashes leaves with a 0x00 prefix and nodes with a 0x01 prefix', () => {
    expect(merkleLeafHash(Buffer.from('abc')).equals(sha256(Buffer.of(0), Buffer.from('abc')))).toBe(true);
    const a = merkleLeafHash(Buffer.from('a'));
    const b = merkleLeafHash(Buffer.from('b'));
    expect(merkleNodeHash(a, b).equals(sha256(Buffer.of(1), a, b))).toBe(true);
    // Domain separation: a node is not the leaf hash of its children's concatenation.
    expect(merkleNodeHash(a, b).equals(merkleLeafHash(Buffer.concat([a, b])))).toBe(false);
  });

  it('gives the roots of the RFC 6962 reference test vectors', () => {
    for (let n = 1; n <= VECTOR_LEAVES.length; n++) {
      expect(merkleRoot(VECTOR_LEAVES.slice(0, n).map(merkleLeafHash)).toString('hex')).toBe(VECTOR_ROOTS[n - 1]);
    }
  });

  it('builds the same root and audit paths as the recursive definition for every size up to 70', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = leavesOf(n);
      const tree = buildMerkleTree(leaves.map(merkleLeafHash));
      expect(tree.root.equals(referenceRoot(leaves))).toBe(true);
      for (let m = 0; m < n; m++) {
        const path = tree.proof(m);
        expect(path.map((p) => p.toString('hex'))).toEqual(referencePath(m, leaves).map((p) => p.toString('hex')));
        expect(rootFromInclusionProof({ leafHash: merkleLeafHash(leaves[m] as Buffer), index: m, size: n, path }).equals(tree.root)).toBe(true);
      }
    }
  });

  it('leads a proof to another root when the leaf, the index or the size is changed', () => {
    const leaves = leavesOf(13);
    const tree = buildMerkleTree(leaves.map(merkleLeafHash));
    const path = tree.proof(5);
    const rootFor = (leaf: Buffer, index: number, size: number): Buffer | string => {
      let root: Buffer | undefined;
      const outcome = code(() => (root = rootFromInclusionProof({ leafHash: merkleLeafHash(leaf), index, size, path })));
      return root ?? outcome;
    };
    expect((rootFor(leaves[5] as Buffer, 5, 13) as Buffer).equals(tree.root)).toBe(true);
    expect(rootFor(leaves[6] as Buffer, 5, 13)).not.toEqual(tree.root);
    expect(rootFor(leaves[5] as Buffer, 4, 13)).not.toEqual(tree.root);
    // Leaf 5 sits in the same place in trees of 13 and 14 leaves, so the walk cannot tell them
    // apart: this is why the signed header binds the size and the verifier compares it.
    expect((rootFor(leaves[5] as Buffer, 5, 14) as Buffer).equals(tree.root)).toBe(true);
    const last = tree.proof(12);
    expect(rootFromInclusionProof({ leafHash: merkleLeafHash(leaves[12] as Buffer), index: 12, size: 13, path: last }).equals(tree.root)).toBe(true);
    expect(code(() => rootFromInclusionProof({ leafHash: merkleLeafHash(leaves[12] as Buffer), index: 12, size: 14, path: last }))).toBe('ERR_TRUST_JWS_MALFORMED');
    // A size whose tree has another height: the path does not fit at all.
    expect(rootFor(leaves[5] as Buffer, 5, 6)).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(rootFor(leaves[5] as Buffer, 5, 40)).toBe('ERR_TRUST_JWS_MALFORMED');
  });

  it('refuses a proof with an index outside the tree, a truncated path or a path with an extra hash', () => {
    const tree = buildMerkleTree(leavesOf(8).map(merkleLeafHash));
    const leafHash = merkleLeafHash(Buffer.from('event-3'));
    const path = tree.proof(3);
    expect(code(() => rootFromInclusionProof({ leafHash, index: 8, size: 8, path }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(code(() => rootFromInclusionProof({ leafHash, index: -1, size: 8, path }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(code(() => rootFromInclusionProof({ leafHash, index: 3, size: 8, path: path.slice(1) }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(code(() => rootFromInclusionProof({ leafHash, index: 3, size: 8, path: [...path, tree.root] }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(code(() => rootFromInclusionProof({ leafHash, index: 3, size: 8, path: [Buffer.alloc(31), ...path.slice(1)] }))).toBe('ERR_TRUST_JWS_MALFORMED');
  });

  it('verifies every proof of every tree size up to 70 with a node memo as without it, hashing each interior node once', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = leavesOf(n);
      const tree = buildMerkleTree(leaves.map(merkleLeafHash));
      const memo = new MerkleNodeMemo(tree.root, n);
      // Out of order, as the partitions of a batch reach a consumer.
      for (const m of Array.from({ length: n }, (_, i) => (i * 7) % n).filter((m, i, all) => all.indexOf(m) === i).concat(Array.from({ length: n }, (_, i) => i))) {
        expect(verifyInclusionProof({ leafHash: merkleLeafHash(leaves[m] as Buffer), index: m, path: tree.proof(m), memo })).toBe(true);
      }
      // A tree of n leaves has n - 1 interior nodes: each remembered once, none twice.
      expect(memo.nodeCount).toBe(n - 1);
    }
  });

  it('refuses with a warm node memo whatever it refuses without one, and remembers nothing from a refused walk', () => {
    const leaves = leavesOf(13);
    const tree = buildMerkleTree(leaves.map(merkleLeafHash));
    const memo = new MerkleNodeMemo(tree.root, 13);
    for (let m = 0; m < 12; m++) expect(verifyInclusionProof({ leafHash: merkleLeafHash(leaves[m] as Buffer), index: m, path: tree.proof(m), memo })).toBe(true);
    const known = memo.nodeCount;
    const path = tree.proof(5);
    // Another leaf in place 5, a sibling changed, leaf 5 claimed at index 4: every memoised node is
    // used only for the very children it was hashed from, so these walks leave the memo and fail.
    expect(verifyInclusionProof({ leafHash: merkleLeafHash(leaves[6] as Buffer), index: 5, path, memo })).toBe(false);
    const changed = path.map((p, i) => (i === 1 ? Buffer.from(p).fill(7, 0, 1) : p));
    expect(verifyInclusionProof({ leafHash: merkleLeafHash(leaves[5] as Buffer), index: 5, path: changed, memo })).toBe(false);
    expect(verifyInclusionProof({ leafHash: merkleLeafHash(leaves[5] as Buffer), index: 4, path, memo })).toBe(false);
    expect(code(() => verifyInclusionProof({ leafHash: merkleLeafHash(leaves[5] as Buffer), index: 5, path: path.slice(1), memo }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(code(() => verifyInclusionProof({ leafHash: merkleLeafHash(leaves[5] as Buffer), index: 5, path: [...path, tree.root], memo }))).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(memo.nodeCount).toBe(known);
    // A memo bound to another root refuses the right proof (the root is the signed one, not the walk's).
    const other = new MerkleNodeMemo(buildMerkleTree(leavesOf(13).reverse().map(merkleLeafHash)).root, 13);
    expect(verifyInclusionProof({ leafHash: merkleLeafHash(leaves[5] as Buffer), index: 5, path, memo: other })).toBe(false);
    expect(other.nodeCount).toBe(0);
  });

  it('treats a tree of one leaf as its leaf hash with an empty path', () => {
    const leaf = merkleLeafHash(Buffer.from('only'));
    const tree = buildMerkleTree([leaf]);
    expect(tree.root.equals(leaf)).toBe(true);
    expect(tree.proof(0)).toEqual([]);
    expect(() => buildMerkleTree([])).toThrow(TypeError);
  });

  it('hashes a text leaf as the leaf of its UTF-8 bytes, whatever the text holds', () => {
    const encoder = new TextEncoder();
    const alphabet = ['a', '{', '"', '\u0000', '\u007f', '\u0080', '\u00e9', '\u0645', '\u2028', '\uffff', '\ud83d\ude00', '\ud800', '\udc00'];
    const next = seededRandom(11);
    const texts = ['', '\u0000', `{"data":{"a":1},"id":"x"}`, 'x'.repeat(5000)];
    for (let i = 0; i < 2_000; i++) texts.push(Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
    for (const text of texts) expect(merkleLeafHashOfText(text).equals(merkleLeafHash(encoder.encode(text)))).toBe(true);
    expect(merkleLeafHashOfText('abc').equals(createHash('sha256').update(Buffer.from([0x00, 0x61, 0x62, 0x63])).digest())).toBe(true);
  });
});
