import { describe, expect, it } from '@jest/globals';
import { canonicalize } from '../util/canonical-json.js';
import { canonicalEventJson, eventSigningInput, type SignableEvent } from './event-signatures.js';

const base = { specversion: '1.0', id: 'e-1', source: 'GCC:QA:GOV:GCCGW:gateway', type: 'gcc.cloud.provisioning.completed.v1', subject: 'op-1', time: '2026-11-23T09:00:00Z', datacontenttype: 'application/json' };

describe('the canonical event (RFC 8785)', () => {
  it('is the same built around the data’s canonical form as canonicalised whole, for data of every JSON kind', () => {
    const datas: Array<Record<string, unknown>> = [
      {},
      { b: 1, a: 'x', c: null, d: true, e: [3, 2, { z: 1, y: [] }] },
      { '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, 'a\u0000': 4, A: 5, aa: 6, a: 7 },
      { n: 1e21, m: -0, k: 0.1 + 0.2, s: 'line\nbreak "quoted" \u2028', nested: { deeper: { deepest: [1, [2, [3]]] } } },
      { skipped: undefined, kept: 1 },
    ];
    for (const data of datas) {
      // Extra attributes (extensions) and a `jws` member that is never signed.
      for (const event of [{ ...base, data }, { zext: 'z', ...base, data, jws: 'x..y', aext: 1 }] as SignableEvent[]) {
        const whole = canonicalEventJson(event);
        expect(canonicalEventJson(event, canonicalize(data))).toBe(whole);
        const { jws: _jws, ...rest } = event as Record<string, unknown>;
        expect(whole).toBe(canonicalize(rest));
        expect(Buffer.from(eventSigningInput(event, canonicalize(data))).toString('utf8')).toBe(whole);
      }
    }
  });

  it('keeps the nesting limit of the whole event and refuses what canonicalize refuses in the other members', () => {
    const nested = (levels: number): unknown => {
      let data: unknown = 1;
      for (let i = 0; i < levels; i++) data = { d: data };
      return data;
    };
    // The whole event is limited to 32 levels; its data, canonicalised alone, to 31.
    expect(() => canonicalEventJson({ ...base, data: nested(31) } as SignableEvent)).not.toThrow();
    expect(() => canonicalize(nested(31), { maxDepth: 31 })).not.toThrow();
    expect(() => canonicalEventJson({ ...base, data: nested(32) } as SignableEvent)).toThrow(TypeError);
    expect(() => canonicalize(nested(32), { maxDepth: 31 })).toThrow(TypeError);
    expect(() => canonicalEventJson({ ...base, subject: 'lone \ud800', data: {} } as SignableEvent, '{}')).toThrow(TypeError);
    expect(() => canonicalEventJson({ ...base, ext: Number.NaN, data: {} } as SignableEvent, '{}')).toThrow(TypeError);
  });
});
