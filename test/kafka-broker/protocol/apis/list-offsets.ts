/**
 * ListOffsets (key 2), versions 1-3 (kafkajs uses 3, librdkafka 2.0 uses 2)
 *
 *   ListOffsets Request (Version: 3) => replica_id isolation_level [topics]
 *     replica_id => INT32  isolation_level => INT8 (v2+)
 *     topics => topic [partitions]
 *       partitions => partition (INT32) timestamp (INT64: -1 latest, -2 earliest, else a time in ms)
 *
 *   ListOffsets Response (Version: 3) => throttle_time_ms [responses]
 *     throttle_time_ms => INT32 (v2+)
 *     responses => topic [partitions]
 *       partitions => partition (INT32) error_code (INT16) timestamp (INT64) offset (INT64)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; timestamp: number }> }>;
}

export interface ListOffsetsPartitionResponse {
  partition: number;
  errorCode: number;
  timestamp: number;
  offset: number;
}

export interface ListOffsetsResponse {
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>;
}

export function decodeListOffsetsRequest(decoder: Decoder, version: number): ListOffsetsRequest {
  return {
    replicaId: decoder.readInt32(),
    isolationLevel: version >= 2 ? decoder.readInt8() : 0,
    topics: decoder.readArray((d) => ({
      name: d.readString(),
      partitions: d.readArray((pd) => ({ partition: pd.readInt32(), timestamp: pd.readInt64Number() })),
    })),
  };
}

export function encodeListOffsetsResponse(encoder: Encoder, response: ListOffsetsResponse, version: number): void {
  if (version >= 2) encoder.writeInt32(0);
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeString(topic.name);
    e.writeArray(topic.partitions, (pe, p) => {
      pe.writeInt32(p.partition).writeInt16(p.errorCode).writeInt64(p.timestamp).writeInt64(p.offset);
    });
  });
}
