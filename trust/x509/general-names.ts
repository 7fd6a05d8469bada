/**
 * GeneralName decoding (RFC 5280 §4.2.1.6), byte-exact:
 *   GeneralName ::= CHOICE { otherName [0], rfc822Name [1] IA5String, dNSName [2] IA5String,
 *     x400Address [3], directoryName [4] Name, ediPartyName [5], uniformResourceIdentifier [6]
 *     IA5String, iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER }
 * In name constraints an iPAddress is address followed by mask (8 or 32 octets).
 */
import { TrustError } from '../errors/trust-error.js';
import { children, encoded, readNode, value, type DerNode } from '../util/der.js';

export type GeneralNameValue =
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'dn'; readonly der: Uint8Array }
  | { readonly type: 'other'; readonly tagNumber: number };

function ia5(node: DerNode): string {
  const bytes = value(node);
  for (const b of bytes) {
    if (b > 0x7e || b < 0x20) throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: 'Non-IA5 character in a name' });
  }
  return Buffer.from(bytes).toString('latin1');
}

export function decodeGeneralName(node: DerNode): GeneralNameValue {
  if (node.tagClass !== 2) throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: 'GeneralName is not context-tagged' });
  switch (node.tagNumber) {
    case 1:
      return { type: 'email', value: ia5(node) };
    case 2:
      return { type: 'dns', value: ia5(node) };
    case 4: {
      // [4] is EXPLICIT (Name is a CHOICE), so the value holds one complete Name.
      const inner = children(node);
      if (inner.length !== 1) throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: 'Bad directoryName' });
      return { type: 'dn', der: encoded(inner[0] as DerNode) };
    }
    case 6:
      return { type: 'uri', value: ia5(node) };
    case 7:
      return { type: 'ip', bytes: value(node) };
    default:
      return { type: 'other', tagNumber: node.tagNumber };
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName */
export function decodeGeneralNames(der: Uint8Array, max = 256): GeneralNameValue[] {
  const seq = readNode(der);
  const items = children(seq);
  if (items.length > max) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'Too many names' });
  return items.map(decodeGeneralName);
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
    return parts.join(':');
  }
  return Buffer.from(bytes).toString('hex');
}

/** Parses a literal IPv4 or IPv6 address to bytes, or undefined. */
export function parseIp(text: string): Uint8Array | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return new Uint8Array(parts);
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = parseInt(groups[i] ?? '', 16);
    if (Number.isNaN(g) || g > 0xffff) return undefined;
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  }
  return out;
}

export function describeGeneralName(name: GeneralNameValue): string {
  switch (name.type) {
    case 'email':
      return `email:${name.value}`;
    case 'dns':
      return `DNS:${name.value}`;
    case 'uri':
      return `URI:${name.value}`;
    case 'ip':
      return `IP:${formatIp(name.bytes)}`;
    case 'dn':
      return 'DirName';
    case 'other':
      return `other[${name.tagNumber}]`;
  }
}
