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

  it('gives exactly JSON.stringify of each string, when whole strings or their heads before a dot repeat and when they do not', () => {
    const memo = new RepeatedStringJson();
    const header = `eyJhbGciOiJFUzI1NiJ9${'A'.repeat(3000)}`;
    const values = [
      'abc',
      'abc',
      'abd',
      'a"c',
      'a"c',
      `${header}..sig-1`,
      `${header}..sig-2`,
      `${header}..sig-2`,
      `${header}B..sig-2`, // a longer head
      `${header.slice(0, -1)}..sig-2`, // a shorter head
      `${header}..sig-3`,
      `h"\\\n\u2028..t"\\\u0001`, // escapes on both sides of the cut
      `h"\\\n\u2028..t\ud83d\ude00`,
      '\ud83d.\ude00', // lone surrogates around the cut
      '\ud83d\ude00.\ud83d\ude00', // pairs on both sides
      '.starts with a dot',
      'ends with a dot.',
      '',
      '..',
      `${header}..sig-4`,
    ];
    for (const value of values) expect(memo.jsonOf(value)).toBe(JSON.stringify(value));
  });

  it('gives exactly JSON.stringify for generated strings full of dots, escapes and surrogates', () => {
    const memo = new RepeatedStringJson();
    const alphabet = ['.', '.', 'a', 'b', '"', '\\', '\n', '\u0000', '\u2028', '\ud800', '\udc00', '\ud83d\ude00', '\u00e9'];
    let seed = 42;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let previous = '';
    for (let i = 0; i < 5_000; i++) {
      const fresh = Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      // Often the previous string's head with a new tail, as same-second signatures are.
      const dot = previous.indexOf('.');
      const value = next() < 0.5 && dot >= 0 ? previous.slice(0, dot) + fresh : fresh;
      expect(memo.jsonOf(value)).toBe(JSON.stringify(value));
      previous = value;
    }
  });
});
