/**
 * Templates of a protected header's JSON text, for the known-signer fast path of
 * verify-detached.ts. A signer's headers share one layout (the same members in the same order, the
 * same algorithm, crit list, x5c and x5t#S256); only a few values change per signature: sigT, the
 * nonce, the body digest, the path, the request hash, a status. A template is the header text of
 * one accepted signature cut into constant byte segments and holes where those values were:
 *
 *   T = C0 v1 C1 v2 C2 ... vn Cn      (C = constant bytes, v = hole values)
 *
 * A string hole holds what may sit between the quotes of a JSON string without any escape: the
 * printable ASCII characters other than `"` and `\` (RFC 8259 §7 `unescaped`, restricted to
 * %x20-7E). An integer hole holds `0` or an optional `-` and 1-15 digits not starting with 0
 * (RFC 8259 §6 `int`, short enough to be exact in a double, no `-0`). Anything else (an escape,
 * a control character, non-ASCII, a fraction or exponent, another member, another order, a space)
 * makes the match fail, and the caller parses the header in full.
 *
 * Why a match gives what JSON.parse gives. A template is only made from a text T that is exactly
 * the UTF-8 of `JSON.stringify(JSON.parse(T))`: no whitespace, no escape JSON.stringify would not
 * write, no duplicate member (JSON.parse keeps the last value at the place of the first, so the
 * re-serialised text differs), no integer-like member names (which objects put first), valid
 * UTF-8. Its members are strings, integers, booleans, null and arrays of strings, only. Call the
 * parsed header H. The holes are the values of top-level string and integer members (except the
 * names the caller keeps constant, e.g. alg and x5t#S256, which then stay inside the segments),
 * cut out of JSON.stringify(H) at their exact places. For a text T' that matches, with hole values
 * w1..wn, let H' be H with each hole member's value replaced by wi (a string, or the integer wi
 * spells). JSON.stringify writes each member value independently of the others, a string of the
 * hole alphabet as `"` + itself + `"` and such an integer as its digits, so JSON.stringify(H') =
 * C0 w1 C1 ... wn Cn = T'. And JSON.parse(JSON.stringify(H')) is H' again: the same members in the
 * same order with the same values (H' is made of strings, safe integers, booleans, null and arrays
 * of strings, whose serialisations parse back to themselves, and its names are not integer-like).
 * So JSON.parse(T') = H': the same object, member for member and in the same order, that the
 * full parse of the same bytes gives. Which of several possible cuts the scan finds does not
 * matter: any cut that fits gives an H' with JSON.stringify(H') = T', and JSON.parse(T') is one.
 * header-template.test.ts compares the two on generated, mutated and hostile headers.
 */
import { randomBytes } from 'node:crypto';

export interface HeaderTemplate {
  /** Constant bytes: `segments[i]` comes before hole i, the last one after the last hole. */
  readonly segments: readonly Buffer[];
  /** The member name of each hole, in text order. */
  readonly holeNames: readonly string[];
  /** Whether each hole holds an integer (else a string). */
  readonly holeIsInteger: readonly boolean[];
  /** The header as parsed from the text the template was made of; copied for every match. */
  readonly header: Readonly<Record<string, unknown>>;
  /** Its members holding arrays (of strings), copied for every match so no two callers share one. */
  readonly arrayNames: readonly string[];
  /** Which segment is the longest (the one holding x5c, in a signed header), and where it starts in the template's own text. */
  readonly longIndex: number;
  readonly longStart: number;
  /** The base64url text of the long segment's whole 3-byte groups, see TextAnchor. */
  readonly anchor: TextAnchor;
}

/**
 * Base64url (RFC 4648 §5) turns each 3-byte group into 4 characters on its own, so in a header
 * text whose long segment starts where it starts in the template's text, the groups that lie
 * wholly inside it are the very characters of the template's encoded header: `text` at
 * [charStart, charEnd). Comparing those characters with the JWS as received spares decoding and
 * comparing the ~3 KB of x5c (and checking them for base64url: the template's characters are).
 * The groups start after the segment's first byte, so every byte a hole scan before it can read
 * is decoded; the bytes [byteStart, byteEnd) are not (see fillHeaderTemplate's `anchored`).
 */
