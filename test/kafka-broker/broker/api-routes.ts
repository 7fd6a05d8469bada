/**
 * One row per API: how to decode its request, handle it on a broker, answer it with a forced error
 * (for injected faults), encode the response, and which topics it names (for fault filters).
 * ApiVersions is not here: the server answers it before any routing, as version negotiation must.
 */
import type { ApiName } from '../protocol/api-keys.js';
import { decodeCreateTopicsRequest, encodeCreateTopicsResponse } from '../protocol/apis/create-topics.js';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse } from '../protocol/apis/delete-topics.js';
import { decodeDescribeGroupsRequest, encodeDescribeGroupsResponse } from '../protocol/apis/describe-groups.js';
import { decodeFetchRequest, encodeFetchResponse } from '../protocol/apis/fetch.js';
import { decodeFindCoordinatorRequest, encodeFindCoordinatorResponse } from '../protocol/apis/find-coordinator.js';
import { decodeHeartbeatRequest, encodeHeartbeatResponse } from '../protocol/apis/heartbeat.js';
import { decodeInitProducerIdRequest, encodeInitProducerIdResponse } from '../protocol/apis/init-producer-id.js';
import { decodeJoinGroupRequest, encodeJoinGroupResponse } from '../protocol/apis/join-group.js';
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse } from '../protocol/apis/leave-group.js';
import { encodeListGroupsResponse } from '../protocol/apis/list-groups.js';
import { decodeListOffsetsRequest, encodeListOffsetsResponse } from '../protocol/apis/list-offsets.js';
import { decodeMetadataRequest, encodeMetadataResponse } from '../protocol/apis/metadata.js';
import { decodeOffsetCommitRequest, encodeOffsetCommitResponse } from '../protocol/apis/offset-commit.js';
import { decodeOffsetFetchRequest, encodeOffsetFetchResponse } from '../protocol/apis/offset-fetch.js';
import { decodeProduceRequest, encodeProduceResponse } from '../protocol/apis/produce.js';
import { decodeSyncGroupRequest, encodeSyncGroupResponse } from '../protocol/apis/sync-group.js';
import type { Decoder } from '../protocol/decoder.js';
import type { Encoder } from '../protocol/encoder.js';
import type { ClientIdentity } from './group-coordinator.js';
import type { RequestHandler } from './request-handler.js';

export interface RequestContext {
  client: ClientIdentity;
  /** Whether the connection has gone, so a long poll can stop early. */
  isClosed: () => boolean;
}

export interface ApiRoute<Request, Response> {
  decode(decoder: Decoder, version: number): Request;
  handle(handler: RequestHandler, request: Request, context: RequestContext): Response | Promise<Response>;
  fail(request: Request, errorCode: number): Response;
  encode(encoder: Encoder, response: Response, version: number): void;
  topics(request: Request): string[];
  /** Produce with acks=0 is never answered. */
  expectsResponse?(request: Request): boolean;
}

const route = <Request, Response>(definition: ApiRoute<Request, Response>) =>
  definition as unknown as ApiRoute<unknown, unknown>;
const names = (topics: ReadonlyArray<{ name: string }>) => topics.map((topic) => topic.name);
const noTopics = () => [];
const emptyBytes = Buffer.alloc(0);

