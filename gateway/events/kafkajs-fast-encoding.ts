/**
 * Faster produce-request encoding for kafkajs 2.2.4, with the same bytes on the wire.
 *
 * kafkajs encodes every produce request in JavaScript on the event loop. Profiles of the events
 * bench (bench/events/README.md, "23 Nov 2026, morning") put that at ~50 µs per ~4 KB event record
 * (most of it the ~3.4 KB `ce_jws` header), the largest single item of the Kafka rows, and within it
 * three costs that do not depend on the bytes produced:
 *   - the record batch's CRC-32C, computed a byte at a time (`protocol/recordBatch/crc32C/crc32C.js`);
 *   - a zero-filled `Buffer.alloc` for every `Encoder` (about a dozen per record: one per header,
 *     one per record, and each nesting level of the request) and on every growth: each a new
 *     ArrayBuffer, where `Buffer.allocUnsafe` takes small ones from Node's shared pool;
 *   - a temporary array and `Buffer.from` for every varint (`Encoder.writeUVarInt`).
 *
 * This module swaps three of kafkajs's internal CommonJS modules in the module cache before kafkajs
 * loads them (kafka-event-transport.ts imports it before `kafkajs`; kafkajs binds them at load
 * time, so patching later would not reach it): `protocol/encoder.js` becomes a subclass of
 * kafkajs's own Encoder whose buffers are still zero-filled (no byte of old memory can reach the
 * wire, as before) but come from `Buffer.allocUnsafe(n).fill(0)`, and whose unsigned varints are
 * written in place (the same algorithm, byte for byte); `protocol/recordBatch/crc32C/crc32C.js`
 * becomes `crc32c.ts` (slicing-by-8, the same values); `protocol/recordBatch/record/v0` becomes
 * `fastRecord` (each record's headers written into the record's encoder, not one encoder each).
 * Nothing in kafkajs's files on disk changes, so `npm ci` from a clean clone gets exactly this
 * (no patch step to forget). The tests compare each replacement with kafkajs's own on generated
 * input, and the Kafka suites (test/events, over the test broker, which checks every batch's
 * CRC) run with it in effect.
 *
 * Applied only to the pinned kafkajs 2.2.4, whose internals these are, and only if kafkajs was not
 * loaded before this module ran; otherwise kafkajs runs as shipped and `kafkajsFastEncoding` says
 * why. Either way the bytes produced are the same; only the CPU time differs.
 */
import { createRequire } from 'node:module';
import { crc32c } from './crc32c.js';

/** The kafkajs version whose internal modules this replaces. */
export const KAFKAJS_FAST_ENCODING_VERSION = '2.2.4';

/** The parts of kafkajs's (untyped) internal Encoder used here. */
interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  writeUVarInt(value: number): KafkajsEncoder;
  writeVarInt(value: number): KafkajsEncoder;
  writeVarLong(value: unknown): KafkajsEncoder;
  writeInt8(value: number): KafkajsEncoder;
  writeVarIntString(value: string | null | undefined): KafkajsEncoder;
  writeVarIntBytes(value: unknown): KafkajsEncoder;
  ensureAvailable(length: number): void;
  readonly buffer: Buffer;
}
export interface KafkajsEncoderClass {
  new (initialSize?: number): KafkajsEncoder;
  nextPowerOfTwo(value: number): number;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: unknown): number;
  sizeOfVarIntBytes(value: unknown): number;
}

/** What kafkajs 2.2.4's `protocol/recordBatch/record/v0` takes (a message, with its deltas). */
export interface KafkajsRecordInput {
  readonly offsetDelta?: number;
  readonly timestampDelta?: unknown;
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: Readonly<Record<string, unknown>>;
}
export type KafkajsRecord = (input: KafkajsRecordInput) => KafkajsEncoder;

/** A zero-filled buffer of `size` bytes (as `Buffer.alloc`), small ones from Node's shared pool. */
function zeroed(size: number): Buffer {
  return Buffer.allocUnsafe(size).fill(0);
}

/**
 * kafkajs's Encoder with pooled, zero-filled buffers and in-place varints. Every other method is
 * kafkajs's own; each writes every byte it moves `offset` over, and only `buf[0, offset)` is ever
 * read (`buffer`), so the encoded bytes are the same as with the original.
 */
export function fastEncoderClass(Encoder: KafkajsEncoderClass): KafkajsEncoderClass {
  return class FastEncoder extends Encoder {
    constructor(initialSize = 511) {
      // The parent allocates a 1-byte buffer (on V8's heap: cheap), replaced at once.
      super(0);
      this.buf = zeroed(Encoder.nextPowerOfTwo(initialSize));
    }

    override ensureAvailable(length: number): void {
      if (this.offset + length > this.buf.length) {
        // Zero-filled past what is copied in: every byte of the buffer is written or zero, as before.
        const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
        this.buf.copy(grown, 0, 0, this.offset);
        grown.fill(0, this.offset);
        this.buf = grown;
      }
    }

    /** As kafkajs 2.2.4's writeUVarInt (LEB128 of the value's low 32 bits), written in place. */
    override writeUVarInt(value: number): KafkajsEncoder {
      // At most 5 bytes: the loop works on the value's 32 bits (`&` and `>>>`), as the original does.
      this.ensureAvailable(5);
      const buf = this.buf;
      let offset = this.offset;
      let rest = value;
      while ((rest & 0xffffff80) !== 0) {
        buf[offset++] = (rest & 0x7f) | 0x80;
        rest >>>= 7;
      }
      buf[offset++] = rest & 0x7f;
      this.offset = offset;
      return this;
    }
  };
}

