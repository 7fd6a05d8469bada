/**
 * Writer for the Kafka protocol primitive types; the grammar is summarised in `decoder.ts`.
 * Grows one buffer geometrically, so encoding a large Fetch response copies each batch once.
 */
export class Encoder {
  private buffer: Buffer;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  private ensure(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + bytes) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  get size(): number {
    return this.length;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  writeInt8(value: number): this {
    this.ensure(1);
    this.buffer.writeInt8(value, this.length);
    this.length += 1;
    return this;
  }

  writeBoolean(value: boolean): this {
    return this.writeInt8(value ? 1 : 0);
  }

  writeInt16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.length);
    this.length += 2;
    return this;
  }

  writeInt32(value: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  writeUInt32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32BE(value >>> 0, this.length);
    this.length += 4;
    return this;
  }

  writeInt64(value: bigint | number): this {
    this.ensure(8);
    this.buffer.writeBigInt64BE(BigInt(value), this.length);
    this.length += 8;
    return this;
  }

  writeRaw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  writeNullableString(value: string | null): this {
    if (value === null) return this.writeInt16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.writeInt16(bytes.length).writeRaw(bytes);
  }

  writeString(value: string): this {
    return this.writeNullableString(value);
  }

  writeNullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.writeInt32(-1);
    return this.writeInt32(value.length).writeRaw(value);
  }

  writeBytes(value: Uint8Array): this {
    return this.writeNullableBytes(value);
  }

  writeArray<T>(items: readonly T[], writeItem: (encoder: this, item: T) => void): this {
    this.writeInt32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  writeUnsignedVarInt(value: number): this {
    let remaining = value >>> 0;
    while (remaining >= 0x80) {
      this.writeRawByte((remaining & 0x7f) | 0x80);
      remaining >>>= 7;
    }
    return this.writeRawByte(remaining);
  }

  /** VARINT: zigzag-encoded signed 32-bit integer. */
  writeVarInt(value: number): this {
    return this.writeUnsignedVarInt(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** VARLONG: zigzag-encoded signed 64-bit integer. */
  writeVarLong(value: bigint | number): this {
    const signed = BigInt.asIntN(64, BigInt(value));
    let raw = BigInt.asUintN(64, (signed << 1n) ^ (signed >> 63n));
    while (raw >= 0x80n) {
      this.writeRawByte(Number(raw & 0x7fn) | 0x80);
      raw >>= 7n;
    }
    return this.writeRawByte(Number(raw));
  }

  /** VARINT length (-1 = null) followed by the bytes, as inside a record. */
  writeVarIntBytes(value: Uint8Array | null): this {
    if (value === null) return this.writeVarInt(-1);
    return this.writeVarInt(value.length).writeRaw(value);
  }

  writeEmptyTaggedFields(): this {
    return this.writeUnsignedVarInt(0);
  }

  private writeRawByte(byte: number): this {
    this.ensure(1);
    this.buffer[this.length] = byte;
    this.length += 1;
    return this;
  }
}
