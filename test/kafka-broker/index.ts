/**
 * A Kafka wire-protocol test broker: in-memory Kafka brokers on real TCP ports that kafkajs 2.2.4
 * producers, consumer groups and admin clients talk to as to Kafka, with controls to kill and
 * restart brokers and to inject faults. See README.md for the APIs and versions it speaks and
 * what it leaves out.
 */
import { ClusterState, type ClusterNode } from './broker/cluster-state.js';
import type { KafkaTestFault } from './broker/fault-injector.js';
import { createTopic, RequestHandler } from './broker/request-handler.js';
import type { DecodedRecord } from './protocol/record-batch.js';
import { KafkaTestServer, silentLogger, type KafkaTestBrokerLogger } from './server.js';

export type { DecodedRecord, RecordHeader } from './protocol/record-batch.js';
export type { KafkaTestBrokerLogger } from './server.js';
export type { KafkaTestFault } from './broker/fault-injector.js';
export { ErrorCode } from './protocol/errors.js';
export { RawKafkaClient } from './raw-client.js';

/** Settings shared by a single broker and a cluster. */
export interface KafkaTestBrokerSettings {
  /** Address to listen on and to advertise in Metadata. @default '127.0.0.1' */
  host?: string;
  /** Partitions of a topic created automatically or with `num_partitions = -1`. @default 1 */
  defaultPartitions?: number;
  /** Whether Metadata creates unknown topics when the client allows it. @default true */
  autoCreateTopics?: boolean;
  /** Largest request frame accepted; a larger one closes the connection. @default 16 MiB */
  maxFrameBytes?: number;
  /** Largest record set accepted per partition (MESSAGE_TOO_LARGE beyond). @default 1 MiB */
  maxMessageBytes?: number;
  /** Shortest session timeout a consumer may ask for. @default 1000 (Kafka: 6000) */
  groupMinSessionTimeoutMs?: number;
  /** Longest session timeout a consumer may ask for. @default 300000 */
  groupMaxSessionTimeoutMs?: number;
  /** Wait for more members before an empty group's first rebalance completes. @default 0 (Kafka: 3000) */
  groupInitialRebalanceDelayMs?: number;
  /** pino-compatible logger. @default silent */
  logger?: KafkaTestBrokerLogger;
  /**
   * Advertise every API from version 0 in ApiVersions, as a real broker does, while still
   * implementing only the newest version. kafkajs ignores minimum versions; librdkafka (kcat)
   * needs this, because it enables features only when old versions fall inside the advertised
   * ranges. A request at a version the broker does not implement closes its connection, as with a
   * real broker (there is no response layout to answer it in).
   * @default false
   */
  advertiseFromVersionZero?: boolean;
}

export interface KafkaTestBrokerOptions extends KafkaTestBrokerSettings {
  /** TCP port to listen on. @default 0 (any free port) */
  port?: number;
  /** Node id advertised in Metadata and FindCoordinator. @default 1 */
  brokerId?: number;
}

export interface KafkaTestClusterOptions extends KafkaTestBrokerSettings {
  /** Number of brokers, each on its own port. @default 3 */
  brokerCount?: number;
  /** Node id of the first broker; the others follow. @default 1 */
  firstBrokerId?: number;
  /** Ports to listen on, one per broker. @default all 0 (any free port) */
  ports?: number[];
}

/** Inspection and control of the data and faults of a broker or cluster. */
export interface KafkaTestControls {
  /** Bootstrap list for kafkajs, e.g. `['127.0.0.1:PORT']`. */
  readonly brokers: string[];
  /** Creates a topic directly; throws if the name is illegal or taken. */
  createTopic(name: string, partitions?: number): void;
  /** Names of the existing topics, sorted. */
  topics(): string[];
  /** Number of partitions of `topic`; throws if it does not exist. */
  partitionCount(topic: string): number;
  /** Every record of one partition, decoded, in offset order. */
  records(topic: string, partition: number): DecodedRecord[];
  /** Makes the next matching request(s) fail, stall or drop their connection. */
  injectFault(fault: KafkaTestFault): void;
  /** Disarms every injected fault. */
  clearFaults(): void;
  /** Injected faults not yet triggered. */
  pendingFaults(): number;
  /** Forgets every topic, record, group, committed offset and producer id. */
  wipe(): void;
  /** Number of open client connections. */
  connectionCount(): number;
  /** Closes every connection and listener. */
  close(): Promise<void>;
}