export const API_ROUTES: Readonly<Record<Exclude<ApiName, 'ApiVersions'>, ApiRoute<unknown, unknown>>> = {
  Metadata: route({
    decode: decodeMetadataRequest,
    handle: (handler, request) => handler.metadata(request),
    fail: (request, errorCode) => ({
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics: (request.topics ?? []).map((name) => ({ errorCode, name, isInternal: false, partitions: [] })),
    }),
    encode: encodeMetadataResponse,
    topics: (request) => request.topics ?? [],
  }),
  CreateTopics: route({
    decode: decodeCreateTopicsRequest,
    handle: (handler, request) => handler.createTopics(request),
    fail: (request, errorCode) => ({
      topics: request.topics.map((topic) => ({ name: topic.name, errorCode, errorMessage: 'injected fault' })),
    }),
    encode: encodeCreateTopicsResponse,
    topics: (request) => names(request.topics),
  }),
  DeleteTopics: route({
    decode: decodeDeleteTopicsRequest,
    handle: (handler, request) => handler.deleteTopics(request),
    fail: (request, errorCode) => ({ topics: request.topics.map((name) => ({ name, errorCode })) }),
    encode: encodeDeleteTopicsResponse,
    topics: (request) => request.topics,
  }),
  InitProducerId: route({
    decode: decodeInitProducerIdRequest,
    handle: (handler, request) => handler.initProducerId(request),
    fail: (_request, errorCode) => ({ errorCode, producerId: -1n, producerEpoch: -1 }),
    encode: encodeInitProducerIdResponse,
    topics: noTopics,
  }),
  Produce: route({
    decode: decodeProduceRequest,
    handle: (handler, request) => handler.produce(request),
    fail: (request, errorCode) => ({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition }) => ({
          partition,
          errorCode,
          baseOffset: -1,
          logAppendTime: -1,
          logStartOffset: -1,
        })),
      })),
    }),
    encode: encodeProduceResponse,
    topics: (request) => names(request.topics),
    expectsResponse: (request) => request.acks !== 0,
  }),
  Fetch: route({
    decode: decodeFetchRequest,
    handle: (handler, request, context) => handler.fetch(request, context.isClosed),
    fail: (request, errorCode) => ({
      errorCode: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition }) => ({
          partition,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          batches: [],
        })),
      })),
    }),
    encode: encodeFetchResponse,
    topics: (request) => names(request.topics),
  }),
  ListOffsets: route({
    decode: decodeListOffsetsRequest,
    handle: (handler, request) => handler.listOffsets(request),
    fail: (request, errorCode) => ({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition }) => ({ partition, errorCode, timestamp: -1, offset: -1 })),
      })),
    }),
    encode: encodeListOffsetsResponse,
    topics: (request) => names(request.topics),
  }),
  FindCoordinator: route({
    decode: decodeFindCoordinatorRequest,
    handle: (handler, request) => handler.findCoordinator(request),
    fail: (_request, errorCode) => ({ errorCode, errorMessage: 'injected fault', nodeId: -1, host: '', port: -1 }),
    encode: encodeFindCoordinatorResponse,
    topics: noTopics,
  }),
  JoinGroup: route({
    decode: decodeJoinGroupRequest,
    handle: (handler, request, context) => handler.joinGroup(request, context.client),
    fail: (request, errorCode) => ({
      errorCode,
      generationId: -1,
      protocolName: '',
      leader: '',
      memberId: request.memberId,
      members: [],
    }),
    encode: encodeJoinGroupResponse,
    topics: noTopics,
  }),
  SyncGroup: route({
    decode: decodeSyncGroupRequest,
    handle: (handler, request) => handler.syncGroup(request),
    fail: (_request, errorCode) => ({ errorCode, assignment: emptyBytes }),
    encode: encodeSyncGroupResponse,
    topics: noTopics,
  }),
  Heartbeat: route({
    decode: decodeHeartbeatRequest,
    handle: (handler, request) => ({ errorCode: handler.heartbeat(request) }),
    fail: (_request, errorCode) => ({ errorCode }),
    encode: encodeHeartbeatResponse,
    topics: noTopics,
  }),
  LeaveGroup: route({
    decode: decodeLeaveGroupRequest,
    handle: (handler, request) => handler.leaveGroup(request),
    fail: (_request, errorCode) => ({ errorCode, members: [] }),
    encode: encodeLeaveGroupResponse,
    topics: noTopics,
  }),
  OffsetCommit: route({
    decode: decodeOffsetCommitRequest,
    handle: (handler, request) => handler.offsetCommit(request),
    fail: (request, errorCode) => ({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition }) => ({ partition, errorCode })),
      })),
    }),
    encode: encodeOffsetCommitResponse,
    topics: (request) => names(request.topics),
  }),
  OffsetFetch: route({
    decode: decodeOffsetFetchRequest,
    handle: (handler, request) => handler.offsetFetch(request),
    fail: (_request, errorCode) => ({ errorCode, topics: [] }),
    encode: encodeOffsetFetchResponse,
    topics: (request) => names(request.topics ?? []),
  }),
  DescribeGroups: route({
    decode: decodeDescribeGroupsRequest,
    handle: (handler, request) => ({ groups: handler.describeGroups(request.groups) }),
    fail: (request, errorCode) => ({
      groups: request.groups.map((groupId) => ({ errorCode, groupId, state: '', protocolType: '', protocol: '', members: [] })),
    }),
    encode: encodeDescribeGroupsResponse,
    topics: noTopics,
  }),
  ListGroups: route({
    decode: () => ({}),
    handle: (handler) => ({ errorCode: 0, groups: handler.listGroups() }),
    fail: (_request, errorCode) => ({ errorCode, groups: [] }),
    encode: encodeListGroupsResponse,
    topics: noTopics,
  }),
};
