/**
 * A minimal, bounded DER reader (ITU-T X.690 §8, §10). It exists for three jobs the ASN.1 schema
 * libraries do not do: pre-scanning untrusted input for size and nesting before any parser sees it
 * (bounded work), taking the exact bytes of a signed structure (TBSCertificate, tbsResponseData),
 * and reading GeneralNames byte-exactly (iPAddress with masks).
 *
 * TLV grammar: identifier octet (class 2 bits | constructed 1 bit | tag 5 bits; high tag numbers
 * are refused), length (short form < 0x80, or long form 0x81..0x84 followed by that many octets,
 * minimal), then the value.
 */
import { TrustError } from '../errors/trust-error.js';

export interface DerNode {
  /** The identifier octet. */
  readonly tag: number;
  readonly constructed: boolean;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly tagNumber: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  readonly valueStart: number;
  /** Offset just past the value. */
  readonly end: number;
  readonly bytes: Uint8Array;
}

function malformed(message: string): TrustError {
  return new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: `Malformed DER: ${message}` });
}

export function readNode(bytes: Uint8Array, offset = 0, limit = bytes.length): DerNode {
  if (offset + 2 > limit) throw malformed('truncated header');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw malformed('high tag numbers are not used in PKIX');
  let length = bytes[offset + 1] as number;
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // X.690 §10.1: definite form only; four octets are far beyond any size limit we accept.
    if (count === 0 || count > 4) throw malformed('indefinite or oversized length');
    if (pos + count > limit) throw malformed('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[pos + i] as number);
    if (length < 0x80 || (count > 1 && bytes[pos] === 0)) throw malformed('non-minimal length');
    pos += count;
  }
  const end = pos + length;
  if (end > limit) throw malformed('value runs past its container');
  return {
    tag,
    constructed: (tag & 0x20) !== 0,
    tagClass: tag >> 6,
    tagNumber: tag & 0x1f,
    start: offset,
    valueStart: pos,
    end,
    bytes,
  };
}

export function children(node: DerNode): DerNode[] {
  if (!node.constructed) throw malformed('expected a constructed value');
  const out: DerNode[] = [];
  let pos = node.valueStart;
  while (pos < node.end) {
    const child = readNode(node.bytes, pos, node.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function value(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.valueStart, node.end);
}

export function encoded(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.start, node.end);
}

export interface DerLimits {
  /** @default 65536 */
  readonly maxBytes?: number;
  /** @default 24 */
  readonly maxDepth?: number;
  /** @default 4096 */
  readonly maxNodes?: number;
}

/**
 * Walks the whole structure once, refusing trailing bytes, nesting deeper than `maxDepth` and more
 * than `maxNodes` elements, so that later parsing of hostile input takes bounded time and stack.
 */
export function assertDerWithinLimits(bytes: Uint8Array, limits: DerLimits = {}): DerNode {
  const maxBytes = limits.maxBytes ?? 65536;
  const maxDepth = limits.maxDepth ?? 24;
  const maxNodes = limits.maxNodes ?? 4096;
  if (bytes.length > maxBytes) {
    throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: `Input of ${bytes.length} bytes exceeds ${maxBytes}` });
  }
  const root = readNode(bytes, 0);
  if (root.end !== bytes.length) throw malformed('trailing bytes after the outer value');
  let nodes = 0;
  const stack: Array<{ node: DerNode; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: DerNode; depth: number };
    if (++nodes > maxNodes) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'Too many ASN.1 elements' });
    if (depth > maxDepth) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'ASN.1 nesting too deep' });
    if (node.constructed) for (const child of children(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return root;
}

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw malformed('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) throw malformed('OID arc too large');
    if (!(b & 0x80)) {
      if (parts.length === 0) {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        parts.push(first, acc - first * 40);
      } else {
        parts.push(acc);
      }
      acc = 0;
    }
  }
  return parts.join('.');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A fresh ArrayBuffer holding exactly these bytes (the ASN.1 libraries want ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}
