import { describe, it, expect } from '@jest/globals';
import { canonicalize } from './canonical-json.js';
import { seededRandom } from '../testing/seeded-random.js';

describe('canonicalize (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and keeps arrays in order', () => {
    expect(canonicalize({ b: 1, a: [3, 1], '\u20ac': 0, '\ud83d\ude00': 1, '\r': 2 })).toBe('{"\\r":2,"a":[3,1],"b":1,"\u20ac":0,"\ud83d\ude00":1}');
  });

  it('serialises numbers the ECMAScript way, as in the RFC 8785 appendix', () => {
    expect(canonicalize([333333333.33333329, 1e30, 4.5, 0.002, 1e-27, -0])).toBe('[333333333.3333333,1e+30,4.5,0.002,1e-27,0]');
  });

  it('refuses non-finite numbers, lone surrogates and over-deep nesting', () => {
    expect(() => canonicalize({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalize('\ud800')).toThrow(TypeError);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalize(deep)).toThrow(TypeError);
  });
});

/** The walk canonicalize used before it was made faster: the reference the differential tests compare with. */
function referenceCanonicalize(value: unknown, maxDepth = 64): string {
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
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
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, item]) => `${walk(k, depth + 1)}:${walk(item, depth + 1)}`).join(',')}}`;
      }
      default:
        throw new TypeError(`Cannot canonicalize a ${typeof v}`);
    }
  };
  return walk(value, 0);
}

/** Generated JSON-like values: unicode (astral, lone surrogates, escapes), edge numbers, nesting. */
function generator(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const codeUnit = (): string => {
    switch (Math.floor(next() * 9)) {
      case 0:
        return String.fromCharCode(Math.floor(next() * 0x20)); // control characters
      case 1:
        return pick(['"', '\\', '/', '\u007f', '\u2028', '\u2029', '\ufeff', '\u00e9', '\u20ac']);
      case 2:
        return String.fromCodePoint(0x10000 + Math.floor(next() * 0xfffff)); // a surrogate pair
      case 3:
        return next() < 0.15 ? String.fromCharCode(0xd800 + Math.floor(next() * 0x800)) : 'x'; // sometimes a lone surrogate
      case 4:
        return String.fromCharCode(0x600 + Math.floor(next() * 0x100)); // Arabic
      case 5:
        return String.fromCharCode(0xe000 + Math.floor(next() * 0x2000)); // above the surrogates
      default:
        return String.fromCharCode(0x20 + Math.floor(next() * 0x5f));
    }
  };
  const text = (max: number): string => Array.from({ length: Math.floor(next() * max) }, codeUnit).join('');
  const number = (): number => {
    switch (Math.floor(next() * 8)) {
      case 0:
        return pick([0, -0, 1, -1, 0.1, 1e21, 1e-7, 1e-6, 123e-20, 5e-324, Number.MAX_VALUE, Number.MIN_SAFE_INTEGER, 2 ** 53, 333333333.33333329, 4.5, 1e30]);
      case 1:
        return next() < 0.05 ? pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) : 7;
      case 2: {
        // Any double from random bits (ECMAScript Number::toString in all its forms).
        const bytes = new DataView(new ArrayBuffer(8));
        bytes.setUint32(0, Math.floor(next() * 2 ** 32));
        bytes.setUint32(4, Math.floor(next() * 2 ** 32));
        const value = bytes.getFloat64(0);
        return Number.isFinite(value) ? value : 0.5;
      }
      case 3:
        return Math.floor(next() * 2 ** 31) - 2 ** 30;
      case 4:
        return Number((next() * 1000).toFixed(Math.floor(next() * 6)));
      default:
        return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    }
  };
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 6 ? 6 : 9));
    switch (kind) {
      case 0:
        return null;
      case 1:
        return next() < 0.5;
      case 2:
      case 3:
        return number();
      case 4:
      case 5:
        return text(12);
      case 6: {
        const items = Array.from({ length: Math.floor(next() * 5) }, () => value(depth + 1));
        if (next() < 0.03) items.push(undefined); // refused inside an array
        return items;
      }
      default: {
        const record: Record<string, unknown> = {};
        const members = Math.floor(next() * 6);
        // Names that differ early or late, in the BMP and above it, so the order by UTF-16 code units matters.
        for (let i = 0; i < members; i++) record[pick(['', 'a', 'b', 'aa', 'B', '\u00e9', '\ud83d\ude00', '\uff61', '\u20ac', '1', '10', '2', text(4)])] = next() < 0.1 ? undefined : value(depth + 1);
        return record;
      }
    }
  };
  return value;
}

const outcome = (run: () => string): string => {
  try {
    return `ok ${run()}`;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};

describe('canonicalize against the earlier walk', () => {
  it('gives the same text or the same refusal for 20,000 generated values', () => {
    const value = generator(seededRandom(8785));
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const generated = value(0);
      const expected = outcome(() => referenceCanonicalize(generated));
      if (!expected.startsWith('ok ')) refused += 1;
      expect(`${i}: ${outcome(() => canonicalize(generated))}`).toBe(`${i}: ${expected}`);
    }
    // Both branches were exercised: valid values and each kind of refusal.
    expect(refused).toBeGreaterThan(200);
    expect(refused).toBeLessThan(15_000);
  });

  it('gives the same text or the same refusal at and around the depth limit', () => {
    const value = generator(seededRandom(7493));
    for (let i = 0; i < 2_000; i++) {
      let nested: unknown = value(5);
      const levels = Math.floor(i / 40);
      for (let level = 0; level < levels; level++) nested = i % 2 === 0 ? [nested] : { [`l${level}`]: nested };
      for (const maxDepth of [3, 8, 31, 32]) {
        expect(`${i}/${maxDepth}: ${outcome(() => canonicalize(nested, { maxDepth }))}`).toBe(`${i}/${maxDepth}: ${outcome(() => referenceCanonicalize(nested, maxDepth))}`);
      }
    }
  });

  it('treats the odd inputs alike: sparse arrays, explicit undefined, functions, symbols and bigints', () => {
    const cases: unknown[] = [[1, , 2], [undefined], { a: undefined }, { a: () => 1 }, [Symbol('s')], { n: 10n }, Object.create({ inherited: 1 }), new Date(0), { a: { b: undefined, c: [] } }];
    for (const value of cases) expect(outcome(() => canonicalize(value))).toBe(outcome(() => referenceCanonicalize(value)));
    // Too deep is said before anything about the member names one level down.
    expect(outcome(() => canonicalize({ '\ud800': 1 }, { maxDepth: 0 }))).toBe(outcome(() => referenceCanonicalize({ '\ud800': 1 }, 0)));
    expect(outcome(() => canonicalize({ '\ud800': 1 }, { maxDepth: 0 }))).toBe('TypeError: JSON nesting deeper than 0');
  });
});
