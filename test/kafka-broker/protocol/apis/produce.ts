/**
 * Produce (key 0)
 *
 *   Produce Request (Version: 7) => transactional_id acks timeout [topic_data]
 *     transactional_id => NULLABLE_STRING
 *     acks => INT16                     (0: no response at all; 1 or -1: answer after append)
 *     timeout => INT32
 *     topic_data => topic [data]
 *       data => partition (INT32) record_set (RECORDS = NULLABLE_BYTES holding RecordBatches)
 *
 *   Produce Response (Version: 7) => [responses] throttle_time_ms
 *     responses => topic [partition_responses]
 *       partition_responses => partition error_code base_offset log_append_time log_start_offset
 *         partition => INT32  error_code => INT16  base_offset => INT64
 *         log_append_time => INT64 (-1 with CreateTime)  log_start_offset => INT64
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; recordSet: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  partition: number;
  errorCode: number;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
}

export interface ProduceResponse {
  topics: Array<{ name: string; partitions: ProducePartitionResponse[] }>;
}

export function decodeProduceRequest(decoder: Decoder): ProduceRequest {
  return {
    transactionalId: decoder.readNullableString(),
    acks: decoder.readInt16(),
    timeoutMs: decoder.readInt32(),
    topics: decoder.readArray((d) => ({
      name: d.readString(),
      partitions: d.readArray((pd) => ({ partition: pd.readInt32(), recordSet: pd.readNullableBytes() })),
    })),
  };
}

export function encodeProduceResponse(encoder: Encoder, response: ProduceResponse): void {
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeString(topic.name);
    e.writeArray(topic.partitions, (pe, partition) => {
      pe.writeInt32(partition.partition)
        .writeInt16(partition.errorCode)
        .writeInt64(partition.baseOffset)
        .writeInt64(partition.logAppendTime)
        .writeInt64(partition.logStartOffset);
    });
  });
  encoder.writeInt32(0);
}