export interface TextAnchor {
  readonly charStart: number;
  readonly charEnd: number;
  readonly text: string;
  readonly byteStart: number;
  readonly byteEnd: number;
}

/** RFC 8259 §7 `unescaped`, restricted to printable ASCII. */
const HOLE_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** RFC 8259 §6 `int` of at most 15 digits (exact in a double), without `-0`. */
const HOLE_INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;

/**
 * The template of a header text (UTF-8 bytes), or `undefined` when it cannot have one (see above).
 * Top-level string members named in `constantNames` stay part of the segments. Costs a parse and
 * two serialisations of the header: made once per layout, not per signature.
 */
export function headerTemplateOf(bytes: Buffer, constantNames: ReadonlySet<string>): HeaderTemplate | undefined {
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return undefined;
  const parsed = header as Record<string, unknown>;
  // Only the text JSON.stringify writes for what JSON.parse read (compared as bytes, so invalid
  // UTF-8, which decodes to U+FFFD, does not pass).
  if (!Buffer.from(JSON.stringify(parsed), 'utf8').equals(bytes)) return undefined;
  const marker = `hole:${randomBytes(12).toString('hex')}:`;
  const withMarkers: Record<string, unknown> = { ...parsed };
  const holeNames: string[] = [];
  const holeIsInteger: boolean[] = [];
  const arrayNames: string[] = [];
  for (const name of Object.keys(parsed)) {
    // An own `__proto__` member (JSON.parse makes one) is left to the full parse.
    if (name === '__proto__') return undefined;
    const value = parsed[name];
    if (value === null || typeof value === 'boolean') continue;
    if (Array.isArray(value)) {
      if (!value.every((item) => typeof item === 'string')) return undefined;
      arrayNames.push(name);
      continue;
    }
    if (typeof value === 'string' && constantNames.has(name)) continue;
    if (typeof value === 'string' ? !HOLE_STRING.test(value) : typeof value !== 'number' || !HOLE_INTEGER.test(String(value))) return undefined;
    withMarkers[name] = `${marker}${holeNames.length}`;
    holeNames.push(name);
    holeIsInteger.push(typeof value === 'number');
  }
  // Cut JSON.stringify(H) where the holes are: each marker string sits where its value was (an
  // integer's digits without the quotes its marker brings).
  const marked = Buffer.from(JSON.stringify(withMarkers), 'utf8');
  const segments: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < holeNames.length; i++) {
    const text = Buffer.from(`${marker}${i}"`, 'latin1');
    const at = marked.indexOf(text, from);
    if (at < 0 || marked.indexOf(text, at + 1) >= 0) return undefined;
    const quote = holeIsInteger[i] === true ? 1 : 0;
    segments.push(marked.subarray(from, at - quote));
    from = at + text.length - 1 + quote;
  }
  segments.push(marked.subarray(from));
  let longIndex = 0;
  let longStart = 0;
  for (let i = 0, at = 0; i < segments.length; i++) {
    const segment = segments[i] as Buffer;
    if (segment.length > (segments[longIndex] as Buffer).length) {
      longIndex = i;
      longStart = at;
    }
    at += segment.length;
    const hole = holeNames[i];
    if (hole !== undefined) at += String(parsed[hole]).length;
  }
  const longEnd = longStart + (segments[longIndex] as Buffer).length;
  const byteStart = Math.ceil((longStart + 1) / 3) * 3;
  const byteEnd = Math.floor(longEnd / 3) * 3;
  if (byteEnd - byteStart < 3) return undefined;
  const anchor: TextAnchor = { charStart: (byteStart / 3) * 4, charEnd: (byteEnd / 3) * 4, text: bytes.toString('base64url', byteStart, byteEnd), byteStart, byteEnd };
  const template: HeaderTemplate = { segments, holeNames, holeIsInteger, header: parsed, arrayNames, longIndex, longStart, anchor };
  // The template must give back the very header it was made of (a check of the cutting above).
  const again = fillHeaderTemplate(template, bytes, false);
  if (again === undefined || JSON.stringify(again) !== JSON.stringify(parsed)) return undefined;
  return template;
}