/**
 * kafkajs 2.2.4's `Record` (protocol/recordBatch/record/v0), writing each header into the record's
 * own encoder instead of a new Encoder per header that is then copied in, and sized once up front:
 * the same bytes (length, attributes, deltas, key, value, then the header count and each header's
 * key and value, as `writeVarIntArray` of the per-header encoders writes them).
 */
export function fastRecord(Encoder: KafkajsEncoderClass): KafkajsRecord {
  return ({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }) => {
    // As kafkajs: an array value gives one header per element, under the same key.
    const headersArray: Array<{ key: string; value: unknown }> = [];
    for (const headerKey of Object.keys(headers)) {
      const headerValue = headers[headerKey];
      if (Array.isArray(headerValue)) for (const element of headerValue as unknown[]) headersArray.push({ key: headerKey, value: element });
      else headersArray.push({ key: headerKey, value: headerValue });
    }
    let sizeOfHeaders = Encoder.sizeOfVarInt(headersArray.length);
    for (const header of headersArray) {
      // In kafkajs's order: a header value that is not a string or bytes (null too) throws here.
      const keySize = Buffer.byteLength(header.key);
      const valueSize = Buffer.byteLength(header.value as string | Buffer);
      sizeOfHeaders += Encoder.sizeOfVarInt(keySize) + keySize + (header.value === null ? Encoder.sizeOfVarInt(-1) : Encoder.sizeOfVarInt(valueSize) + valueSize);
    }
    const sizeOfBody = 1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) + Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + sizeOfHeaders;
    // Room for the whole record (its length varint is at most 5 bytes): one buffer, no growth.
    const encoder = new Encoder(sizeOfBody + 5).writeVarInt(sizeOfBody).writeInt8(0).writeVarLong(timestampDelta).writeVarInt(offsetDelta).writeVarIntBytes(key).writeVarIntBytes(value).writeVarInt(headersArray.length);
    for (const header of headersArray) encoder.writeVarIntString(header.key).writeVarIntBytes(header.value);
    return encoder;
  };
}

export interface KafkajsFastEncodingState {
  readonly applied: boolean;
  /** Why not, when not applied. */
  readonly reason?: string;
  /** kafkajs's own Encoder class and CRC-32C function (for the tests that compare the outputs). */
  readonly originalEncoder?: KafkajsEncoderClass;
  readonly originalCrc32c?: (bytes: Uint8Array) => number;
  /** kafkajs's own Record (bound to the faster Encoder, which writes the same bytes). */
  readonly originalRecord?: KafkajsRecord;
}

function apply(): KafkajsFastEncodingState {
  const require = createRequire(import.meta.url);
  let version: string;
  let paths: { readonly index: string; readonly encoder: string; readonly crc: string; readonly record: string };
  try {
    version = (require('kafkajs/package.json') as { version: string }).version;
    paths = {
      index: require.resolve('kafkajs'),
      encoder: require.resolve('kafkajs/src/protocol/encoder.js'),
      crc: require.resolve('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js'),
      record: require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
    };
  } catch (error) {
    return { applied: false, reason: `kafkajs internals not found: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (version !== KAFKAJS_FAST_ENCODING_VERSION) return { applied: false, reason: `kafkajs ${version} is not ${KAFKAJS_FAST_ENCODING_VERSION}` };
  const cache = require.cache;
  // What matters is that no kafkajs module has bound these two yet. (Node's ES module loader puts
  // kafkajs's entry module in the cache before running anything, while it reads its export names.)
  if (cache[paths.encoder] !== undefined || cache[paths.crc] !== undefined || cache[paths.record] !== undefined || cache[paths.index]?.loaded === true) {
    return { applied: false, reason: 'kafkajs was loaded before kafkajs-fast-encoding.ts' };
  }
  // Load kafkajs's own modules (nothing else of kafkajs yet), then make the cache serve ours.
  const originalEncoder = require(paths.encoder) as KafkajsEncoderClass;
  const originalCrc32c = require(paths.crc) as (bytes: Uint8Array) => number;
  const encoderModule = cache[paths.encoder];
  const crcModule = cache[paths.crc];
  if (encoderModule === undefined || crcModule === undefined) return { applied: false, reason: 'the module cache did not keep kafkajs internals', originalEncoder, originalCrc32c };
  const FastEncoder = fastEncoderClass(originalEncoder);
  encoderModule.exports = FastEncoder;
  crcModule.exports = crc32c;
  // Loaded now, so it binds the faster Encoder; then replaced by the same encoding in one encoder.
  const originalRecord = require(paths.record) as KafkajsRecord;
  const recordModule = cache[paths.record];
  if (recordModule === undefined) return { applied: false, reason: 'the module cache did not keep kafkajs internals', originalEncoder, originalCrc32c };
  recordModule.exports = fastRecord(FastEncoder);
  return { applied: true, originalEncoder, originalCrc32c, originalRecord };
}

/** Whether kafkajs encodes with the faster modules in this process, and if not, why. */
export const kafkajsFastEncoding: KafkajsFastEncodingState = apply();
