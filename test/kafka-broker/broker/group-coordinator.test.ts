import { afterEach, describe, expect, it } from '@jest/globals';
import type { JoinGroupRequest } from '../protocol/apis/join-group.js';
import { ErrorCode } from '../protocol/errors.js';
import { GroupCoordinator } from './group-coordinator.js';

const client = { clientId: 'test-client', clientHost: '127.0.0.1' };
const coordinators: GroupCoordinator[] = [];

function coordinator(overrides: { initialRebalanceDelayMs?: number } = {}): GroupCoordinator {
  const created = new GroupCoordinator({
    minSessionTimeoutMs: 10,
    maxSessionTimeoutMs: 60_000,
    initialRebalanceDelayMs: overrides.initialRebalanceDelayMs ?? 0,
    partitionExists: (topic, partition) => topic === 'events' && partition >= 0 && partition < 4,
  });
  coordinators.push(created);
  return created;
}

afterEach(() => {
  for (const each of coordinators.splice(0)) each.reset();
});

const joinRequest = (memberId: string, overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
  groupId: 'readers',
  sessionTimeoutMs: 5000,
  rebalanceTimeoutMs: 1000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('m') }],
  ...overrides,
});

/** Joins as a new member through the MEMBER_ID_REQUIRED round trip; resolves with the join response. */
async function joinNew(groups: GroupCoordinator, overrides: Partial<JoinGroupRequest> = {}) {
  const first = await groups.join(joinRequest('', overrides), client);
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  return { memberId: first.memberId, joined: groups.join(joinRequest(first.memberId, overrides), client) };
}

async function stableSingleMember(groups: GroupCoordinator, overrides: Partial<JoinGroupRequest> = {}) {
  const { memberId, joined } = await joinNew(groups, overrides);
  const join = await joined;
  const sync = await groups.sync({
    groupId: 'readers',
    generationId: join.generationId,
    memberId,
    groupInstanceId: null,
    assignments: [{ memberId, assignment: Buffer.from('all') }],
  });
  expect(sync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('all') });
  return { memberId, generationId: join.generationId };
}

