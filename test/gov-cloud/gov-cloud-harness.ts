import { createSilentLogger } from '../../gateway/logging/logger.js';
import { serveSubgraph, type AdapterEvent, type RunningServer } from '../../adapters/kit/index.js';
import { createGovCloudSubgraph, startGovCloudSandbox, type GovCloudSandboxOptions } from '../../adapters/gov-cloud/index.js';

export interface GraphQLResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: ReadonlyArray<{ message: string; extensions?: { code?: string; reason?: string } }>;
}

export interface GovCloudHarness {
  readonly sandbox: RunningServer;
  readonly subgraph: RunningServer;
  /** Events the adapter handed to its event sink, in order. */
  readonly events: AdapterEvent[];
  /** POST /graphql to the subgraph; `clientId` is sent as the gateway would (x-gccgw-client-id). */
  gql(query: string, variables?: Record<string, unknown>, clientId?: string): Promise<GraphQLResult>;
  /** Calls the sandbox's own API or control endpoints. */
  sandboxFetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A gov-cloud sandbox and the gov-cloud subgraph in front of it, served over real HTTP on port 0
 * (as `gccgw adapter serve gov-cloud` does), with an in-memory event sink.
 */
export async function startGovCloudHarness(options: { sandbox?: GovCloudSandboxOptions; upstreamTimeoutMillis?: number } = {}): Promise<GovCloudHarness> {
  const sandbox = await startGovCloudSandbox({ provisioningStepMillis: 60, ...options.sandbox });
  const events: AdapterEvent[] = [];
  const subgraph = createGovCloudSubgraph({
    upstreamUrl: sandbox.url,
    upstreamTimeoutMillis: options.upstreamTimeoutMillis ?? 2_000,
    logger: createSilentLogger(),
    events: { publish: async (event) => void events.push(event) },
    minPollIntervalMillis: 10,
    maxPollIntervalMillis: 50,
    maxRetryAfterMillis: 1_000,
  });
  const server = await serveSubgraph(subgraph);
  return {
    sandbox,
    subgraph: server,
    events,
    async gql(query, variables, clientId) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(clientId !== undefined ? { 'x-gccgw-client-id': clientId } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResult;
    },
    sandboxFetch: (path, init) => fetch(`${sandbox.url}${path}`, init),
    async close() {
      await server.close();
      await sandbox.close();
    },
  };
}

export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

/** Polls until `check` returns a value, or fails after `timeoutMillis`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMillis = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