export interface KafkaTestNode {
  readonly brokerId: number;
  readonly host: string;
  /** Fixed for the node's life: a restarted broker listens on the same port. */
  readonly port: number;
  readonly online: boolean;
  /** Stops listening and drops every connection at once, like a killed process. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

export interface KafkaTestBroker extends KafkaTestControls {
  readonly host: string;
  readonly port: number;
  readonly brokerId: number;
  readonly online: boolean;
  /** Stops listening and drops every connection at once, like a killed process; data is kept. */
  kill(): Promise<void>;
  /**
   * Listens again on the same port (killing first if still up).
   * @param options.keepData keep topics, records, groups and offsets @default true
   */
  restart(options?: { keepData?: boolean }): Promise<void>;
}

export interface KafkaTestCluster extends KafkaTestControls {
  readonly nodes: KafkaTestNode[];
  node(brokerId: number): KafkaTestNode;
  /** Node id leading `partition` now, or -1 when all its replicas are down. */
  leaderOf(topic: string, partition: number): number;
  /** Node id coordinating `groupId` now, or -1 when no broker is up. */
  coordinatorOf(groupId: string): number;
}

const positiveInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
};

class BrokerNode implements KafkaTestNode {
  private server: KafkaTestServer | undefined;

  constructor(
    private readonly node: ClusterNode,
    private readonly cluster: ClusterState,
    private readonly settings: { logger: KafkaTestBrokerLogger; maxFrameBytes: number; advertiseFromVersionZero: boolean },
  ) {}

  get brokerId(): number {
    return this.node.nodeId;
  }

  get host(): string {
    return this.node.host;
  }

  get port(): number {
    return this.node.port;
  }

  get online(): boolean {
    return this.node.online;
  }

  get connectionCount(): number {
    return this.server?.connectionCount ?? 0;
  }

  async restart(): Promise<void> {
    if (this.server !== undefined) await this.kill();
    const server = new KafkaTestServer({
      handler: new RequestHandler(this.node.nodeId, this.cluster),
      cluster: this.cluster,
      logger: this.settings.logger,
      maxFrameBytes: this.settings.maxFrameBytes,
      advertiseFromVersionZero: this.settings.advertiseFromVersionZero,
    });
    this.node.port = await server.listen(this.node.port, this.node.host);
    this.server = server;
    this.node.online = true;
  }

  async kill(): Promise<void> {
    // Offline first, so the other brokers' Metadata stops naming this one at once.
    this.node.online = false;
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }
}

