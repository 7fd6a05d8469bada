/**
 * What every broker of a test cluster shares: topics and their logs, groups and committed offsets,
 * producer ids, and which nodes are up.
 *
 * The log is kept once for the whole cluster, as if every partition were replicated to every
 * broker with all replicas in sync: partition `p` prefers node `p mod n` as leader and fails over
 * to the next live node, so killing a broker moves leadership without losing data, as Kafka does
 * with `acks=all` and a full ISR. With one broker, killing it takes every partition offline.
 */
import { FaultInjector } from './fault-injector.js';
import { ProducerIdAllocator } from './producer-state.js';
import { GroupCoordinator } from './group-coordinator.js';
import { TopicStore } from './topic-store.js';

export interface ClusterSettings {
  clusterId: string;
  defaultPartitions: number;
  autoCreateTopics: boolean;
  maxMessageBytes: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupInitialRebalanceDelayMs: number;
}

export interface ClusterNode {
  nodeId: number;
  host: string;
  port: number;
  online: boolean;
}

/** Java's String.hashCode, so a group keeps its coordinator across runs. */
function stableHash(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index += 1) hash = (Math.imul(31, hash) + text.charCodeAt(index)) | 0;
  return hash & 0x7fffffff;
}

export class ClusterState {
  readonly topics = new TopicStore();
  readonly faults = new FaultInjector();
  readonly groups: GroupCoordinator;
  producerIds = new ProducerIdAllocator();

  constructor(
    readonly nodes: ClusterNode[],
    readonly settings: ClusterSettings,
  ) {
    this.groups = new GroupCoordinator({
      minSessionTimeoutMs: settings.groupMinSessionTimeoutMs,
      maxSessionTimeoutMs: settings.groupMaxSessionTimeoutMs,
      initialRebalanceDelayMs: settings.groupInitialRebalanceDelayMs,
      partitionExists: (topic, partition) => this.topics.partition(topic, partition) !== undefined,
    });
  }

  liveNodes(): ClusterNode[] {
    return this.nodes.filter((node) => node.online);
  }

  /** Replica order of a partition: its preferred leader first, then the ring. */
  replicasOf(partition: number): ClusterNode[] {
    const start = partition % this.nodes.length;
    return [...this.nodes.slice(start), ...this.nodes.slice(0, start)];
  }

  /** The partition's leader: the first live replica, or -1 when every replica is down. */
  leaderOf(partition: number): number {
    return this.replicasOf(partition).find((node) => node.online)?.nodeId ?? -1;
  }

  /** The group (or transaction) coordinator for `key`, or undefined when no node is up. */
  coordinatorOf(key: string): ClusterNode | undefined {
    const live = this.liveNodes();
    if (live.length === 0) return undefined;
    const preferred = this.nodes[stableHash(key) % this.nodes.length] as ClusterNode;
    return preferred.online ? preferred : live[0];
  }

  /** The controller: the first live node (topic administration goes through it). */
  controller(): ClusterNode | undefined {
    return this.liveNodes()[0];
  }

  /** Forgets every topic, record, group, offset and producer id, as a broker that lost its disk. */
  wipe(): void {
    this.topics.clear();
    this.groups.reset();
    this.producerIds = new ProducerIdAllocator();
  }

  close(): void {
    this.topics.close();
    this.groups.reset();
  }
}