const heartbeat = (groups: GroupCoordinator, memberId: string, generationId: number) =>
  groups.heartbeat({ groupId: 'readers', memberId, generationId, groupInstanceId: null });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GroupCoordinator', () => {
  it('answers a first join without a member id with MEMBER_ID_REQUIRED and the id to use', async () => {
    const groups = coordinator();
    const response = await groups.join(joinRequest(''), client);
    expect(response.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(response.memberId).toMatch(/^test-client-/);
  });

  it('makes a lone member the leader of generation 1 and hands it its own assignment', async () => {
    const groups = coordinator();
    const { memberId, joined } = await joinNew(groups);
    const join = await joined;
    expect(join).toMatchObject({ errorCode: 0, generationId: 1, leader: memberId, memberId, protocolName: 'RoundRobinAssigner' });
    expect(join.members).toEqual([{ memberId, groupInstanceId: null, metadata: Buffer.from('m') }]);
    await stableSingleMember(coordinator());
    expect(groups.describe(['readers'])[0]?.state).toBe('CompletingRebalance');
  });

  it('answers heartbeats: NONE when stable, ILLEGAL_GENERATION for a stale generation, UNKNOWN_MEMBER_ID for a stranger', async () => {
    const groups = coordinator();
    const { memberId, generationId } = await stableSingleMember(groups);
    expect(heartbeat(groups, memberId, generationId)).toBe(ErrorCode.NONE);
    expect(heartbeat(groups, memberId, generationId - 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(groups, 'nobody', generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('rebalances when a second member joins: the first hears REBALANCE_IN_PROGRESS and both land in generation 2', async () => {
    const groups = coordinator();
    const first = await stableSingleMember(groups);
    const second = await joinNew(groups);
    expect(heartbeat(groups, first.memberId, first.generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(groups.describe(['readers'])[0]?.state).toBe('PreparingRebalance');

    const [secondJoin, firstJoin] = await Promise.all([second.joined, groups.join(joinRequest(first.memberId), client)]);
    expect(firstJoin).toMatchObject({ errorCode: 0, generationId: 2, leader: first.memberId });
    expect(firstJoin.members.map((member) => member.memberId).sort()).toEqual([first.memberId, second.memberId].sort());
    expect(secondJoin).toMatchObject({ errorCode: 0, generationId: 2, leader: first.memberId, members: [] });

    // The follower waits at the sync barrier until the leader hands out assignments.
    const followerSync = groups.sync({ groupId: 'readers', generationId: 2, memberId: second.memberId, groupInstanceId: null, assignments: [] });
    const leaderSync = await groups.sync({
      groupId: 'readers',
      generationId: 2,
      memberId: first.memberId,
      groupInstanceId: null,
      assignments: [
        { memberId: first.memberId, assignment: Buffer.from('p0,p1') },
        { memberId: second.memberId, assignment: Buffer.from('p2,p3') },
      ],
    });
    expect(leaderSync.assignment.toString()).toBe('p0,p1');
    expect((await followerSync).assignment.toString()).toBe('p2,p3');
    expect(heartbeat(groups, first.memberId, 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(groups, second.memberId, 2)).toBe(ErrorCode.NONE);
    expect(groups.describe(['readers'])[0]?.members).toHaveLength(2);
  });

  it('starts a new generation when the leader of a stable group rejoins on its own', async () => {
    const groups = coordinator();
    const { memberId, generationId } = await stableSingleMember(groups);
    const rejoin = await groups.join(joinRequest(memberId), client);
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: generationId + 1, leader: memberId });
  });

  it('evicts a member that does not rejoin within the rebalance timeout', async () => {
    const groups = coordinator();
    const first = await stableSingleMember(groups, { rebalanceTimeoutMs: 50 });
    const second = await joinNew(groups, { rebalanceTimeoutMs: 50 });
    const join = await second.joined;
    expect(join).toMatchObject({ errorCode: 0, generationId: 2, leader: second.memberId });
    expect(heartbeat(groups, first.memberId, 2)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes a member whose session expires and rebalances the others', async () => {
    const groups = coordinator();
    const { memberId, generationId } = await stableSingleMember(groups, { sessionTimeoutMs: 40 });
    await sleep(120);
    expect(heartbeat(groups, memberId, generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(groups.describe(['readers'])[0]).toMatchObject({ state: 'Empty', members: [] });
  });

  it('empties the group when its last member leaves, and fails a join that was waiting for a leaver', async () => {
    const groups = coordinator();
    const { memberId } = await stableSingleMember(groups);
    expect(groups.leave({ groupId: 'readers', members: [{ memberId, groupInstanceId: null }] })).toEqual({
      errorCode: 0,
      members: [{ memberId, groupInstanceId: null, errorCode: 0 }],
    });
    expect(groups.describe(['readers'])[0]?.state).toBe('Empty');
    expect(groups.leave({ groupId: 'readers', members: [{ memberId, groupInstanceId: null }] }).members[0]?.errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('accepts commits from the current generation only, and not during a rebalance', async () => {
    const groups = coordinator();
    const { memberId, generationId } = await stableSingleMember(groups);
    const commit = (generation: number, member = memberId, partition = 0) =>
      groups.commitOffsets({
        groupId: 'readers',
        generationId: generation,
        memberId: member,
        topics: [{ name: 'events', partitions: [{ partition, offset: 42, metadata: null }] }],
      }).topics[0]?.partitions[0]?.errorCode;

    expect(commit(generationId)).toBe(ErrorCode.NONE);
    expect(commit(generationId + 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(commit(generationId, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(commit(generationId, memberId, 9)).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(commit(-1, '')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    await joinNew(groups);
    expect(commit(generationId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

    expect(groups.fetchOffsets({ groupId: 'readers', topics: [{ name: 'events', partitions: [0, 1] }] })).toEqual({
      errorCode: 0,
      topics: [
        {
          name: 'events',
          partitions: [
            // Kafka stores a null commit metadata as "" (OffsetAndMetadata.NoMetadata).
            { partition: 0, offset: 42, metadata: '', errorCode: 0 },
            { partition: 1, offset: -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
  });

  it('refuses a session timeout out of bounds and a protocol the group does not speak', async () => {
    const groups = coordinator();
    expect((await groups.join(joinRequest('', { sessionTimeoutMs: 1 }), client)).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    await stableSingleMember(groups);
    const other = await groups.join(joinRequest('', { protocols: [{ name: 'Sticky', metadata: Buffer.alloc(0) }] }), client);
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('waits the initial rebalance delay so members starting together land in one generation', async () => {
    const groups = coordinator({ initialRebalanceDelayMs: 100 });
    const first = await joinNew(groups);
    const second = await joinNew(groups);
    const [one, two] = await Promise.all([first.joined, second.joined]);
    expect(one.generationId).toBe(1);
    expect(two.generationId).toBe(1);
  });
});
