/**
 * One partition's log, in memory: record batches kept byte for byte as the producer sent them,
 * with only `baseOffset` rewritten (it is outside the CRC), so Fetch returns exactly what a real
 * broker would.
 */
import {
  CompressionCodec,
  decodeRecords,
  withBaseOffset,
  type DecodedRecord,
  type ParsedRecordBatch,
} from '../protocol/record-batch.js';
import { PartitionProducerState } from './producer-state.js';

export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  compression: number;
  bytes: Buffer;
}

export class PartitionLog {
  readonly batches: StoredBatch[] = [];
  readonly producers = new PartitionProducerState();
  readonly logStartOffset = 0;
  private nextOffset = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The offset the next record gets; with one replica it is also the high watermark. */
  get highWatermark(): number {
    return this.nextOffset;
  }

  append(batch: ParsedRecordBatch): StoredBatch {
    const baseOffset = this.nextOffset;
    const stored: StoredBatch = {
      baseOffset,
      lastOffset: baseOffset + batch.header.lastOffsetDelta,
      maxTimestamp: batch.header.maxTimestamp,
      compression: batch.compression,
      bytes: withBaseOffset(batch.bytes, baseOffset),
    };
    this.batches.push(stored);
    this.nextOffset = stored.lastOffset + 1;
    return stored;
  }

  /** Index of the first batch holding `offset` or a later one. */
  private indexOf(offset: number): number {
    let low = 0;
    let high = this.batches.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.batches[middle] as StoredBatch).lastOffset < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Whole batches from the one holding `fetchOffset`, up to `maxBytes`. The first batch is
   * returned even when larger than `maxBytes` if `allowOversizedFirst` (KIP-74), so a consumer
   * can always make progress.
   */
  read(fetchOffset: number, maxBytes: number, allowOversizedFirst: boolean): Buffer[] {
    const result: Buffer[] = [];
    let size = 0;
    for (let index = this.indexOf(fetchOffset); index < this.batches.length; index += 1) {
      const batch = this.batches[index] as StoredBatch;
      const oversized = size + batch.bytes.length > maxBytes;
      if (oversized && !(result.length === 0 && allowOversizedFirst)) break;
      result.push(batch.bytes);
      size += batch.bytes.length;
      if (oversized) break;
    }
    return result;
  }

  /** The earliest record whose timestamp is >= `timestamp` (ListOffsets by time), if any. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const batch of this.batches) {
      if (batch.maxTimestamp < timestamp) continue;
      if (batch.compression !== CompressionCodec.none && batch.compression !== CompressionCodec.gzip) {
        return { offset: batch.baseOffset, timestamp: batch.maxTimestamp };
      }
      const record = this.decode(batch).find((candidate) => candidate.timestamp >= timestamp);
      if (record !== undefined) return { offset: record.offset, timestamp: record.timestamp };
    }
    return null;
  }

  records(): DecodedRecord[] {
    return this.batches.flatMap((batch) => this.decode(batch));
  }

  private decode(batch: StoredBatch): DecodedRecord[] {
    return decodeRecords(batch.bytes);
  }
}
