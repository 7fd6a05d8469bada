import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { crc32c } from './crc32c.js';
import { fastEncoderClass, fastRecord, kafkajsFastEncoding, type KafkajsEncoderClass, type KafkajsRecord } from './kafkajs-fast-encoding.js';
import { seededRandom } from '../../trust/testing/seeded-random.js';

/** The kafkajs Encoder methods these tests call (kafkajs's internals are untyped). */
interface TestEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  writeVarIntString(value: string | null): TestEncoder;
  writeVarIntBytes(value: string | Buffer | null): TestEncoder;
  writeVarInt(value: number): TestEncoder;
  writeUVarInt(value: number): TestEncoder;
  writeVarLong(value: number): TestEncoder;
  writeInt8(value: number): TestEncoder;
  writeInt32(value: number): TestEncoder;
  writeVarIntArray(value: TestEncoder[]): TestEncoder;
  writeArray(value: TestEncoder[], type: 'object'): TestEncoder;
  writeEncoder(value: TestEncoder): TestEncoder;
}
type TestEncoderClass = new (initialSize?: number) => TestEncoder;

/** kafkajs's own Encoder and CRC-32C, as shipped. */
function originals(): { Encoder: TestEncoderClass; Fast: TestEncoderClass; crc: (bytes: Uint8Array) => number } {
  let Encoder = kafkajsFastEncoding.originalEncoder;
  let crc = kafkajsFastEncoding.originalCrc32c;
  if (Encoder === undefined || crc === undefined) {
    const require = createRequire(import.meta.url);
    Encoder = require('kafkajs/src/protocol/encoder.js') as KafkajsEncoderClass;
    crc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (bytes: Uint8Array) => number;
  }
  return { Encoder: Encoder as unknown as TestEncoderClass, Fast: fastEncoderClass(Encoder) as unknown as TestEncoderClass, crc };
}

