/**
 * RecordBatch, message format v2 (magic 2, KIP-98; https://kafka.apache.org/documentation/#recordbatch):
 *
 *   baseOffset: int64            -- rewritten by the broker on append; not covered by the CRC
 *   batchLength: int32           -- bytes after this field
 *   partitionLeaderEpoch: int32  -- not covered by the CRC
 *   magic: int8 (= 2)
 *   crc: uint32                  -- CRC-32C of everything from attributes to the end
 *   attributes: int16            -- bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd),
 *                                   bit 3 timestampType, bit 4 isTransactional, bit 5 isControl
 *   lastOffsetDelta: int32
 *   baseTimestamp: int64
 *   maxTimestamp: int64
 *   producerId: int64
 *   producerEpoch: int16
 *   baseSequence: int32
 *   records: int32 count, then count records (compressed as one block when a codec is set)
 *
 *   Record =>
 *     length: varint  attributes: int8  timestampDelta: varlong  offsetDelta: varint
 *     keyLength: varint  key: bytes  valueLength: varint  value: bytes
 *     headers: varint count of (headerKeyLength: varint  headerKey: string
 *                               headerValueLength: varint  headerValue: bytes)
 *
 * `decode*` turns bytes into raw structures; `parseRecordBatch` checks what a broker must check
 * before appending (magic, length, CRC, codec) and throws {@link KafkaProtocolError} with the code
 * the producer should see.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from './crc32c.js';
import { Decoder } from './decoder.js';
import { Encoder } from './encoder.js';
import { ErrorCode, KafkaProtocolError, MalformedRequestError } from './errors.js';

export const RECORD_BATCH_HEADER_BYTES = 61;
/** Offset of the field after `batchLength`: a batch occupies `LOG_OVERHEAD + batchLength` bytes. */
export const LOG_OVERHEAD = 12;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export const CompressionCodec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

export interface RecordBatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A batch that passed {@link parseRecordBatch}: its header and its exact bytes. */
export interface ParsedRecordBatch {
  header: RecordBatchHeader;
  compression: number;
  isTransactional: boolean;
  isControl: boolean;
  bytes: Buffer;
}

export function decodeRecordBatchHeader(bytes: Buffer): RecordBatchHeader {
  const decoder = new Decoder(bytes);
  return {
    baseOffset: decoder.readInt64(),
    batchLength: decoder.readInt32(),
    partitionLeaderEpoch: decoder.readInt32(),
    magic: decoder.readInt8(),
    crc: decoder.readUInt32(),
    attributes: decoder.readInt16(),
    lastOffsetDelta: decoder.readInt32(),
    baseTimestamp: decoder.readInt64Number(),
    maxTimestamp: decoder.readInt64Number(),
    producerId: decoder.readInt64(),
    producerEpoch: decoder.readInt16(),
    baseSequence: decoder.readInt32(),
    recordCount: decoder.readInt32(),
  };
}

/**
 * Splits a RECORDS field into batch-sized slices without copying. A producer must send whole
 * batches, so a trailing partial batch is `CORRUPT_MESSAGE` (a Fetch response may end in one; a
 * Produce request may not).
 */
export function splitRecordBatches(recordSet: Buffer): Buffer[] {
  const batches: Buffer[] = [];
  let offset = 0;
  while (offset < recordSet.length) {
    if (recordSet.length - offset < LOG_OVERHEAD) {
      throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, 'record set ends inside a batch header');
    }
    const batchLength = recordSet.readInt32BE(offset + 8);
    const size = LOG_OVERHEAD + batchLength;
    if (batchLength < RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD || offset + size > recordSet.length) {
      throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, `batch length ${batchLength} does not fit`);
    }
    batches.push(recordSet.subarray(offset, offset + size));
    offset += size;
  }
  return batches;
}

/** Validates one batch slice as a broker does before appending it. */
export function parseRecordBatch(bytes: Buffer): ParsedRecordBatch {
  if (bytes.length < RECORD_BATCH_HEADER_BYTES) {
    throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, 'record batch shorter than its header');
  }
  const magic = bytes.readInt8(16);
  // Produce v3+ may only carry magic 2 (KIP-98); older message sets have a different layout.
  if (magic !== 2) throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, `unsupported magic ${magic}`);
  const header = decodeRecordBatchHeader(bytes);
  if (LOG_OVERHEAD + header.batchLength !== bytes.length) {
    throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, 'batch length disagrees with its bytes');
  }
  const actualCrc = crc32c(bytes.subarray(ATTRIBUTES_OFFSET));
  if (actualCrc !== header.crc) {
    throw new KafkaProtocolError(
      ErrorCode.CORRUPT_MESSAGE,
      `CRC-32C mismatch: batch says ${header.crc.toString(16)}, bytes give ${actualCrc.toString(16)}`,
    );
  }
  const compression = header.attributes & 0x07;
  if (compression > CompressionCodec.zstd) {
    throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${compression}`);
  }
  if (header.recordCount < 0 || header.lastOffsetDelta < 0 || header.recordCount !== header.lastOffsetDelta + 1) {
    throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, 'record count disagrees with lastOffsetDelta');
  }
  const parsed: ParsedRecordBatch = {
    header,
    compression,
    isTransactional: (header.attributes & 0x10) !== 0,
    isControl: (header.attributes & 0x20) !== 0,
    bytes,
  };
  // Records we can read are read, so a batch whose body lies about its contents never enters the
  // log; snappy, lz4 and zstd bodies are stored unread (no codec in Node's standard library).
  if (compression === CompressionCodec.none || compression === CompressionCodec.gzip) {
    try {
      const records = decodeRecords(bytes);
      if (records.length !== header.recordCount) throw new Error('record count mismatch');
    } catch (error) {
      throw new KafkaProtocolError(
        ErrorCode.CORRUPT_MESSAGE,
        `records do not decode: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return parsed;
}

