/**
 * OffsetCommit (key 8)
 *
 *   OffsetCommit Request (Version: 5) => group_id generation_id member_id [topics]
 *     group_id => STRING  generation_id => INT32 (-1 with member_id "": a commit from outside the group)
 *     member_id => STRING
 *     topics => name [partitions]
 *       partitions => partition (INT32) committed_offset (INT64) committed_metadata (NULLABLE_STRING)
 *
 *   OffsetCommit Response (Version: 5) => throttle_time_ms [topics]
 *     topics => name [partitions]
 *       partitions => partition (INT32) error_code (INT16)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  topics: Array<{ name: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }>;
}

export interface OffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

export function decodeOffsetCommitRequest(decoder: Decoder): OffsetCommitRequest {
  return {
    groupId: decoder.readString(),
    generationId: decoder.readInt32(),
    memberId: decoder.readString(),
    topics: decoder.readArray((d) => ({
      name: d.readString(),
      partitions: d.readArray((pd) => ({
        partition: pd.readInt32(),
        offset: pd.readInt64Number(),
        metadata: pd.readNullableString(),
      })),
    })),
  };
}

export function encodeOffsetCommitResponse(encoder: Encoder, response: OffsetCommitResponse): void {
  encoder.writeInt32(0);
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeString(topic.name);
    e.writeArray(topic.partitions, (pe, p) => void pe.writeInt32(p.partition).writeInt16(p.errorCode));
  });
}
