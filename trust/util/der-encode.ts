/** A small DER encoder (X.690 §10) for the few structures built by hand (name constraints, OCSP, TSP). */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else if (len < 0x100) header = [tag, 0x81, len];
  else if (len < 0x10000) header = [tag, 0x82, len >> 8, len & 0xff];
  else header = [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export const sequence = (...parts: readonly Uint8Array[]): Uint8Array => tlv(0x30, concat(...parts));
export const set = (...parts: readonly Uint8Array[]): Uint8Array => tlv(0x31, concat(...parts));
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
export const ia5String = (text: string): Uint8Array => tlv(0x16, new Uint8Array(Buffer.from(text, 'latin1')));
export const nullValue = (): Uint8Array => new Uint8Array([0x05, 0x00]);
export const contextConstructed = (n: number, ...parts: readonly Uint8Array[]): Uint8Array => tlv(0xa0 | n, concat(...parts));
export const contextPrimitive = (n: number, bytes: Uint8Array): Uint8Array => tlv(0x80 | n, bytes);

export function integer(value: number | bigint | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) {
    bytes = value;
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0 && ((bytes[i + 1] as number) & 0x80) === 0) i++;
    bytes = bytes.subarray(i);
  } else {
    let v = BigInt(value);
    if (v < 0n) throw new TypeError('negative INTEGER not supported');
    const out: number[] = [];
    do {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    bytes = new Uint8Array(out);
  }
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = concat(new Uint8Array([0]), bytes);
  return tlv(0x02, bytes);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const first = arcs[0] ?? 0n;
  const second = arcs[1] ?? 0n;
  const out: number[] = [];
  const push = (v: bigint): void => {
    const chunk: number[] = [Number(v & 0x7fn)];
    v >>= 7n;
    while (v > 0n) {
      chunk.unshift(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(...chunk);
  };
  push(first * 40n + second);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, new Uint8Array(out));
}

export function generalizedTime(date: Date): Uint8Array {
  // RFC 5280 §4.1.2.5.2: YYYYMMDDHHMMSSZ, no fractional seconds.
  const iso = date.toISOString();
  const text = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x18, new Uint8Array(Buffer.from(text, 'latin1')));
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, concat(new Uint8Array([unusedBits]), bytes));
}
