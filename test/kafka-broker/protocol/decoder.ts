/**
 * Reader for the Kafka protocol primitive types (https://kafka.apache.org/protocol#protocol_types):
 *
 *   INT8 INT16 INT32 INT64        big-endian two's complement
 *   BOOLEAN                       INT8, 0 = false
 *   STRING / NULLABLE_STRING      INT16 length (-1 = null) + UTF-8
 *   BYTES / NULLABLE_BYTES        INT32 length (-1 = null) + bytes
 *   ARRAY                         INT32 count (-1 = null) + elements
 *   VARINT / VARLONG              zigzag, 7 bits per byte, least significant group first
 *   UNSIGNED_VARINT               7 bits per byte, no zigzag
 *   COMPACT_STRING / _BYTES / _ARRAY   UNSIGNED_VARINT (length + 1, 0 = null) + payload
 *   TAGGED_FIELDS                 UNSIGNED_VARINT count, then (tag, size, bytes) each
 *
 * Every read is bounds-checked: a truncated or lying length throws {@link MalformedRequestError},
 * which closes the offending connection rather than the broker.
 */
import { MalformedRequestError } from './errors.js';

export class Decoder {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private need(bytes: number): void {
    if (bytes < 0 || this.offset + bytes > this.buffer.length) {
      throw new MalformedRequestError(
        `needed ${bytes} bytes at offset ${this.offset}, only ${this.buffer.length - this.offset} left`,
      );
    }
  }

  readInt8(): number {
    this.need(1);
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }

  readBoolean(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  readInt32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readUInt32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readInt64(): bigint {
    this.need(8);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** An INT64 that must fit in a JavaScript number (offsets, timestamps). */
  readInt64Number(): number {
    const value = this.readInt64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new MalformedRequestError(`INT64 ${value} is outside the safe integer range`);
    }
    return Number(value);
  }

  readRaw(length: number): Buffer {
    this.need(length);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  readNullableString(): string | null {
    const length = this.readInt16();
    if (length === -1) return null;
    if (length < -1) throw new MalformedRequestError(`negative string length ${length}`);
    return this.readRaw(length).toString('utf8');
  }

  readString(): string {
    const value = this.readNullableString();
    if (value === null) throw new MalformedRequestError('null where a STRING is required');
    return value;
  }

  readNullableBytes(): Buffer | null {
    const length = this.readInt32();
    if (length === -1) return null;
    if (length < -1) throw new MalformedRequestError(`negative bytes length ${length}`);
    return this.readRaw(length);
  }

  readBytes(): Buffer {
    const value = this.readNullableBytes();
    if (value === null) throw new MalformedRequestError('null where BYTES are required');
    return value;
  }

  /** ARRAY; a null array (-1) is returned as `null`. */
  readNullableArray<T>(readItem: (decoder: Decoder) => T): T[] | null {
    const count = this.readInt32();
    if (count === -1) return null;
    if (count < -1) throw new MalformedRequestError(`negative array length ${count}`);
    // Every element takes at least one byte, so a count beyond the remaining bytes is a lie.
    if (count > this.remaining) throw new MalformedRequestError(`array length ${count} exceeds the frame`);
    const items: T[] = [];
    for (let index = 0; index < count; index += 1) items.push(readItem(this));
    return items;
  }

  readArray<T>(readItem: (decoder: Decoder) => T): T[] {
    return this.readNullableArray(readItem) ?? [];
  }

  readUnsignedVarInt(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const byte = this.buffer[this.offset++] as number;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) throw new MalformedRequestError('unsigned varint exceeds 32 bits');
        return result;
      }
    }
    throw new MalformedRequestError('unsigned varint longer than 5 bytes');
  }

  /** VARINT: zigzag-encoded signed 32-bit integer. */
  readVarInt(): number {
    const raw = this.readUnsignedVarInt();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** VARLONG: zigzag-encoded signed 64-bit integer. */
  readVarLong(): bigint {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const byte = this.buffer[this.offset++] as number;
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (raw > 0xffffffffffffffffn) throw new MalformedRequestError('varlong exceeds 64 bits');
        return (raw >> 1n) ^ -(raw & 1n);
      }
    }
    throw new MalformedRequestError('varlong longer than 10 bytes');
  }

  /** VARINT length (-1 = null) followed by that many bytes, as inside a record. */
  readVarIntBytes(): Buffer | null {
    const length = this.readVarInt();
    if (length === -1) return null;
    if (length < -1) throw new MalformedRequestError(`negative varint length ${length}`);
    return this.readRaw(length);
  }

  readCompactNullableString(): string | null {
    const lengthPlusOne = this.readUnsignedVarInt();
    if (lengthPlusOne === 0) return null;
    return this.readRaw(lengthPlusOne - 1).toString('utf8');
  }

  /** TAGGED_FIELDS: none of the tags the broker advertises are understood, so all are skipped. */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarInt();
    for (let index = 0; index < count; index += 1) {
      this.readUnsignedVarInt();
      this.readRaw(this.readUnsignedVarInt());
    }
  }
}
