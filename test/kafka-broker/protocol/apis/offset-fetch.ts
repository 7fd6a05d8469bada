/**
 * OffsetFetch (key 9)
 *
 *   OffsetFetch Request (Version: 4) => group_id [topics]   (null array: every committed partition)
 *     topics => name (STRING) [partition_indexes (INT32)]
 *
 *   OffsetFetch Response (Version: 4) => throttle_time_ms [topics] error_code
 *     topics => name [partitions]
 *       partitions => partition (INT32) committed_offset (INT64: -1 none) metadata (NULLABLE_STRING)
 *                     error_code (INT16)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface OffsetFetchRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: number[] }> | null;
}

export interface OffsetFetchResponse {
  errorCode: number;
  topics: Array<{
    name: string;
    partitions: Array<{ partition: number; offset: number; metadata: string | null; errorCode: number }>;
  }>;
}

export function decodeOffsetFetchRequest(decoder: Decoder): OffsetFetchRequest {
  return {
    groupId: decoder.readString(),
    topics: decoder.readNullableArray((d) => ({ name: d.readString(), partitions: d.readArray((pd) => pd.readInt32()) })),
  };
}

export function encodeOffsetFetchResponse(encoder: Encoder, response: OffsetFetchResponse): void {
  encoder.writeInt32(0);
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeString(topic.name);
    e.writeArray(topic.partitions, (pe, p) => {
      pe.writeInt32(p.partition).writeInt64(p.offset).writeNullableString(p.metadata).writeInt16(p.errorCode);
    });
  });
  encoder.writeInt16(response.errorCode);
}