/** Decodes the records of one batch (uncompressed or gzip), with absolute offsets and timestamps. */
export function decodeRecords(batch: Buffer): DecodedRecord[] {
  const header = decodeRecordBatchHeader(batch);
  const compression = header.attributes & 0x07;
  let body = batch.subarray(RECORD_BATCH_HEADER_BYTES);
  if (compression === CompressionCodec.gzip) body = gunzipSync(body);
  else if (compression !== CompressionCodec.none) {
    throw new KafkaProtocolError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `the test broker cannot read codec ${compression}`);
  }
  const decoder = new Decoder(body);
  const baseOffset = Number(header.baseOffset);
  const records: DecodedRecord[] = [];
  for (let index = 0; index < header.recordCount; index += 1) {
    const length = decoder.readVarInt();
    const end = decoder.position + length;
    decoder.readInt8(); // record attributes: unused in v2
    const timestampDelta = decoder.readVarLong();
    const offsetDelta = decoder.readVarInt();
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const headerCount = decoder.readVarInt();
    if (headerCount < 0) throw new MalformedRequestError(`negative header count ${headerCount}`);
    const headers: RecordHeader[] = [];
    for (let headerIndex = 0; headerIndex < headerCount; headerIndex += 1) {
      const headerKey = decoder.readVarIntBytes();
      if (headerKey === null) throw new MalformedRequestError('null header key');
      headers.push({ key: headerKey.toString('utf8'), value: decoder.readVarIntBytes() });
    }
    if (decoder.position !== end) throw new MalformedRequestError('record length disagrees with its fields');
    records.push({
      offset: baseOffset + offsetDelta,
      timestamp: header.baseTimestamp + Number(timestampDelta),
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      headers,
    });
  }
  if (decoder.remaining !== 0) throw new MalformedRequestError('bytes after the last record');
  return records;
}

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: number;
  headers?: Record<string, Buffer | string | null>;
}

export interface EncodeRecordBatchOptions {
  baseOffset?: number;
  records: RecordInput[];
  compression?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** @default Date.now() for records without a timestamp */
  now?: number;
}

const toBytes = (value: Buffer | string | null | undefined): Buffer | null =>
  value === null || value === undefined ? null : Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');

/** Encodes a v2 record batch, CRC included: used by tests and by raw-socket clients. */
export function encodeRecordBatch(options: EncodeRecordBatchOptions): Buffer {
  const now = options.now ?? Date.now();
  const timestamps = options.records.map((record) => record.timestamp ?? now);
  const baseTimestamp = timestamps.length > 0 ? Math.min(...timestamps) : now;
  const maxTimestamp = timestamps.length > 0 ? Math.max(...timestamps) : now;
  const body = new Encoder();
  options.records.forEach((record, index) => {
    const encoded = new Encoder()
      .writeInt8(0)
      .writeVarLong((timestamps[index] as number) - baseTimestamp)
      .writeVarInt(index)
      .writeVarIntBytes(toBytes(record.key))
      .writeVarIntBytes(toBytes(record.value));
    const headers = Object.entries(record.headers ?? {});
    encoded.writeVarInt(headers.length);
    for (const [key, value] of headers) encoded.writeVarIntBytes(Buffer.from(key, 'utf8')).writeVarIntBytes(toBytes(value));
    body.writeVarInt(encoded.size).writeRaw(encoded.toBuffer());
  });
  const compression = options.compression ?? CompressionCodec.none;
  let records = body.toBuffer();
  if (compression === CompressionCodec.gzip) records = gzipSync(records);
  else if (compression !== CompressionCodec.none) throw new TypeError(`cannot encode codec ${compression}`);

  const batch = new Encoder(RECORD_BATCH_HEADER_BYTES + records.length)
    .writeInt64(options.baseOffset ?? 0)
    .writeInt32(RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD + records.length)
    .writeInt32(0)
    .writeInt8(2)
    .writeUInt32(0) // CRC placeholder
    .writeInt16(compression)
    .writeInt32(options.records.length - 1)
    .writeInt64(baseTimestamp)
    .writeInt64(maxTimestamp)
    .writeInt64(options.producerId ?? -1n)
    .writeInt16(options.producerEpoch ?? -1)
    .writeInt32(options.baseSequence ?? -1)
    .writeInt32(options.records.length)
    .writeRaw(records)
    .toBuffer();
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return batch;
}

/** Returns a copy of `batch` with its base offset set (the CRC does not cover it). */
export function withBaseOffset(batch: Buffer, baseOffset: number): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(BigInt(baseOffset), 0);
  return copy;
}