/** Where each hole's value starts and ends in the match in progress (reused). */
let holeBounds = new Int32Array(64);

/**
 * The header `JSON.parse` gives for `bytes` (decoded header text), when they match `template`;
 * otherwise `undefined`. A fresh object each time, with fresh arrays.
 *
 * `anchored`: the caller found the JWS to hold the template's anchor text (TextAnchor) and did not
 * decode those characters, so `bytes` [anchor.byteStart, anchor.byteEnd) are not the header's: they
 * equal the template's own bytes there. The long segment must then start exactly where it does in
 * the template, and only its bytes outside that range are compared. (A hole scan never reads in
 * that range without failing: the range starts after the long segment's first byte, so a hole
 * that ran into it would not end where the long segment starts.)
 */
export function fillHeaderTemplate(template: HeaderTemplate, bytes: Buffer, anchored: boolean): Record<string, unknown> | undefined {
  const { segments, holeIsInteger, longIndex } = template;
  const holes = holeIsInteger.length;
  const end = bytes.length;
  if (holeBounds.length < holes * 2) holeBounds = new Int32Array(holes * 2);
  const bounds = holeBounds;
  let at = 0;
  for (let i = 0; ; i++) {
    const segment = segments[i] as Buffer;
    if (i === longIndex && anchored) {
      const { byteStart, byteEnd } = template.anchor;
      if (at !== template.longStart || !segmentAt(bytes, segment, at, 0, byteStart - at) || !segmentAt(bytes, segment, byteEnd, byteEnd - at, segment.length)) return undefined;
    } else if (!segmentAt(bytes, segment, at, 0, segment.length)) {
      return undefined;
    }
    at += segment.length;
    if (i === holes) break;
    const start = at;
    if (holeIsInteger[i] === true) {
      if (bytes[at] === 0x2d) at++;
      const first = at;
      const lead = bytes[at];
      if (lead === 0x30) {
        if (first !== start) return undefined; // -0
        at++;
      } else if (lead !== undefined && lead >= 0x31 && lead <= 0x39) {
        at++;
        while (at < end && (bytes[at] as number) >= 0x30 && (bytes[at] as number) <= 0x39) at++;
        if (at - first > 15) return undefined;
      } else {
        return undefined;
      }
    } else {
      for (;;) {
        if (at >= end) return undefined;
        const byte = bytes[at] as number;
        if (byte === 0x22) break;
        if (byte < 0x20 || byte > 0x7e || byte === 0x5c) return undefined;
        at++;
      }
    }
    bounds[2 * i] = start;
    bounds[2 * i + 1] = at;
  }
  if (at !== end) return undefined;
  const header: Record<string, unknown> = { ...template.header };
  // The values after the long segment are read from one string (one call instead of one per hole).
  const tailFrom = longIndex < holes ? (bounds[2 * longIndex] as number) : end;
  const tail = bytes.toString('latin1', tailFrom, end);
  for (let i = 0; i < holes; i++) {
    const from = bounds[2 * i] as number;
    const to = bounds[2 * i + 1] as number;
    const text = from >= tailFrom ? tail.slice(from - tailFrom, to - tailFrom) : bytes.toString('latin1', from, to);
    header[template.holeNames[i] as string] = holeIsInteger[i] === true ? Number(text) : text;
  }
  for (const name of template.arrayNames) header[name] = (template.header[name] as string[]).slice();
  return header;
}

/** Whether `bytes` at `at` hold `segment` [from, to): short parts compared here, long ones by Buffer.compare. */
function segmentAt(bytes: Buffer, segment: Buffer, at: number, from: number, to: number): boolean {
  const length = to - from;
  if (length <= 0) return true;
  if (at + length > bytes.length) return false;
  if (length > 32) return bytes.compare(segment, from, to, at, at + length) === 0;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== segment[from + i]) return false;
  return true;
}
