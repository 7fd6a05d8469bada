/**
 * Fetch (key 1)
 *
 *   Fetch Request (Version: 11) => replica_id max_wait_time min_bytes max_bytes isolation_level
 *                                 session_id session_epoch [topics] [forgotten_topics_data] rack_id
 *     replica_id => INT32  max_wait_time => INT32  min_bytes => INT32  max_bytes => INT32
 *     isolation_level => INT8  session_id => INT32  session_epoch => INT32
 *     topics => topic [partitions]
 *       partitions => partition (INT32) current_leader_epoch (INT32) fetch_offset (INT64)
 *                     log_start_offset (INT64) partition_max_bytes (INT32)
 *     forgotten_topics_data => topic [partitions (INT32)]
 *     rack_id => STRING
 *
 *   Fetch Response (Version: 11) => throttle_time_ms error_code session_id [responses]
 *     responses => topic [partitions]
 *       partitions => partition error_code high_watermark last_stable_offset log_start_offset
 *                     [aborted_transactions] preferred_read_replica record_set
 *         aborted_transactions => producer_id (INT64) first_offset (INT64)
 *         preferred_read_replica => INT32 (-1: read from the leader)
 *         record_set => RECORDS (NULLABLE_BYTES: whole batches, as stored)
 *
 * Incremental fetch sessions (KIP-227) are not offered: the response's session_id is 0, so
 * clients send full fetch requests every time.
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface FetchRequestPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{ name: string; partitions: FetchRequestPartition[] }>;
  forgottenTopics: Array<{ name: string; partitions: number[] }>;
  rackId: string;
}

export interface FetchPartitionResponse {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  batches: Buffer[];
}

export interface FetchResponse {
  errorCode: number;
  topics: Array<{ name: string; partitions: FetchPartitionResponse[] }>;
}

export function decodeFetchRequest(decoder: Decoder): FetchRequest {
  return {
    replicaId: decoder.readInt32(),
    maxWaitMs: decoder.readInt32(),
    minBytes: decoder.readInt32(),
    maxBytes: decoder.readInt32(),
    isolationLevel: decoder.readInt8(),
    sessionId: decoder.readInt32(),
    sessionEpoch: decoder.readInt32(),
    topics: decoder.readArray((d) => ({
      name: d.readString(),
      partitions: d.readArray((pd) => ({
        partition: pd.readInt32(),
        currentLeaderEpoch: pd.readInt32(),
        fetchOffset: pd.readInt64Number(),
        logStartOffset: pd.readInt64Number(),
        partitionMaxBytes: pd.readInt32(),
      })),
    })),
    forgottenTopics: decoder.readArray((d) => ({ name: d.readString(), partitions: d.readArray((pd) => pd.readInt32()) })),
    rackId: decoder.readString(),
  };
}

export function encodeFetchResponse(encoder: Encoder, response: FetchResponse): void {
  encoder.writeInt32(0).writeInt16(response.errorCode).writeInt32(0);
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeString(topic.name);
    e.writeArray(topic.partitions, (pe, partition) => {
      pe.writeInt32(partition.partition)
        .writeInt16(partition.errorCode)
        .writeInt64(partition.highWatermark)
        .writeInt64(partition.lastStableOffset)
        .writeInt64(partition.logStartOffset)
        .writeInt32(0) // no aborted transactions: transactions are not offered
        .writeInt32(-1);
      const size = partition.batches.reduce((sum, batch) => sum + batch.length, 0);
      pe.writeInt32(size);
      for (const batch of partition.batches) pe.writeRaw(batch);
    });
  });
}
