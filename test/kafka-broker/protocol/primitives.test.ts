import { describe, expect, it } from '@jest/globals';
import { Decoder } from './decoder.js';
import { Encoder } from './encoder.js';
import { MalformedRequestError } from './errors.js';

const hex = (write: (encoder: Encoder) => void): string => {
  const encoder = new Encoder(1);
  write(encoder);
  return encoder.toBuffer().toString('hex');
};

describe('varints', () => {
  it('zigzag-encodes signed varints as the Kafka protocol guide shows', () => {
    expect(hex((e) => e.writeVarInt(0))).toBe('00');
    expect(hex((e) => e.writeVarInt(-1))).toBe('01');
    expect(hex((e) => e.writeVarInt(1))).toBe('02');
    expect(hex((e) => e.writeVarInt(63))).toBe('7e');
    expect(hex((e) => e.writeVarInt(-64))).toBe('7f');
    expect(hex((e) => e.writeVarInt(64))).toBe('8001');
    expect(hex((e) => e.writeVarInt(300))).toBe('d804');
    expect(hex((e) => e.writeVarInt(2147483647))).toBe('feffffff0f');
    expect(hex((e) => e.writeVarInt(-2147483648))).toBe('ffffffff0f');
  });

  it('round-trips varints and varlongs at their extremes', () => {
    const ints = [0, 1, -1, 127, -128, 8191, -8192, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [0n, -1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
    const encoder = new Encoder();
    for (const value of ints) encoder.writeVarInt(value);
    for (const value of longs) encoder.writeVarLong(value);
    const decoder = new Decoder(encoder.toBuffer());
    expect(ints.map(() => decoder.readVarInt())).toEqual(ints);
    expect(longs.map(() => decoder.readVarLong())).toEqual(longs);
    expect(decoder.remaining).toBe(0);
  });

  it('round-trips unsigned varints used by flexible versions', () => {
    const values = [0, 1, 127, 128, 16_383, 16_384, 0xffffffff];
    const encoder = new Encoder();
    for (const value of values) encoder.writeUnsignedVarInt(value);
    const decoder = new Decoder(encoder.toBuffer());
    expect(values.map(() => decoder.readUnsignedVarInt())).toEqual(values);
  });

  it('refuses a varint longer than five bytes and a varlong longer than ten', () => {
    expect(() => new Decoder(Buffer.from('ffffffffff01', 'hex')).readVarInt()).toThrow(MalformedRequestError);
    expect(() => new Decoder(Buffer.alloc(11, 0xff)).readVarLong()).toThrow(MalformedRequestError);
  });
});

describe('fixed-width and length-prefixed primitives', () => {
  it('round-trips integers, strings, bytes, arrays and nulls', () => {
    const encoder = new Encoder(2)
      .writeInt8(-5)
      .writeInt16(-300)
      .writeInt32(-70_000)
      .writeInt64(-(2n ** 40n))
      .writeBoolean(true)
      .writeString('مرحبا')
      .writeNullableString(null)
      .writeBytes(Buffer.from([1, 2, 3]))
      .writeNullableBytes(null)
      .writeArray([7, 8], (e, value) => void e.writeInt32(value))
      .writeInt32(-1);
    const decoder = new Decoder(encoder.toBuffer());
    expect(decoder.readInt8()).toBe(-5);
    expect(decoder.readInt16()).toBe(-300);
    expect(decoder.readInt32()).toBe(-70_000);
    expect(decoder.readInt64()).toBe(-(2n ** 40n));
    expect(decoder.readBoolean()).toBe(true);
    expect(decoder.readString()).toBe('مرحبا');
    expect(decoder.readNullableString()).toBeNull();
    expect([...decoder.readBytes()]).toEqual([1, 2, 3]);
    expect(decoder.readNullableBytes()).toBeNull();
    expect(decoder.readArray((d) => d.readInt32())).toEqual([7, 8]);
    expect(decoder.readNullableArray((d) => d.readInt32())).toBeNull();
    expect(decoder.remaining).toBe(0);
  });

  it('throws MalformedRequestError instead of reading past the end', () => {
    expect(() => new Decoder(Buffer.from([0, 1])).readInt32()).toThrow(MalformedRequestError);
    expect(() => new Decoder(Buffer.from([0, 9, 0x61])).readString()).toThrow(MalformedRequestError);
    expect(() => new Decoder(Buffer.from([0xff, 0xff, 0xff, 0xfe])).readBytes()).toThrow(MalformedRequestError);
  });

  it('refuses an array count larger than the bytes that remain', () => {
    const lying = new Encoder().writeInt32(1_000_000).writeInt32(1).toBuffer();
    expect(() => new Decoder(lying).readArray((d) => d.readInt32())).toThrow(MalformedRequestError);
  });

  it('refuses null where a non-nullable string is required', () => {
    expect(() => new Decoder(Buffer.from([0xff, 0xff])).readString()).toThrow(MalformedRequestError);
  });

  it('skips tagged fields it does not understand', () => {
    const encoder = new Encoder().writeUnsignedVarInt(2);
    encoder.writeUnsignedVarInt(0).writeUnsignedVarInt(3).writeRaw(Buffer.from('abc'));
    encoder.writeUnsignedVarInt(5).writeUnsignedVarInt(0);
    encoder.writeInt8(42);
    const decoder = new Decoder(encoder.toBuffer());
    decoder.skipTaggedFields();
    expect(decoder.readInt8()).toBe(42);
  });
});
