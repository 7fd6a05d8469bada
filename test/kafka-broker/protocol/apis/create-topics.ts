/**
 * CreateTopics (key 19)
 *
 *   CreateTopics Request (Version: 3) => [topics] timeout_ms validate_only
 *     topics => name num_partitions replication_factor [assignments] [configs]
 *       name => STRING  num_partitions => INT32 (-1: broker default)
 *       replication_factor => INT16 (-1: broker default)
 *       assignments => partition_index (INT32) [broker_ids (INT32)]
 *       configs => name (STRING) value (NULLABLE_STRING)
 *     timeout_ms => INT32  validate_only => BOOLEAN
 *
 *   CreateTopics Response (Version: 3) => throttle_time_ms [topics]
 *     topics => name (STRING) error_code (INT16) error_message (NULLABLE_STRING)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface CreateTopicsRequest {
  topics: Array<{
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: Array<{ partition: number; brokerIds: number[] }>;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

export function decodeCreateTopicsRequest(decoder: Decoder): CreateTopicsRequest {
  return {
    topics: decoder.readArray((d) => ({
      name: d.readString(),
      numPartitions: d.readInt32(),
      replicationFactor: d.readInt16(),
      assignments: d.readArray((ad) => ({ partition: ad.readInt32(), brokerIds: ad.readArray((bd) => bd.readInt32()) })),
      configs: d.readArray((cd) => ({ name: cd.readString(), value: cd.readNullableString() })),
    })),
    timeoutMs: decoder.readInt32(),
    validateOnly: decoder.readBoolean(),
  };
}

export function encodeCreateTopicsResponse(encoder: Encoder, response: CreateTopicsResponse): void {
  encoder.writeInt32(0);
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeString(topic.name).writeInt16(topic.errorCode).writeNullableString(topic.errorMessage);
  });
}
