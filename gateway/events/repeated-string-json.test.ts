import { describe, expect, it } from '@jest/globals';
import { appendWithMember, JsonLineBytes, RepeatedStringJson, stringifyWithMember } from './repeated-string-json.js';
import { seededRandom } from '../../trust/testing/seeded-random.js';

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
    const next = seededRandom(42);
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

  it('writes lines as bytes equal to the UTF-8 of the JSON text, a long member copied from bytes encoded once, whether it repeats, shares its head or is new', () => {
    const alphabet = ['.', 'a', 'Z', '"', '\\', '\n', '\u0000', '\u2028', '\ud800', '\udc00', '\ud83d\ude00', '\u00e9', '\u0645'];
    const next = seededRandom(7);
    const fresh = (length: number): string => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const header = `eyJ${'A'.repeat(3000)}${fresh(20)}`;
    const memo = new RepeatedStringJson();
    let previous = `${header}..sig`;
    for (let batch = 0; batch < 200; batch++) {
      const lines = new JsonLineBytes();
      let expected = '';
      for (let line = 0; line < 1 + Math.floor(next() * 6); line++) {
        // The same value again (a batch's JWS), the same head with a new tail (same-second signatures), or anything.
        const choice = next();
        const dot = previous.indexOf('.');
        const value = choice < 0.4 ? previous : choice < 0.7 && dot >= 0 ? `${previous.slice(0, dot)}.${fresh(8)}` : next() < 0.5 ? `${fresh(10)}.${fresh(5)}` : fresh(6);
        previous = value;
        const object: Record<string, unknown> = next() < 0.1 ? { ce_id: fresh(4), ce_jws: 42 } : { ce_id: fresh(4), [fresh(2)]: fresh(3), ce_jws: value, 'content-type': 'application/json' };
        const prefix = `{"n":${line},"h":`;
        lines.text(prefix);
        appendWithMember(lines, object, 'ce_jws', memo);
        lines.text('}\n');
        const text = stringifyWithMember(object, 'ce_jws', new RepeatedStringJson());
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(object)));
        expected += `${prefix}${text}}\n`;
      }
      expect(lines.take().equals(Buffer.from(expected))).toBe(true);
    }
    const empty = new JsonLineBytes();
    expect(empty.take().length).toBe(0);
    empty.bytes(Buffer.from('é'));
    empty.text('x');
    expect(empty.take().toString()).toBe('éx');
    expect(empty.take().length).toBe(0);
  });
});
