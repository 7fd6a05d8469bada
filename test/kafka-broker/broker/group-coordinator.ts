/**
 * The consumer group coordinator: membership, the join and sync barriers, generations, session
 * expiry and committed offsets, following the state machine of Kafka's GroupCoordinator
 * (KIP-62 rebalance timeouts, KIP-394 MEMBER_ID_REQUIRED):
 *
 *   Empty -> PreparingRebalance  a member joins (after the initial rebalance delay)
 *   PreparingRebalance -> CompletingRebalance  every member has rejoined, or the rebalance
 *                                              timeout evicted those that did not
 *   CompletingRebalance -> Stable  the leader's SyncGroup hands out the assignments
 *   Stable | CompletingRebalance -> PreparingRebalance  a member joins, leaves or expires
 *   PreparingRebalance -> Empty  the last member is gone (the generation still advances)
 *
 * Static membership (`group.instance.id`) is accepted on the wire but treated as dynamic.
 */
import { randomUUID } from 'node:crypto';
import type { DescribedGroup } from '../protocol/apis/describe-groups.js';
import type { HeartbeatRequest } from '../protocol/apis/heartbeat.js';
import type { GroupProtocol, JoinGroupRequest, JoinGroupResponse } from '../protocol/apis/join-group.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/apis/leave-group.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/apis/offset-commit.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/apis/offset-fetch.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/apis/sync-group.js';
import { ErrorCode } from '../protocol/errors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface GroupCoordinatorOptions {
  /** Shortest session timeout a member may ask for. @default 1000 (Kafka: 6000) */
  minSessionTimeoutMs: number;
  /** Longest session timeout a member may ask for. @default 300000 */
  maxSessionTimeoutMs: number;
  /** How long a group that was empty waits for more members before its first rebalance completes. @default 0 (Kafka: 3000) */
  initialRebalanceDelayMs: number;
  /** Whether a committed offset names an existing partition. */
  partitionExists: (topic: string, partition: number) => boolean;
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: Buffer;
  awaitingJoin?: (response: JoinGroupResponse) => void;
  awaitingSync?: (response: SyncGroupResponse) => void;
  sessionTimer?: NodeJS.Timeout;
}

interface CommittedOffset {
  offset: number;
  metadata: string;
}

interface Group {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  /** Ids handed out with MEMBER_ID_REQUIRED, not yet used to join (KIP-394). */
  pendingMembers: Map<string, NodeJS.Timeout>;
  rebalanceTimer?: NodeJS.Timeout;
  holdForInitialDelay: boolean;
  offsets: Map<string, Map<number, CommittedOffset>>;
}

export interface ClientIdentity {
  clientId: string;
  clientHost: string;
}

const failedJoin = (errorCode: number, memberId = ''): JoinGroupResponse => ({
  errorCode,
  generationId: -1,
  protocolName: '',
  leader: '',
  memberId,
  members: [],
});

