/**
 * One broker's view of the cluster: turns decoded requests into actions on the shared
 * {@link ClusterState} and into responses. It answers for the partitions it leads
 * (NOT_LEADER_FOR_PARTITION otherwise), the groups it coordinates (NOT_COORDINATOR) and, as
 * controller, topic administration (NOT_CONTROLLER), so clients follow Metadata as with Kafka.
 */
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/apis/create-topics.js';
import type { DescribedGroup } from '../protocol/apis/describe-groups.js';
import type { FetchPartitionResponse, FetchRequest, FetchResponse } from '../protocol/apis/fetch.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/apis/find-coordinator.js';
import type { HeartbeatRequest } from '../protocol/apis/heartbeat.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/apis/init-producer-id.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/apis/join-group.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/apis/leave-group.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from '../protocol/apis/list-offsets.js';
import type { MetadataRequest, MetadataResponse, MetadataTopic } from '../protocol/apis/metadata.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/apis/offset-commit.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/apis/offset-fetch.js';
import type { ProducePartitionResponse, ProduceRequest, ProduceResponse } from '../protocol/apis/produce.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/apis/sync-group.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import { parseRecordBatch, splitRecordBatches, type ParsedRecordBatch } from '../protocol/record-batch.js';
import type { ClusterState } from './cluster-state.js';
import type { ClientIdentity } from './group-coordinator.js';
import type { PartitionLog } from './partition-log.js';
import { isValidTopicName, type Topic } from './topic-store.js';

/** Creates a topic or explains why not, as CreateTopics, auto-creation and the test API all need. */
export function createTopic(
  cluster: ClusterState,
  name: string,
  partitions: number,
): { errorCode: number; errorMessage: string | null } {
  if (!isValidTopicName(name)) {
    return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `illegal topic name '${name}'` };
  }
  if (cluster.topics.get(name) !== undefined) {
    return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `topic '${name}' already exists` };
  }
  if (!Number.isInteger(partitions) || partitions <= 0 || partitions > 10_000) {
    return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `invalid partition count ${partitions}` };
  }
  cluster.topics.create(name, partitions);
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}

export class RequestHandler {
  constructor(
    readonly nodeId: number,
    readonly cluster: ClusterState,
  ) {}

  private isCoordinatorFor(groupId: string): boolean {
    return this.cluster.coordinatorOf(groupId)?.nodeId === this.nodeId;
  }

  private isController(): boolean {
    return this.cluster.controller()?.nodeId === this.nodeId;
  }

  metadata(request: MetadataRequest): MetadataResponse {
    const describe = (topic: Topic): MetadataTopic => ({
      errorCode: ErrorCode.NONE,
      name: topic.name,
      isInternal: false,
      partitions: topic.partitions.map((log) => {
        const replicas = this.cluster.replicasOf(log.partition);
        const leader = this.cluster.leaderOf(log.partition);
        return {
          errorCode: leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
          partition: log.partition,
          leader,
          replicas: replicas.map((node) => node.nodeId),
          isr: replicas.filter((node) => node.online).map((node) => node.nodeId),
          offlineReplicas: replicas.filter((node) => !node.online).map((node) => node.nodeId),
        };
      }),
    });
    const { settings } = this.cluster;
    const topics =
      request.topics === null
        ? this.cluster.topics.all().map(describe)
        : request.topics.map((name): MetadataTopic => {
            let topic = this.cluster.topics.get(name);
            if (topic === undefined && request.allowAutoTopicCreation && settings.autoCreateTopics) {
              const created = createTopic(this.cluster, name, settings.defaultPartitions);
              if (created.errorCode !== ErrorCode.NONE) {
                return { errorCode: created.errorCode, name, isInternal: false, partitions: [] };
              }
              topic = this.cluster.topics.get(name);
            }
            if (topic === undefined) {
              return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
            }
            return describe(topic);
          });
    return {
      brokers: this.cluster.liveNodes().map(({ nodeId, host, port }) => ({ nodeId, host, port, rack: null })),
      clusterId: settings.clusterId,
      controllerId: this.cluster.controller()?.nodeId ?? -1,
      topics,
    };
  }

