/**
 * JSON Canonicalization Scheme, RFC 8785. Object members are sorted by their names as UTF-16 code
 * unit sequences (§3.2.3); numbers use the ECMAScript Number-to-String algorithm, which is exactly
 * what JSON.stringify produces for finite numbers (§3.2.2.3); strings use JSON.stringify's escaping
 * (§3.2.2.2). Non-finite numbers and lone surrogates are refused (I-JSON, RFC 7493).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface CanonicalizeOptions {
  /** @default 64 */
  readonly maxDepth?: number;
}

export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  const maxDepth = options.maxDepth ?? 64;
  const walk = (v: unknown, depth: number): string => {
    if (depth > maxDepth) throw new TypeError(`JSON nesting deeper than ${maxDepth}`);
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) throw new TypeError('Non-finite numbers cannot be canonicalized');
        return JSON.stringify(v);
      case 'string':
        if (LONE_SURROGATE.test(v)) throw new TypeError('Lone surrogate in string');
        return JSON.stringify(v);
      case 'object': {
        if (Array.isArray(v)) return `[${v.map((item) => walk(item, depth + 1)).join(',')}]`;
        const entries = Object.entries(v as Record<string, unknown>).filter(([, item]) => item !== undefined);
        // Default string sort compares UTF-16 code units, as §3.2.3 requires.
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, item]) => `${walk(k, depth + 1)}:${walk(item, depth + 1)}`).join(',')}}`;
      }
      default:
        throw new TypeError(`Cannot canonicalize a ${typeof v}`);
    }
  };
  return walk(value, 0);
}
