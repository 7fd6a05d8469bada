/**
 * Metadata (key 3), versions 1-6 (kafkajs uses 6, librdkafka 2.0 uses 4)
 *
 *   Metadata Request (Version: 1-3) => [topics]
 *   Metadata Request (Version: 4-6) => [topics] allow_auto_topic_creation
 *     topics => STRING                  (null array = all topics)
 *     allow_auto_topic_creation => BOOLEAN   (before v4: allowed)
 *
 *   Metadata Response (Version: 6) => throttle_time_ms [brokers] cluster_id controller_id [topic_metadata]
 *     throttle_time_ms => INT32          (v3+)
 *     brokers => node_id (INT32) host (STRING) port (INT32) rack (NULLABLE_STRING)
 *     cluster_id => NULLABLE_STRING      (v2+)
 *     controller_id => INT32
 *     topic_metadata => error_code topic is_internal [partition_metadata]
 *       partition_metadata => error_code partition leader [replicas] [isr] [offline_replicas]
 *         offline_replicas => INT32        (v5+)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface MetadataRequest {
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}

export function decodeMetadataRequest(decoder: Decoder, version: number): MetadataRequest {
  return {
    topics: decoder.readNullableArray((d) => d.readString()),
    allowAutoTopicCreation: version >= 4 ? decoder.readBoolean() : true,
  };
}

export function encodeMetadataResponse(encoder: Encoder, response: MetadataResponse, version: number): void {
  const int32 = (e: Encoder, value: number) => void e.writeInt32(value);
  if (version >= 3) encoder.writeInt32(0);
  encoder.writeArray(response.brokers, (e, broker) => {
    e.writeInt32(broker.nodeId).writeString(broker.host).writeInt32(broker.port).writeNullableString(broker.rack);
  });
  if (version >= 2) encoder.writeNullableString(response.clusterId);
  encoder.writeInt32(response.controllerId);
  encoder.writeArray(response.topics, (e, topic) => {
    e.writeInt16(topic.errorCode).writeString(topic.name).writeBoolean(topic.isInternal);
    e.writeArray(topic.partitions, (pe, partition) => {
      pe.writeInt16(partition.errorCode).writeInt32(partition.partition).writeInt32(partition.leader);
      pe.writeArray(partition.replicas, int32).writeArray(partition.isr, int32);
      if (version >= 5) pe.writeArray(partition.offlineReplicas, int32);
    });
  });
}