const sameProtocols = (left: GroupProtocol[], right: GroupProtocol[]): boolean =>
  left.length === right.length &&
  left.every((protocol, index) => protocol.name === right[index]?.name && protocol.metadata.equals(right[index].metadata));

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: GroupCoordinatorOptions) {}

  join(request: JoinGroupRequest, client: ClientIdentity): Promise<JoinGroupResponse> {
    if (request.groupId === '') return Promise.resolve(failedJoin(ErrorCode.INVALID_GROUP_ID, request.memberId));
    if (
      request.sessionTimeoutMs < this.options.minSessionTimeoutMs ||
      request.sessionTimeoutMs > this.options.maxSessionTimeoutMs
    ) {
      return Promise.resolve(failedJoin(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId));
    }
    let group = this.groups.get(request.groupId);
    if (group === undefined) {
      if (request.memberId !== '') return Promise.resolve(failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
      group = this.createGroup(request.groupId);
    }
    if (!this.supportsProtocols(group, request)) {
      return Promise.resolve(failedJoin(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, request.memberId));
    }

    if (request.memberId === '') {
      const memberId = `${client.clientId || 'member'}-${randomUUID()}`;
      const current = group;
      const expire = setTimeout(() => {
        current.pendingMembers.delete(memberId);
        this.maybeCompleteJoin(current);
      }, request.sessionTimeoutMs);
      expire.unref();
      group.pendingMembers.set(memberId, expire);
      return Promise.resolve(failedJoin(ErrorCode.MEMBER_ID_REQUIRED, memberId));
    }

    const pending = group.pendingMembers.get(request.memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(request.memberId);
      const member: Member = {
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        clientId: client.clientId,
        clientHost: client.clientHost,
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        protocols: request.protocols,
        assignment: Buffer.alloc(0),
      };
      group.members.set(member.memberId, member);
      group.protocolType ??= request.protocolType;
      group.leaderId ??= member.memberId;
      return this.awaitJoin(group, member, true);
    }

    const member = group.members.get(request.memberId);
    if (member === undefined) return Promise.resolve(failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
    const unchanged = sameProtocols(member.protocols, request.protocols);
    member.protocols = request.protocols;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    // A follower rejoining with nothing new gets the current generation back without a rebalance.
    if (unchanged && (group.state === 'CompletingRebalance' || (group.state === 'Stable' && group.leaderId !== member.memberId))) {
      return Promise.resolve(this.joinResponse(group, member));
    }
    return this.awaitJoin(group, member, group.state !== 'PreparingRebalance');
  }

  sync(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: Buffer.alloc(0) });
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (group === undefined || member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (request.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.touch(group, member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      case 'CompletingRebalance': {
        this.touch(group, member);
        const response = new Promise<SyncGroupResponse>((resolve) => {
          member.awaitingSync = resolve;
        });
        if (request.memberId === group.leaderId) {
          const assignments = new Map(request.assignments.map((entry) => [entry.memberId, entry.assignment]));
          group.state = 'Stable';
          for (const each of group.members.values()) {
            each.assignment = assignments.get(each.memberId) ?? Buffer.alloc(0);
            const resolve = each.awaitingSync;
            each.awaitingSync = undefined;
            resolve?.({ errorCode: ErrorCode.NONE, assignment: each.assignment });
          }
        }
        return response;
      }
    }
  }

  heartbeat(request: HeartbeatRequest): number {
    const group = this.groups.get(request.groupId);
    const member = group?.members.get(request.memberId);
    if (group === undefined || member === undefined || group.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(group, member);
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(request: LeaveGroupRequest): LeaveGroupResponse {
    const group = this.groups.get(request.groupId);
    const members = request.members.map((leaving) => {
      if (group === undefined) return { ...leaving, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      const pending = group.pendingMembers.get(leaving.memberId);
      if (pending !== undefined) {
        clearTimeout(pending);
        group.pendingMembers.delete(leaving.memberId);
        this.maybeCompleteJoin(group);
        return { ...leaving, errorCode: ErrorCode.NONE };
      }
      const member = group.members.get(leaving.memberId);
      if (member === undefined) return { ...leaving, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      this.removeMember(group, member);
      return { ...leaving, errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  commitOffsets(request: OffsetCommitRequest): OffsetCommitResponse {
    const respond = (errorCode: number | null): OffsetCommitResponse => ({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((entry) => ({
          partition: entry.partition,
          errorCode:
            errorCode ??
            (this.options.partitionExists(topic.name, entry.partition)
              ? ErrorCode.NONE
              : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
        })),
      })),
    });
    if (request.groupId === '') return respond(ErrorCode.INVALID_GROUP_ID);
    let group = this.groups.get(request.groupId);
    if (request.generationId < 0 && request.memberId === '') {
      // A commit from outside the group (admin tools) is allowed only while nobody consumes.
      if (group !== undefined && group.members.size > 0) return respond(ErrorCode.UNKNOWN_MEMBER_ID);
      group ??= this.createGroup(request.groupId);
    } else {
      const member = group?.members.get(request.memberId);
      if (group === undefined) return respond(ErrorCode.ILLEGAL_GENERATION);
      if (member === undefined) return respond(ErrorCode.UNKNOWN_MEMBER_ID);
      if (request.generationId !== group.generationId) return respond(ErrorCode.ILLEGAL_GENERATION);
      if (group.state !== 'Stable') return respond(ErrorCode.REBALANCE_IN_PROGRESS);
      this.touch(group, member);
    }
    const response = respond(null);
    request.topics.forEach((topic, topicIndex) => {
      topic.partitions.forEach((entry, partitionIndex) => {
        if (response.topics[topicIndex]?.partitions[partitionIndex]?.errorCode !== ErrorCode.NONE) return;
        let partitions = group.offsets.get(topic.name);
        if (partitions === undefined) {
          partitions = new Map();
          group.offsets.set(topic.name, partitions);
        }
        // Kafka stores a null metadata as "" (OffsetAndMetadata.NoMetadata) and returns it so.
        partitions.set(entry.partition, { offset: entry.offset, metadata: entry.metadata ?? '' });
      });
    });
    return response;
  }

  fetchOffsets(request: OffsetFetchRequest): OffsetFetchResponse {
    const group = this.groups.get(request.groupId);
    const wanted =
      request.topics ??
      [...(group?.offsets.entries() ?? [])].map(([name, partitions]) => ({ name, partitions: [...partitions.keys()] }));
    return {
      errorCode: ErrorCode.NONE,
      topics: wanted.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => {
          const committed = group?.offsets.get(topic.name)?.get(partition);
          return {
            partition,
            offset: committed?.offset ?? -1,
            metadata: committed?.metadata ?? '',
            errorCode: ErrorCode.NONE,
          };
        }),
      })),
    };
  }

  describe(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const group = this.groups.get(groupId);
      if (group === undefined) {
        return { errorCode: ErrorCode.NONE, groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
      }
      const settled = group.state === 'Stable' || group.state === 'CompletingRebalance';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        state: group.state,
        protocolType: group.protocolType ?? '',
        protocol: settled ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((member) => ({
          memberId: member.memberId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          metadata: settled
            ? (member.protocols.find((protocol) => protocol.name === group.protocolName)?.metadata ?? Buffer.alloc(0))
            : Buffer.alloc(0),
          assignment: group.state === 'Stable' ? member.assignment : Buffer.alloc(0),
        })),
      };
    });
  }

  list(): Array<{ groupId: string; protocolType: string }> {
    return [...this.groups.values()].map((group) => ({ groupId: group.groupId, protocolType: group.protocolType ?? '' }));
  }

  /**
   * Forgets every group: stops every timer and fails every waiting JoinGroup/SyncGroup, so the
   * process can exit (on close) or clients start over (on a wipe).
   */
  reset(): void {
    for (const group of this.groups.values()) {
      clearTimeout(group.rebalanceTimer);
      for (const timer of group.pendingMembers.values()) clearTimeout(timer);
      for (const member of group.members.values()) {
        clearTimeout(member.sessionTimer);
        member.awaitingJoin?.(failedJoin(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.memberId));
        member.awaitingSync?.({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0) });
      }
    }
    this.groups.clear();
  }

  private createGroup(groupId: string): Group {
    const group: Group = {
      groupId,
      state: 'Empty',
      generationId: 0,
      protocolType: null,
      protocolName: null,
      leaderId: null,
      members: new Map(),
      pendingMembers: new Map(),
      holdForInitialDelay: false,
      offsets: new Map(),
    };
    this.groups.set(groupId, group);
    return group;
  }

  private supportsProtocols(group: Group, request: JoinGroupRequest): boolean {
    if (request.protocolType === '' || request.protocols.length === 0) return false;
    if (group.members.size === 0) return true;
    if (group.protocolType !== request.protocolType) return false;
    // The joiner must share a protocol with everyone else; alone, it may bring any.
    const others = this.commonProtocols(group, request.memberId);
    return others === null || request.protocols.some((protocol) => others.includes(protocol.name));
  }

  /** Protocol names every member (other than `exceptMemberId`) supports; null when there is nobody. */
  private commonProtocols(group: Group, exceptMemberId?: string): string[] | null {
    let common: string[] | null = null;
    for (const member of group.members.values()) {
      if (member.memberId === exceptMemberId) continue;
      const names = member.protocols.map((protocol) => protocol.name);
      common = common === null ? names : common.filter((name) => names.includes(name));
    }
    return common;
  }

  private awaitJoin(group: Group, member: Member, triggersRebalance: boolean): Promise<JoinGroupResponse> {
    clearTimeout(member.sessionTimer);
    const response = new Promise<JoinGroupResponse>((resolve) => {
      // A member that re-sends JoinGroup replaces its earlier wait (its old connection is gone).
      member.awaitingJoin?.(failedJoin(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
      member.awaitingJoin = resolve;
    });
    if (triggersRebalance && group.state !== 'PreparingRebalance') this.prepareRebalance(group);
    else this.maybeCompleteJoin(group);
    return response;
  }

  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        const resolve = member.awaitingSync;
        member.awaitingSync = undefined;
        resolve?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    const delay = wasEmpty
      ? this.options.initialRebalanceDelayMs
      : Math.max(0, ...[...group.members.values()].map((member) => member.rebalanceTimeoutMs));
    group.holdForInitialDelay = wasEmpty && delay > 0;
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = setTimeout(() => {
      group.holdForInitialDelay = false;
      this.completeJoin(group);
    }, delay);
    group.rebalanceTimer.unref();
    this.maybeCompleteJoin(group);
  }

  private maybeCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || group.holdForInitialDelay) return;
    const allJoined = [...group.members.values()].every((member) => member.awaitingJoin !== undefined);
    if (allJoined && group.pendingMembers.size === 0) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = undefined;
    // Members that did not rejoin within the rebalance timeout are out (KIP-62).
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === undefined) {
        clearTimeout(member.sessionTimer);
        group.members.delete(member.memberId);
      }
    }
    group.generationId += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.protocolType = null;
      group.leaderId = null;
      return;
    }
    if (group.leaderId === null || !group.members.has(group.leaderId)) {
      group.leaderId = group.members.keys().next().value ?? null;
    }
    const common = this.commonProtocols(group) ?? [];
    const leader = group.members.get(group.leaderId as string) as Member;
    group.protocolName = leader.protocols.find((protocol) => common.includes(protocol.name))?.name ?? common[0] ?? '';
    group.state = 'CompletingRebalance';
    for (const member of group.members.values()) {
      const resolve = member.awaitingJoin;
      member.awaitingJoin = undefined;
      this.touch(group, member);
      resolve?.(this.joinResponse(group, member));
    }
  }

  private joinResponse(group: Group, member: Member): JoinGroupResponse {
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName: group.protocolName ?? '',
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((each) => ({
            memberId: each.memberId,
            groupInstanceId: each.groupInstanceId,
            metadata: each.protocols.find((protocol) => protocol.name === group.protocolName)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    };
  }

  /** Restarts a member's session timer: it is alive. */
  private touch(group: Group, member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => {
      if (group.members.get(member.memberId) === member && member.awaitingJoin === undefined) {
        this.removeMember(group, member);
      }
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private removeMember(group: Group, member: Member): void {
    clearTimeout(member.sessionTimer);
    group.members.delete(member.memberId);
    member.awaitingJoin?.(failedJoin(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = undefined;
    member.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    member.awaitingSync = undefined;
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else this.prepareRebalance(group);
  }
}