describe('kafkajs fast encoding', () => {
  it('is in effect in this process (kafkajs-fast-encoding is imported before kafkajs)', async () => {
    await import('./kafka-event-transport.js');
    expect(kafkajsFastEncoding.reason).toBeUndefined();
    expect(kafkajsFastEncoding.applied).toBe(true);
    const require = createRequire(import.meta.url);
    expect(require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js')).toBe(crc32c);
    expect((require('kafkajs/src/protocol/encoder.js') as { name: string }).name).toBe('FastEncoder');
  });

  it('is imported by the Kafka transport before kafkajs, which binds the two modules when it loads', () => {
    const source = readFileSync(new URL('./kafka-event-transport.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
    expect(imports.indexOf('./kafkajs-fast-encoding.js')).toBe(0);
    expect(imports).toContain('kafkajs');
  });

  it('gives the CRC-32C check value and the same checksum as kafkajs for every length and content', () => {
    // RFC 3720 §B.4 / the CRC catalogue's check value for CRC-32C.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    const { crc } = originals();
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(crc32c(bytes)).toBe(crc(bytes));
      // A view that does not start at its ArrayBuffer's start, as kafkajs's slices are.
      const view = Buffer.concat([randomBytes(3), bytes]).subarray(3);
      expect(crc32c(view)).toBe(crc(bytes));
    }
    for (const bytes of [Buffer.alloc(4096, 0xff), randomBytes(900_003)]) expect(crc32c(bytes)).toBe(crc(bytes));
  });

  it('encodes the same bytes as kafkajs\u2019s Encoder for generated sequences of every write, and leaves no byte it did not write non-zero', () => {
    const { Encoder, Fast } = originals();
    const next = seededRandom(7);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    const ints = [0, 1, -1, 63, 64, -64, -65, 127, 128, 255, 8191, 8192, 2 ** 20, 2 ** 30 - 1, 2 ** 30, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 + 5, 4.5];
    const strings = ['', 'a', 'ce_jws', 'é', '\u{1f600}', '\ud800', `eyJ${'A'.repeat(3300)}..sig`, null];
    for (let round = 0; round < 300; round++) {
      // Dirty Node's buffer pool, so a buffer that was not zero-filled would show it.
      Buffer.allocUnsafe(2048).fill(0xa5);
      const initial = pick([undefined, 0, 1, 16, 511, 4096]);
      const original = initial === undefined ? new Encoder() : new Encoder(initial);
      const fast = initial === undefined ? new Fast() : new Fast(initial);
      for (let op = 0; op < 40; op++) {
        const kind = Math.floor(next() * 12);
        const int = pick(ints) * (next() < 0.5 ? 1 : Math.floor(next() * 3));
        const text = pick(strings);
        const bytes = next() < 0.2 ? null : Buffer.from(typeof text === 'string' ? text : 'x');
        const either = next() < 0.5 ? bytes : text;
        for (const encoder of [original, fast] as unknown as Array<Record<string, (...args: unknown[]) => unknown>>) {
          switch (kind) {
            case 0: encoder['writeVarInt']?.(int); break;
            case 1: encoder['writeUVarInt']?.(int); break;
            case 2: encoder['writeVarLong']?.(Math.trunc(int)); break;
            case 3: encoder['writeInt32']?.(int | 0); break;
            case 4: encoder['writeInt8']?.((int | 0) & 0x7f); break;
            case 5: encoder['writeString']?.(text); break;
            case 6: encoder['writeVarIntString']?.(text); break;
            case 7: encoder['writeVarIntBytes']?.(either); break;
            case 8: encoder['writeBytes']?.(either); break;
            case 9: encoder['writeUVarIntBytes']?.(bytes); break;
            case 10: encoder['writeInt64']?.(String(Math.trunc(int))); break;
            default: encoder['writeBuffer']?.(bytes ?? Buffer.alloc(0));
          }
        }
      }
      expect(Buffer.compare(fast.buffer, original.buffer)).toBe(0);
      expect(fast.buf.subarray(fast.offset).every((byte) => byte === 0)).toBe(true);
    }
  });

  it('encodes nested encoders and arrays of them as kafkajs does', () => {
    const { Encoder, Fast } = originals();
    const build = (Class: TestEncoderClass): Buffer => {
      const headers = ['ce_id', 'ce_jws', 'content-type'].map((key, i) => new Class().writeVarIntString(key).writeVarIntBytes(`${'v'.repeat(i * 2000)}\u00e9`));
      const record = new Class().writeVarInt(4242).writeInt8(0).writeVarLong(-17).writeVarIntArray(headers);
      return new Class().writeInt32(1).writeArray([record, record], 'object').writeEncoder(new Class().writeUVarInt(300)).buffer;
    };
    expect(Buffer.compare(build(Fast), build(Encoder))).toBe(0);
  });

  it('encodes records (key, value, timestamps, headers with repeated keys, unicode, bytes) as kafkajs\u2019s Record does, and refuses what it refuses', () => {
    const { Encoder } = originals();
    const original = kafkajsFastEncoding.originalRecord;
    expect(original).toBeDefined();
    const Fast = fastEncoderClass(Encoder as unknown as KafkajsEncoderClass);
    const record = fastRecord(Fast);
    const next = seededRandom(3);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    const texts = ['', 'k', 'op-bench-1', '\u00e9\u0645', '\u{1f600}', `eyJ${'B'.repeat(3300)}..sig`, 'x'.repeat(200)];
    const value = (): unknown => pick([...texts, Buffer.from(pick(texts)), Buffer.alloc(0)]);
    for (let round = 0; round < 500; round++) {
      const headers: Record<string, unknown> = {};
      for (let h = 0; h < Math.floor(next() * 10); h++) headers[pick(['ce_id', 'ce_jws', 'content-type', `h${h}`, '\u00e9'])] = next() < 0.15 ? [value(), value()] : value();
      const input = {
        ...(next() < 0.9 ? { offsetDelta: Math.floor(next() * 70_000) } : {}),
        ...(next() < 0.9 ? { timestampDelta: pick([0, 1, 5_000, -3, 2 ** 40, 1_700_000_000_000]) } : {}),
        key: next() < 0.1 ? null : value(),
        value: next() < 0.1 ? null : value(),
        ...(next() < 0.9 ? { headers } : {}),
      };
      expect(Buffer.compare(record(input).buffer, (original as KafkajsRecord)(input).buffer)).toBe(0);
    }
    for (const headers of [{ a: null }, { a: undefined }, { a: [null] }]) {
      expect(() => (original as KafkajsRecord)({ key: 'k', value: 'v', headers })).toThrow(/must be of type string/);
      expect(() => record({ key: 'k', value: 'v', headers })).toThrow(/must be of type string/);
    }
  });
});
