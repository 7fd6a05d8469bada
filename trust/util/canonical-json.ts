/**
 * JSON Canonicalization Scheme, RFC 8785. Object members are sorted by their names as UTF-16 code
 * unit sequences (§3.2.3); numbers use the ECMAScript Number-to-String algorithm, which is exactly
 * what JSON.stringify produces for finite numbers (§3.2.2.3); strings use JSON.stringify's escaping
 * (§3.2.2.2). Non-finite numbers and lone surrogates are refused (I-JSON, RFC 7493).
 *
 * Every signed event is canonicalised by its producer and again by each consumer, so the walk
 * avoids per-member allocations (no Object.entries / filter / map, one string built as it goes):
 * measured at about half the time of the earlier walk on a typical event (bench/events/README.md).
 * canonical-json.test.ts compares it with that walk on generated values.
 */

/** A string that JSON.stringify would escape: `"`, `\` or a control character (§3.2.2.2). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

export interface CanonicalizeOptions {
  /** @default 64 */
  readonly maxDepth?: number;
}

export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  return walk(value, 0, options.maxDepth ?? 64);
}

function tooDeep(maxDepth: number): TypeError {
  return new TypeError(`JSON nesting deeper than ${maxDepth}`);
}

/**
 * A string as JSON.stringify writes it, refusing lone surrogates (RFC 8785 §3.2.2.2 with I-JSON,
 * RFC 7493 §2.1). `isWellFormed` is that check, natively (ES2024, V8 11.1: Node 20). A string with
 * nothing to escape is JSON.stringify's output with quotes around it; the rest goes to JSON.stringify.
 */
function canonicalString(text: string): string {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) throw new TypeError('Lone surrogate in string');
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function walk(value: unknown, depth: number, maxDepth: number): string {
  if (depth > maxDepth) throw tooDeep(maxDepth);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('Non-finite numbers cannot be canonicalized');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        const items = value as unknown[];
        let out = '[';
        for (let i = 0; i < items.length; i++) {
          if (i > 0) out += ',';
          // A hole of a sparse array is written as nothing, as Array.prototype.map + join did.
          if (items[i] !== undefined || i in items) out += walk(items[i], depth + 1, maxDepth);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // Default string sort compares UTF-16 code units, as §3.2.3 requires (names are unique).
      const names = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const item = record[name];
        if (item === undefined) continue;
        // A member sits one level down: its name counts there too.
        if (depth + 1 > maxDepth) throw tooDeep(maxDepth);
        if (first) first = false;
        else out += ',';
        out += canonicalString(name);
        out += ':';
        out += walk(item, depth + 1, maxDepth);
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`Cannot canonicalize a ${typeof value}`);
  }
}
