import { describe, it, expect } from '@jest/globals';
import { canonicalize } from './canonical-json.js';

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
