import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { FaultSettings } from './fault-injection.js';

/** A server this process started: a sandbox upstream or a standalone subgraph. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LocalizedText {
  readonly en: string;
  readonly ar: string;
}

export interface SandboxOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  readonly logger?: Logger;
  /** Faults to simulate from the start; they can also be changed at run time (`PUT /__sandbox/faults`). */
  readonly faults?: Partial<FaultSettings>;
}

/** A domain event an adapter reports, e.g. a provisioning request that completed. */
export interface AdapterEvent {
  /** CloudEvents type, e.g. `gcc.cloud.provisioning.completed.v1` (see schemas/events/). */
  readonly type: string;
  /** The entity the event is about, e.g. the provisioning request id. */
  readonly subject: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** When it happened (RFC 3339). */
  readonly time: string;
}

/**
 * Where an adapter hands its domain events for cross-border publication. The gateway's events
 * capability supplies the implementation (a durable outbox); without one, events are only logged.
 */
export interface AdapterEventSink {
  publish(event: AdapterEvent): Promise<void>;
}

export interface CreateSubgraphOptions {
  /** Base URL of the national system (or its sandbox). */
  readonly upstreamUrl: string;
  readonly upstreamTimeoutMillis: number;
  readonly logger: Logger;
  /** Receives the adapter's domain events; absent until the events capability is configured. */
  readonly events?: AdapterEventSink;
}

/** What the gateway gets from an adapter: a federated subgraph schema ready to execute. */
export interface AdapterSubgraph {
  readonly name: string;
  /** The SDL, as committed in schemas/subgraphs/<name>.graphql. */
  readonly typeDefs: string;
  readonly schema: GraphQLSchema;
  /** Resolves when the upstream national system answers; rejects with an `AdapterError` otherwise. */
  checkHealth(): Promise<void>;
  /** Stops background work (e.g. following a change feed), if the adapter does any. */
  close?(): Promise<void>;
}

/**
 * An adapter: one federated subgraph in front of one national system, with a sandbox that stands
 * in for that system on a laptop and in tests.
 */
export interface Adapter {
  readonly name: string;
  readonly title: LocalizedText;
  /** Starts the sandbox upstream (a real HTTP server speaking the national system's protocol). */
  startSandbox(options?: SandboxOptions): Promise<RunningServer>;
  createSubgraph(options: CreateSubgraphOptions): AdapterSubgraph;
}

/** Identity and request facts the gateway forwards to a subgraph, in-process or over HTTP. */
export interface SubgraphRequestContext {
  readonly requestId?: string;
  readonly clientId?: string;
  readonly purpose?: string;
  readonly traceparent?: string;
}

/** Checks the shape at run time, for adapters loaded by name. */
export function isAdapter(value: unknown): value is Adapter {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Adapter>;
  return typeof candidate.name === 'string' && typeof candidate.startSandbox === 'function' && typeof candidate.createSubgraph === 'function';
}
