import { describe, expect, it } from '@jest/globals';
import { RepeatedStringJson, stringifyWithMember } from './repeated-string-json.js';

describe('JSON with a repeated long member', () => {
  it('parses back to the same object as JSON.stringify gives, whatever the member and the rest hold', () => {
    const memo = new RepeatedStringJson();
    const jws = `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(3000)}.sig`;
    const objects: Array<Record<string, unknown>> = [
      { ce_id: 'a', ce_jws: jws, 'content-type': 'application/json' },
      { ce_jws: jws },
      { ce_id: 'b', ce_jws: 'another "quoted" \u2028 jws\n' },
      { ce_id: 'c', ce_jws: jws },
      { ce_id: 'd' },
      { ce_id: 'e', ce_jws: 42 },
      { z: null, a: [1, { b: 'c' }], ce_jws: jws, '"odd" name': '\u0000' },
    ];
    for (const object of objects) {
      const text = stringifyWithMember(object, 'ce_jws', memo);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(object)));
      expect(text).not.toContain('\n');
    }
  });

  it('gives the JSON of a string only when it repeats the previous one, also telling apart strings of the same length', () => {
    const memo = new RepeatedStringJson();
    expect(memo.ofRepeated('abc')).toBeUndefined();
    expect(memo.ofRepeated('abc')).toBe('"abc"');
    expect(memo.ofRepeated('abc')).toBe('"abc"');
    expect(memo.ofRepeated('abd')).toBeUndefined();
    expect(memo.ofRepeated('a"c')).toBeUndefined();
    expect(memo.ofRepeated('a"c')).toBe('"a\\"c"');
  });
});
