import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { crc32c } from './crc32c.js';
import { ErrorCode, KafkaProtocolError } from './errors.js';
import {
  CompressionCodec,
  decodeRecordBatchHeader,
  decodeRecords,
  encodeRecordBatch,
  parseRecordBatch,
  splitRecordBatches,
  withBaseOffset,
  type RecordInput,
} from './record-batch.js';

const records: RecordInput[] = [
  { key: 'subject-1', value: '{"a":1}', timestamp: 1_700_000_000_000, headers: { ce_id: 'e1', ce_jws: null } },
  { key: null, value: null, timestamp: 1_700_000_000_500 },
  { key: Buffer.from([0, 255]), value: 'x'.repeat(300), timestamp: 1_699_999_999_000, headers: {} },
];

function errorCodeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof KafkaProtocolError) return error.errorCode;
    throw error;
  }
  return undefined;
}

/** Re-signs a batch after a deliberate edit, so only the edit is wrong. */
function resign(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

describe('record batch codec', () => {
  it('round-trips keys, values, nulls, headers and timestamps', () => {
    const batch = encodeRecordBatch({ baseOffset: 40, records });
    const parsed = parseRecordBatch(batch);
    expect(parsed.header).toMatchObject({
      baseOffset: 40n,
      magic: 2,
      lastOffsetDelta: 2,
      recordCount: 3,
      baseTimestamp: 1_699_999_999_000,
      maxTimestamp: 1_700_000_000_500,
      producerId: -1n,
    });
    expect(decodeRecords(batch)).toEqual([
      {
        offset: 40,
        timestamp: 1_700_000_000_000,
        key: Buffer.from('subject-1'),
        value: Buffer.from('{"a":1}'),
        headers: [
          { key: 'ce_id', value: Buffer.from('e1') },
          { key: 'ce_jws', value: null },
        ],
      },
      { offset: 41, timestamp: 1_700_000_000_500, key: null, value: null, headers: [] },
      { offset: 42, timestamp: 1_699_999_999_000, key: Buffer.from([0, 255]), value: Buffer.from('x'.repeat(300)), headers: [] },
    ]);
  });

  it('round-trips a gzip-compressed batch', () => {
    const batch = encodeRecordBatch({ records, compression: CompressionCodec.gzip });
    expect(parseRecordBatch(batch).compression).toBe(CompressionCodec.gzip);
    expect(decodeRecords(batch).map((record) => record.value?.toString() ?? null)).toEqual([
      '{"a":1}',
      null,
      'x'.repeat(300),
    ]);
  });

  it('rewrites the base offset without invalidating the CRC', () => {
    const moved = withBaseOffset(encodeRecordBatch({ records }), 1234);
    expect(parseRecordBatch(moved).header.baseOffset).toBe(1234n);
    expect(decodeRecords(moved)[2]?.offset).toBe(1236);
  });

  it('decodes a batch encoded by kafkajs, and kafkajs decodes ours', async () => {
    const require = createRequire(import.meta.url);
    const { RecordBatch: KafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
      RecordBatch: (options: object) => Promise<{ buffer: Buffer }>;
    };
    const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: object) => unknown;
    const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
    const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
      decoder: unknown,
    ) => Promise<{ records: Array<{ key: Buffer; value: Buffer; offset: string; headers: Record<string, Buffer> }> }>;

    const theirs = await KafkajsRecordBatch({
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_001,
      lastOffsetDelta: 1,
      records: [
        KafkajsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('v0'), headers: { h: 'x' } }),
        KafkajsRecord({ offsetDelta: 1, timestampDelta: 1, key: Buffer.from('k1'), value: Buffer.from('v1') }),
      ],
    });
    // kafkajs writes the batch as firstOffset + BYTES, which is exactly baseOffset + batchLength + rest.
    const [batch] = splitRecordBatches(theirs.buffer);
    expect(decodeRecords(parseRecordBatch(batch as Buffer).bytes).map((record) => record.key?.toString())).toEqual([
      'k0',
      'k1',
    ]);

    const ours = encodeRecordBatch({ baseOffset: 7, records });
    const decoded = await decodeKafkajsBatch(new KafkajsDecoder(ours));
    expect(decoded.records.map((record) => record.offset)).toEqual(['7', '8', '9']);
    expect(decoded.records[0]?.headers.ce_id?.toString()).toBe('e1');
  });

  it('reports a flipped bit as CORRUPT_MESSAGE through the CRC', () => {
    const batch = encodeRecordBatch({ records });
    batch[batch.length - 3] = (batch[batch.length - 3] as number) ^ 0x01;
    expect(errorCodeOf(() => parseRecordBatch(batch))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects an unknown compression codec with CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch({ records });
    batch.writeInt16BE(0x0005, 21);
    expect(errorCodeOf(() => parseRecordBatch(resign(batch)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects magic other than 2 and a record count that disagrees with lastOffsetDelta', () => {
    const oldMagic = encodeRecordBatch({ records });
    oldMagic.writeInt8(1, 16);
    expect(errorCodeOf(() => parseRecordBatch(oldMagic))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const lying = encodeRecordBatch({ records });
    lying.writeInt32BE(5, 23);
    expect(errorCodeOf(() => parseRecordBatch(resign(lying)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects records whose bytes do not match the count in the header', () => {
    const batch = encodeRecordBatch({ records });
    batch.writeInt32BE(2, 57);
    batch.writeInt32BE(1, 23);
    expect(errorCodeOf(() => parseRecordBatch(resign(batch)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  it('splits a record set into batches and refuses a trailing partial batch', () => {
    const first = encodeRecordBatch({ records: records.slice(0, 1) });
    const second = encodeRecordBatch({ records: records.slice(1) });
    const both = Buffer.concat([first, second]);
    expect(splitRecordBatches(both).map((batch) => decodeRecordBatchHeader(batch).recordCount)).toEqual([1, 2]);
    expect(errorCodeOf(() => splitRecordBatches(both.subarray(0, both.length - 1)))).toBe(ErrorCode.CORRUPT_MESSAGE);
  });
});