  createTopics(request: CreateTopicsRequest): CreateTopicsResponse {
    return {
      topics: request.topics.map((topic) => {
        if (!this.isController()) {
          return { name: topic.name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'not the controller' };
        }
        const partitions =
          topic.assignments.length > 0
            ? topic.assignments.length
            : topic.numPartitions === -1
              ? this.cluster.settings.defaultPartitions
              : topic.numPartitions;
        const brokers = this.cluster.nodes.length;
        if (topic.replicationFactor > brokers || topic.replicationFactor === 0 || topic.replicationFactor < -1) {
          return {
            name: topic.name,
            errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
            errorMessage: `replication factor ${topic.replicationFactor} with ${brokers} brokers`,
          };
        }
        if (request.validateOnly) {
          const valid =
            isValidTopicName(topic.name) && this.cluster.topics.get(topic.name) === undefined && partitions > 0;
          return valid
            ? { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null }
            : { name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'would not be created' };
        }
        return { name: topic.name, ...createTopic(this.cluster, topic.name, partitions) };
      }),
    };
  }

  deleteTopics(request: { topics: string[] }): { topics: Array<{ name: string; errorCode: number }> } {
    return {
      topics: request.topics.map((name) => ({
        name,
        errorCode: !this.isController()
          ? ErrorCode.NOT_CONTROLLER
          : this.cluster.topics.delete(name)
            ? ErrorCode.NONE
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      })),
    };
  }

  initProducerId(request: InitProducerIdRequest): InitProducerIdResponse {
    return { errorCode: ErrorCode.NONE, ...this.cluster.producerIds.allocate(request.transactionalId) };
  }