async function startNodes(
  count: number,
  firstBrokerId: number,
  ports: number[],
  settings: KafkaTestBrokerSettings,
): Promise<{ cluster: ClusterState; nodes: BrokerNode[]; controls: KafkaTestControls }> {
  const host = settings.host ?? '127.0.0.1';
  const defaultPartitions = positiveInteger('defaultPartitions', settings.defaultPartitions ?? 1);
  const clusterNodes: ClusterNode[] = Array.from({ length: count }, (_, index) => ({
    nodeId: firstBrokerId + index,
    host,
    port: ports[index] ?? 0,
    online: false,
  }));
  const cluster = new ClusterState(clusterNodes, {
    clusterId: 'gccgw-kafka-test-cluster',
    defaultPartitions,
    autoCreateTopics: settings.autoCreateTopics ?? true,
    maxMessageBytes: positiveInteger('maxMessageBytes', settings.maxMessageBytes ?? 1024 * 1024),
    groupMinSessionTimeoutMs: positiveInteger('groupMinSessionTimeoutMs', settings.groupMinSessionTimeoutMs ?? 1000),
    groupMaxSessionTimeoutMs: positiveInteger('groupMaxSessionTimeoutMs', settings.groupMaxSessionTimeoutMs ?? 300_000),
    groupInitialRebalanceDelayMs: settings.groupInitialRebalanceDelayMs ?? 0,
  });
  const nodeSettings = {
    logger: settings.logger ?? silentLogger,
    maxFrameBytes: positiveInteger('maxFrameBytes', settings.maxFrameBytes ?? 16 * 1024 * 1024),
    advertiseFromVersionZero: settings.advertiseFromVersionZero ?? false,
  };
  const nodes = clusterNodes.map((node) => new BrokerNode(node, cluster, nodeSettings));
  try {
    for (const node of nodes) await node.restart();
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    cluster.close();
    throw error;
  }

  const existing = (topic: string) => {
    const found = cluster.topics.get(topic);
    if (found === undefined) throw new TypeError(`no topic '${topic}'`);
    return found;
  };
  let closing: Promise<void> | undefined;
  const controls: KafkaTestControls = {
    brokers: nodes.map((node) => `${node.host}:${node.port}`),
    createTopic(name, partitions = defaultPartitions) {
      const result = createTopic(cluster, name, partitions);
      if (result.errorMessage !== null) throw new TypeError(result.errorMessage);
    },
    topics: () => cluster.topics.names(),
    partitionCount: (topic) => existing(topic).partitions.length,
    records(topic, partition) {
      const log = existing(topic).partitions[partition];
      if (log === undefined) throw new TypeError(`topic '${topic}' has no partition ${partition}`);
      return log.records();
    },
    injectFault: (fault) => cluster.faults.add(fault),
    clearFaults: () => cluster.faults.clear(),
    pendingFaults: () => cluster.faults.pending,
    wipe: () => cluster.wipe(),
    connectionCount: () => nodes.reduce((sum, node) => sum + node.connectionCount, 0),
    close() {
      closing ??= (async () => {
        cluster.faults.clear();
        cluster.close();
        await Promise.all(nodes.map((node) => node.kill()));
      })();
      return closing;
    },
  };
  return { cluster, nodes, controls };
}

/**
 * Starts one broker on `host:port` (a free port on 127.0.0.1 by default) that leads every
 * partition and coordinates every group.
 */
export async function startKafkaTestBroker(options: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
  const brokerId = options.brokerId ?? 1;
  if (!Number.isInteger(brokerId) || brokerId < 0) throw new TypeError(`brokerId must be >= 0, got ${brokerId}`);
  const { cluster, nodes, controls } = await startNodes(1, brokerId, [options.port ?? 0], options);
  const node = nodes[0] as BrokerNode;
  return {
    ...controls,
    host: node.host,
    port: node.port,
    brokerId,
    get online() {
      return node.online;
    },
    kill: () => node.kill(),
    async restart(restartOptions = {}) {
      await node.kill();
      if (restartOptions.keepData === false) cluster.wipe();
      await node.restart();
    },
  };
}

/**
 * Starts several brokers, each on its own port, sharing one cluster: partitions are led by
 * different brokers, groups coordinated by one of them, and leadership moves when a broker is
 * killed (see `broker/cluster-state.ts` for the replication model).
 */
export async function startKafkaTestCluster(options: KafkaTestClusterOptions = {}): Promise<KafkaTestCluster> {
  const brokerCount = positiveInteger('brokerCount', options.brokerCount ?? 3);
  const firstBrokerId = options.firstBrokerId ?? 1;
  if (!Number.isInteger(firstBrokerId) || firstBrokerId < 0) {
    throw new TypeError(`firstBrokerId must be >= 0, got ${firstBrokerId}`);
  }
  const { cluster, nodes, controls } = await startNodes(brokerCount, firstBrokerId, options.ports ?? [], options);
  return {
    ...controls,
    nodes,
    node(brokerId) {
      const found = nodes.find((node) => node.brokerId === brokerId);
      if (found === undefined) throw new TypeError(`no broker ${brokerId}`);
      return found;
    },
    leaderOf(topic, partition) {
      if (cluster.topics.partition(topic, partition) === undefined) throw new TypeError(`no partition ${topic}/${partition}`);
      return cluster.leaderOf(partition);
    },
    coordinatorOf: (groupId) => cluster.coordinatorOf(groupId)?.nodeId ?? -1,
  };
}