  findCoordinator(request: FindCoordinatorRequest): FindCoordinatorResponse {
    if (request.keyType !== 0 && request.keyType !== 1) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `key type ${request.keyType}`, nodeId: -1, host: '', port: -1 };
    }
    const coordinator = this.cluster.coordinatorOf(request.key);
    if (coordinator === undefined) {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: -1 };
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: coordinator.nodeId, host: coordinator.host, port: coordinator.port };
  }

  /** The partition's log if this broker leads it, or the error code to answer with. */
  private ledPartition(topic: string, partition: number): PartitionLog | number {
    const log = this.cluster.topics.partition(topic, partition);
    if (log === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (this.cluster.leaderOf(partition) !== this.nodeId) return ErrorCode.NOT_LEADER_FOR_PARTITION;
    return log;
  }

  produce(request: ProduceRequest): ProduceResponse {
    const invalidAcks = request.acks !== 0 && request.acks !== 1 && request.acks !== -1;
    const response: ProduceResponse = {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((data): ProducePartitionResponse => {
          const failed = (errorCode: number): ProducePartitionResponse => ({
            partition: data.partition,
            errorCode,
            baseOffset: -1,
            logAppendTime: -1,
            logStartOffset: -1,
          });
          if (invalidAcks) return failed(ErrorCode.INVALID_REQUIRED_ACKS);
          const log = this.ledPartition(topic.name, data.partition);
          if (typeof log === 'number') return failed(log);
          try {
            return { ...this.appendRecordSet(log, data.recordSet), partition: data.partition };
          } catch (error) {
            if (error instanceof KafkaProtocolError) return failed(error.errorCode);
            throw error;
          }
        }),
      })),
    };
    this.cluster.topics.notifyAppend();
    return response;
  }

  private appendRecordSet(log: PartitionLog, recordSet: Buffer | null): Omit<ProducePartitionResponse, 'partition'> {
    if (recordSet === null || recordSet.length === 0) {
      throw new KafkaProtocolError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
    }
    if (recordSet.length > this.cluster.settings.maxMessageBytes) {
      throw new KafkaProtocolError(ErrorCode.MESSAGE_TOO_LARGE, `record set of ${recordSet.length} bytes`);
    }
    // Parse every batch before appending any, so a corrupt batch leaves the log untouched.
    const batches: ParsedRecordBatch[] = splitRecordBatches(recordSet).map(parseRecordBatch);
    let firstOffset = -1;
    for (const batch of batches) {
      const { producerId, producerEpoch, baseSequence, recordCount } = batch.header;
      const identity = { producerId, producerEpoch, baseSequence, recordCount };
      const idempotent = producerId >= 0n;
      if (idempotent) {
        const check = log.producers.check(identity);
        if (check.kind === 'error') throw new KafkaProtocolError(check.errorCode, check.message);
        if (check.kind === 'duplicate') {
          if (firstOffset === -1) firstOffset = check.baseOffset;
          continue;
        }
      }
      const stored = log.append(batch);
      if (idempotent) log.producers.appended(identity, stored.baseOffset);
      if (firstOffset === -1) firstOffset = stored.baseOffset;
    }
    return { errorCode: ErrorCode.NONE, baseOffset: firstOffset, logAppendTime: -1, logStartOffset: log.logStartOffset };
  }

  /** Long-polls: answers once `minBytes` are there, on an error, or at `maxWaitMs`. */
  async fetch(request: FetchRequest, isClosed: () => boolean = () => false): Promise<FetchResponse> {
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    for (;;) {
      const { response, bytes, hasError } = this.readFetch(request);
      const remaining = deadline - Date.now();
      if (bytes >= request.minBytes || hasError || remaining <= 0 || isClosed()) return response;
      await this.cluster.topics.waitForAppend(remaining);
      if (Date.now() >= deadline) return this.readFetch(request).response;
    }
  }

  private readFetch(request: FetchRequest): { response: FetchResponse; bytes: number; hasError: boolean } {
    let bytes = 0;
    let hasError = false;
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((wanted): FetchPartitionResponse => {
        const log = this.ledPartition(topic.name, wanted.partition);
        const empty = (errorCode: number): FetchPartitionResponse => ({
          partition: wanted.partition,
          errorCode,
          highWatermark: typeof log === 'number' ? -1 : log.highWatermark,
          lastStableOffset: typeof log === 'number' ? -1 : log.highWatermark,
          logStartOffset: typeof log === 'number' ? -1 : log.logStartOffset,
          batches: [],
        });
        if (typeof log === 'number') {
          hasError = true;
          return empty(log);
        }
        if (wanted.fetchOffset < log.logStartOffset || wanted.fetchOffset > log.highWatermark) {
          hasError = true;
          return empty(ErrorCode.OFFSET_OUT_OF_RANGE);
        }
        const budget = Math.min(wanted.partitionMaxBytes, request.maxBytes - bytes);
        const batches = log.read(wanted.fetchOffset, Math.max(0, budget), bytes === 0);
        bytes += batches.reduce((sum, batch) => sum + batch.length, 0);
        return { ...empty(ErrorCode.NONE), batches };
      }),
    }));
    return { response: { errorCode: ErrorCode.NONE, topics }, bytes, hasError };
  }

  listOffsets(request: ListOffsetsRequest): ListOffsetsResponse {
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition, timestamp }) => {
          const log = this.ledPartition(topic.name, partition);
          if (typeof log === 'number') return { partition, errorCode: log, timestamp: -1, offset: -1 };
          if (timestamp === LATEST_TIMESTAMP) {
            return { partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.highWatermark };
          }
          if (timestamp === EARLIEST_TIMESTAMP) {
            return { partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
          }
          const found = log.offsetForTimestamp(timestamp);
          return { partition, errorCode: ErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
        }),
      })),
    };
  }

  joinGroup(request: JoinGroupRequest, client: ClientIdentity): Promise<JoinGroupResponse> {
    if (!this.isCoordinatorFor(request.groupId)) {
      return Promise.resolve({
        errorCode: ErrorCode.NOT_COORDINATOR,
        generationId: -1,
        protocolName: '',
        leader: '',
        memberId: request.memberId,
        members: [],
      });
    }
    return this.cluster.groups.join(request, client);
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    if (!this.isCoordinatorFor(request.groupId)) {
      return Promise.resolve({ errorCode: ErrorCode.NOT_COORDINATOR, assignment: Buffer.alloc(0) });
    }
    return this.cluster.groups.sync(request);
  }

  heartbeat(request: HeartbeatRequest): number {
    if (!this.isCoordinatorFor(request.groupId)) return ErrorCode.NOT_COORDINATOR;
    return this.cluster.groups.heartbeat(request);
  }

  leaveGroup(request: LeaveGroupRequest): LeaveGroupResponse {
    if (!this.isCoordinatorFor(request.groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    return this.cluster.groups.leave(request);
  }

  offsetCommit(request: OffsetCommitRequest): OffsetCommitResponse {
    if (!this.isCoordinatorFor(request.groupId)) {
      return {
        topics: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(({ partition }) => ({ partition, errorCode: ErrorCode.NOT_COORDINATOR })),
        })),
      };
    }
    return this.cluster.groups.commitOffsets(request);
  }

  offsetFetch(request: OffsetFetchRequest): OffsetFetchResponse {
    if (!this.isCoordinatorFor(request.groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
    return this.cluster.groups.fetchOffsets(request);
  }

  describeGroups(groupIds: string[]): DescribedGroup[] {
    const local = groupIds.filter((groupId) => this.isCoordinatorFor(groupId));
    const described = new Map(this.cluster.groups.describe(local).map((group) => [group.groupId, group]));
    return groupIds.map(
      (groupId) =>
        described.get(groupId) ?? {
          errorCode: ErrorCode.NOT_COORDINATOR,
          groupId,
          state: '',
          protocolType: '',
          protocol: '',
          members: [],
        },
    );
  }

  listGroups(): Array<{ groupId: string; protocolType: string }> {
    return this.cluster.groups.list().filter((group) => this.isCoordinatorFor(group.groupId));
  }
}
