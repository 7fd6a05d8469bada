/**
 * The side-by-side federation benchmark (issue 9): the same fixture subgraphs, the same queries,
 * the same load generator, fixed connections and duration, a warm-up, then rounds interleaved
 * A B C A B C so that drift on a shared machine hits every gateway alike. Every gateway runs in its
 * own child process on 127.0.0.1, port 0, and must return the expected data before it is measured.
 * Our "full security on" row is driven through the member-state port (mutual TLS, signed requests)
 * by the signed load generator; every other row by the same autocannon loop over plain HTTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { composeSupergraph } from '../../gateway/federation/compose-supergraph.js';
import { EXAMPLE_OPERATIONS } from '../../gateway/http/explorer/example-operations.js';
import { DEEP_QUERY, FEDERATION_CASES, SIMPLE_QUERY, expectedDeepQueryData } from '../../test/fixtures/federation/cases.js';
import type { FixtureSubgraphEndpoint } from '../../test/fixtures/federation/serve.js';
import { ChildServer, repoRoot, type ChildSpec } from './gateway-process.js';
import { BENCH_HEADERS, runLoad, type LoadOptions, type LoadResult } from './load-generator.js';
import { memberClientFromDemoPki, SignedLoadGenerator, type SignedClientCost } from './signed-load-generator.js';

// --- what is measured -------------------------------------------------------------------------

export type ScenarioId = 'simple' | 'deep' | 'budget-vs-spend';

export interface Scenario {
  readonly id: ScenarioId;
  readonly label: string;
  /** The JSON request body sent by every connection. */
  readonly body: string;
  /** Throws with a reason when a gateway's answer is not the expected one. */
  readonly verify: (response: { data?: unknown; errors?: unknown }) => void;
}

function expectData(expected: unknown): Scenario['verify'] {
  return (response) => {
    if (response.errors !== undefined) throw new Error(`answered with errors: ${JSON.stringify(response.errors).slice(0, 500)}`);
    if (!isDeepStrictEqual(response.data, expected)) throw new Error('answered with data that differs from the expected data');
  };
}

const simpleExpected = FEDERATION_CASES.find((c) => c.query === SIMPLE_QUERY)?.expectedData;

export const FIXTURE_SCENARIOS: readonly Scenario[] = [
  { id: 'simple', label: 'simple (1 subgraph)', body: JSON.stringify({ query: SIMPLE_QUERY }), verify: expectData(simpleExpected) },
  { id: 'deep', label: 'deep (7 levels, 4 subgraphs)', body: JSON.stringify({ query: DEEP_QUERY }), verify: expectData(expectedDeepQueryData()) },
];

const budgetVsSpend = EXAMPLE_OPERATIONS[0];
if (budgetVsSpend === undefined) throw new Error('the explorer has no budget-vs-spend example');

/** The explorer's first example: a Mawared entity beside its government-cloud tenants and spend. */
export const BUDGET_VS_SPEND_SCENARIO: Scenario = {
  id: 'budget-vs-spend',
  label: 'budget-vs-spend join (adapters + sandboxes)',
  body: JSON.stringify({ query: budgetVsSpend.query }),
  verify: (response) => {
    if (response.errors !== undefined) throw new Error(`answered with errors: ${JSON.stringify(response.errors).slice(0, 500)}`);
    const entity = (response.data as { governmentEntity?: { code?: string; cloudTenants?: unknown[]; cloudSpend?: { totalQar?: unknown } } } | undefined)?.governmentEntity;
    if (entity?.code !== 'MOF' || (entity.cloudTenants?.length ?? 0) === 0 || typeof entity.cloudSpend?.totalQar !== 'number') {
      throw new Error(`answered without the joined entity: ${JSON.stringify(response.data).slice(0, 500)}`);
    }
  },
};

// --- who is measured ----------------------------------------------------------------------------

export type GatewayId =
  | 'gccgw'
  | 'gccgw-no-dedupe'
  | 'gccgw-full-security'
  | 'gccgw-full-security-evidence-batch'
  | 'gccgw-evidence-sync'
  | 'apollo-gateway'
  | 'hive-gateway'
  | 'hive-gateway-no-dedupe'
  | 'gccgw-embedded'
  | 'gccgw-embedded-evidence-sync';

/** An issue's target for one of our rows, against the best peer on the same query (issue 9). */
export interface PeerTarget {
  /** Our requests/s over the best peer's must be at least this. */
  readonly minThroughputRatio: number;
  /** Our p99 must be no worse than the best peer's. */
  readonly p99NoWorse: boolean;
  /** Our gateway CPU per request must be below every peer's. */
  readonly cpuBelowEveryPeer: boolean;
}

export interface GatewayDefinition {
  readonly id: GatewayId;
  readonly label: string;
  readonly ours: boolean;
  /** Defaults and optimisations that matter for reading the figures. */
  readonly notes: string;
  readonly target?: PeerTarget;
}

export const GATEWAYS: Readonly<Record<GatewayId, GatewayDefinition>> = {
  gccgw: {
    id: 'gccgw',
    label: 'gccgw, security off',
    ours: true,
    notes:
      'gccgw start --supergraph; plain-HTTP demo port (acts as the demo client: policy applies, no TLS, no signatures); evidence log off (GCCGW_AUDIT__ENABLED=false); metrics on; defaults, which include sharing identical in-flight subgraph queries of one caller and purpose',
    target: { minThroughputRatio: 1.3, p99NoWorse: false, cpuBelowEveryPeer: true },
  },
  'gccgw-no-dedupe': {
    id: 'gccgw-no-dedupe',
    label: 'gccgw, security off, no dedupe',
    ours: true,
    notes: 'as "security off" with subgraphs.defaults.deduplicateInflightQueries: false (every request makes its own subgraph calls)',
  },
  'gccgw-full-security': {
    id: 'gccgw-full-security',
    label: 'gccgw, full security on',
    ours: true,
    notes:
      'the same gateway on its member-state port: mutual TLS (client chain validated against the trust list, revocation via the in-process demo OCSP/CRL), signed requests (detached JWS, nonce replay cache), purpose, access policy, limits, signed responses, evidence log on (sync); driven by the signed load generator as the demo PKI\'s first QA agency, each request signed once (pre-signed before the clock), 1 in 50 response signatures verified after the clock',
    target: { minThroughputRatio: 1.0, p99NoWorse: true, cpuBelowEveryPeer: false },
  },
  'gccgw-full-security-evidence-batch': {
    id: 'gccgw-full-security-evidence-batch',
    label: 'gccgw, full security on, evidence log (batch)',
    ours: true,
    notes:
      'as "full security on" with the evidence log in batch durability (audit.durability: batch): a response is released once its record is sealed into the chain, and the group is written and fsynced within 50 ms, so a crash may lose that window; shows what the fsync a sync response waits for costs. Not the configuration the issue\'s target is for',
  },
  'gccgw-evidence-sync': {
    id: 'gccgw-evidence-sync',
    label: 'gccgw, evidence log (sync)',
    ours: true,
    notes: 'as above with the evidence log on, sync durability: a response waits for its record to be fsynced (group commit)',
  },
  'apollo-gateway': { id: 'apollo-gateway', label: 'Apollo Gateway', ours: false, notes: '@apollo/gateway in @apollo/server standalone; defaults; telemetry and reporting disabled' },
  'hive-gateway': {
    id: 'hive-gateway',
    label: 'Hive Gateway',
    ours: false,
    notes: '@graphql-hive/gateway-runtime on node:http; defaults, which include de-duplication of identical in-flight subgraph requests',
  },
  'hive-gateway-no-dedupe': {
    id: 'hive-gateway-no-dedupe',
    label: 'Hive Gateway, no dedupe',
    ours: false,
    notes: 'Hive Gateway with deduplicateInflightRequests: false on the subgraph transport',
  },
  'gccgw-embedded': { id: 'gccgw-embedded', label: 'gccgw embedded, security off', ours: true, notes: 'gccgw start (embedded: adapters in-process, sandboxes over HTTP); evidence log off' },
  'gccgw-embedded-evidence-sync': {
    id: 'gccgw-embedded-evidence-sync',
    label: 'gccgw embedded, evidence log (sync)',
    ours: true,
    notes: 'embedded mode with the evidence log on, sync durability',
  },
};

export const PEER_GATEWAYS: readonly GatewayId[] = ['apollo-gateway', 'hive-gateway', 'hive-gateway-no-dedupe'];

const GCCGW_URL = /GraphQL\s+(http:\/\/\S+\/graphql)/;
/** The member-state port's URL in the banner (printed under "Member-state port"). */
const GCCGW_MTLS_URL = /GraphQL\s+(https:\/\/\S+\/graphql)/;

/**
 * Node flags our gateway ships with (docker/Dockerfile's ENTRYPOINT and `npm start`): a larger
 * young generation, which cuts garbage-collection work on the allocation-heavy result merging
 * (see "What is left" in bench/README.md). Measured as shipped; peers run with their defaults.
 */
export const GCCGW_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** The demo PKI every gccgw child of a run shares (generated by the first one to start). */
export function benchPkiDir(workDir: string): string {
  return join(workDir, 'pki');
}

function jsonLineUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{"url":')) continue;
    try {
      return (JSON.parse(line) as { url: string }).url;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

interface SpecContext {
  readonly supergraphFile: string;
  readonly workDir: string;
  /** Node flags for our gateway (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

function gatewayDir(workDir: string, id: GatewayId): string {
  const dir = join(workDir, id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** How to start each gateway as a child process. */
export function gatewaySpec(id: GatewayId, context: SpecContext): ChildSpec {
  const root = repoRoot();
  const gccgw = (supergraph: boolean, evidence: boolean, url = GCCGW_URL, extraEnv: Record<string, string> = {}): ChildSpec => ({
    id,
    args: [...GCCGW_NODE_FLAGS, ...(context.nodeFlags ?? []), join(root, 'bin', 'gccgw.js'), 'start', ...(supergraph ? ['--supergraph', context.supergraphFile] : []), '--port', '0', '--log-level', 'warn'],
    // A working directory of its own in the run's folder: no gateway.config.yaml of the developer's
    // is picked up, and the state a gateway keeps under var/ by default (events log and outbox,
    // service-quality store, ...) is never shared between two children, which the gateway refuses.
    cwd: gatewayDir(context.workDir, id),
    env: {
      GCCGW_SUPERGRAPH__WATCH: 'false',
      GCCGW_AUDIT__ENABLED: evidence ? 'true' : 'false',
      GCCGW_AUDIT__DIR: join(context.workDir, `audit-${id}`),
      GCCGW_AUDIT__DURABILITY: 'sync',
      // One demo PKI for every run (generated on the first start), the member port on any free port,
      // and a policy that lets the demo client read the fixture under the purpose the load declares.
      GCCGW_TRUST__PKI_DIR: benchPkiDir(context.workDir),
      GCCGW_ACCESS__MTLS__HOST: '127.0.0.1',
      GCCGW_ACCESS__MTLS__PORT: '0',
      GCCGW_ACCESS__POLICY_FILE: join(root, 'test', 'fixtures', 'federation', 'access-policy.yaml'),
      GCCGW_ACCESS__LIMITS__MAX_COST: '100000000',
      // The signed caller context to remote subgraphs is part of "security on" only.
      GCCGW_SUBGRAPHS__SIGN_CONTEXT: url === GCCGW_MTLS_URL ? 'true' : 'false',
      ...extraEnv,
    },
    ready: (output) => url.exec(output)?.[1],
  });
  const peer = (args: string[], env: Record<string, string> = {}): ChildSpec => ({
    id,
    args: [join(root, 'dist', 'bench', 'federation', 'peer-gateway-server.js'), ...args],
    cwd: context.workDir,
    env,
    ready: jsonLineUrl,
  });
  switch (id) {
    case 'gccgw':
      return gccgw(true, false);
    case 'gccgw-no-dedupe':
      return gccgw(true, false, GCCGW_URL, { GCCGW_SUBGRAPHS__DEFAULTS__DEDUPLICATE_INFLIGHT_QUERIES: 'false' });
    case 'gccgw-evidence-sync':
      return gccgw(true, true);
    case 'gccgw-full-security':
      return gccgw(true, true, GCCGW_MTLS_URL);
    case 'gccgw-full-security-evidence-batch':
      return gccgw(true, true, GCCGW_MTLS_URL, { GCCGW_AUDIT__DURABILITY: 'batch' });
    case 'gccgw-embedded':
      return gccgw(false, false);
    case 'gccgw-embedded-evidence-sync':
      return gccgw(false, true);
    case 'apollo-gateway':
      return peer(['apollo', context.supergraphFile], { APOLLO_TELEMETRY_DISABLED: '1' });
    case 'hive-gateway':
      return peer(['hive', context.supergraphFile]);
    case 'hive-gateway-no-dedupe':
      return peer(['hive', context.supergraphFile, '--no-dedupe']);
  }
}

/** Writes the supergraph every gateway of the run serves: the fixture composed once, with its URLs. */
export function writeFixtureSupergraph(subgraphs: readonly FixtureSubgraphEndpoint[], workDir: string): string {
  const file = join(workDir, 'supergraph.graphql');
  mkdirSync(workDir, { recursive: true });
  writeFileSync(file, composeSupergraph(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs }))));
  return file;
}

// --- running ------------------------------------------------------------------------------------

/** How load reaches a target: plain HTTP by default, or signed requests over mutual TLS. */
export interface LoadDriver {
  /** One request, to check the answer before measuring. */
  check(body: string): Promise<{ data?: unknown; errors?: unknown }>;
  /**
   * Gets a run ready (e.g. signs its requests) and returns the function that starts its clock: the
   * harness reads CPU times between the two, so preparation is charged to no one.
   */
  prepare(options: Omit<LoadOptions, 'url'> & { readonly scenario: Scenario }): Promise<() => Promise<LoadResult & { readonly client?: SignedClientCost }>>;
}

/** The driver of every row but ours with full security: autocannon over plain HTTP. */
export function plainHttpDriver(url: string): LoadDriver {
  return {
    check: (body) => postOnce(url, body),
    prepare: async (options) => () => runLoad({ ...options, url }),
  };
}

/** The driver of the full-security row: the signed load generator as the demo PKI's first QA agency. */
export async function memberPortDriver(url: string, pkiDir: string): Promise<LoadDriver & { readonly generator: SignedLoadGenerator }> {
  const generator = new SignedLoadGenerator({ url, member: await memberClientFromDemoPki(pkiDir) });
  return {
    generator,
    check: (body) => generator.check(body),
    prepare: (options) => generator.prepare({ ...options, verifyAnswer: options.scenario.verify }),
  };
}

/** Something that answers GraphQL at a URL: a gateway child, or a subgraph called directly. */
export interface Target {
  readonly id: string;
  readonly label: string;
  readonly ours: boolean;
  readonly url: string;
  /** The process whose CPU and memory are the target's own (absent: not measured). */
  readonly process: ChildServer | undefined;
  readonly scenarios: readonly ScenarioId[];
  /** @default plainHttpDriver(url) */
  readonly driver?: LoadDriver;
}

export interface LoadShape {
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  /** Each measured run sends exactly this many requests instead of running for a duration (smoke tests). */
  readonly requestsPerRun?: number;
}

export interface Measurement {
  readonly target: string;
  readonly scenario: ScenarioId;
  readonly round: number;
  readonly load: LoadResult;
  /** Gateway CPU (user + system) per request, in milliseconds. */
  readonly cpuMillisPerRequest: number | undefined;
  /** CPU of the fixture subgraphs per gateway request, in milliseconds (shows de-duplication). */
  readonly subgraphCpuMillisPerRequest: number | undefined;
  /** CPU of the load generator per request, in milliseconds (shows the client was not the bottleneck). */
  readonly clientCpuMillisPerRequest: number | undefined;
  /** What the signed load generator spent (signing before the clock, verifying after it). */
  readonly signedClient?: SignedClientCost;
}

export interface Row {
  readonly target: string;
  readonly label: string;
  readonly ours: boolean;
  readonly scenario: ScenarioId;
  /** Medians over the rounds. */
  readonly requestsPerSecond: number;
  readonly latencyMillis: { readonly p50: number; readonly p95: number; readonly p99: number };
  readonly cpuMillisPerRequest: number | undefined;
  readonly subgraphCpuMillisPerRequest: number | undefined;
  readonly clientCpuMillisPerRequest: number | undefined;
  /** Signed rows: client cost per request, medians over rounds (signing is made before the clock, never charged to the gateway). */
  readonly signedClient?: { readonly signMicros: number; readonly verifyMicros: number; readonly signedDuringRun: number; readonly verifiedResponses: number };
  /** Peak RSS of the target's process over the whole run. */
  readonly peakRssBytes: number | undefined;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly rounds: readonly number[];
}

export interface Skipped {
  readonly target: string;
  readonly scenario: ScenarioId | undefined;
  readonly reason: string;
}

export interface RunOutcome {
  readonly rows: Row[];
  readonly measurements: Measurement[];
  readonly skipped: Skipped[];
}

async function postOnce(url: string, body: string): Promise<{ data?: unknown; errors?: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { ...BENCH_HEADERS }, body });
  const text = await response.text();
  try {
    return JSON.parse(text) as { data?: unknown; errors?: unknown };
  } catch {
    throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function medianOrUndefined(values: ReadonlyArray<number | undefined>): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === values.length && defined.length > 0 ? median(defined) : undefined;
}

/**
 * Verifies every target's answer to each of its scenarios, warms each up, then measures in rounds:
 * for each round, for each scenario, each target in turn (A B C A B C).
 */
export async function measureInterleaved(options: {
  readonly targets: readonly Target[];
  readonly scenarios: readonly Scenario[];
  readonly shape: LoadShape;
  /** The fixture subgraphs' process, to charge subgraph CPU per request. */
  readonly subgraphProcess?: ChildServer | undefined;
  readonly log: (line: string) => void;
}): Promise<RunOutcome> {
  const { shape, log } = options;
  const skipped: Skipped[] = [];
  const ready = new Map<string, Set<ScenarioId>>();
  for (const target of options.targets) {
    const ok = new Set<ScenarioId>();
    for (const scenario of options.scenarios) {
      if (!target.scenarios.includes(scenario.id)) continue;
      try {
        scenario.verify(await driverOf(target).check(scenario.body));
        ok.add(scenario.id);
      } catch (error) {
        const reason = `wrong answer, not measured: ${(error as Error).message}`;
        skipped.push({ target: target.id, scenario: scenario.id, reason });
        log(`  ${target.label} / ${scenario.id}: ${reason}`);
      }
    }
    ready.set(target.id, ok);
  }
  const runs = (scenario: Scenario): Target[] => options.targets.filter((t) => ready.get(t.id)?.has(scenario.id) === true);

  if (shape.warmupSeconds > 0) {
    for (const scenario of options.scenarios) {
      for (const target of runs(scenario)) {
        log(`  warm-up ${target.label} / ${scenario.id} (${shape.warmupSeconds} s)`);
        const start = await driverOf(target).prepare({ scenario, body: scenario.body, connections: shape.connections, durationSeconds: shape.warmupSeconds });
        await start();
      }
    }
  }

  const measurements: Measurement[] = [];
  for (let round = 1; round <= shape.rounds; round++) {
    for (const scenario of options.scenarios) {
      for (const target of runs(scenario)) {
        const start = await driverOf(target).prepare({ scenario, body: scenario.body, connections: shape.connections, durationSeconds: shape.durationSeconds, requests: shape.requestsPerRun });
        const cpuBefore = target.process?.cpuMillis();
        const subgraphCpuBefore = options.subgraphProcess?.cpuMillis();
        const load = await start();
        const cpuAfter = target.process?.cpuMillis();
        const subgraphCpuAfter = options.subgraphProcess?.cpuMillis();
        const perRequest = (before: number | undefined, after: number | undefined): number | undefined =>
          before !== undefined && after !== undefined && load.requests > 0 ? (after - before) / load.requests : undefined;
        measurements.push({
          target: target.id,
          scenario: scenario.id,
          round,
          load,
          cpuMillisPerRequest: perRequest(cpuBefore, cpuAfter),
          subgraphCpuMillisPerRequest: target.id === 'subgraph-direct' ? undefined : perRequest(subgraphCpuBefore, subgraphCpuAfter),
          clientCpuMillisPerRequest: load.requests > 0 ? load.clientCpuMillis / load.requests : undefined,
          ...(load.client !== undefined ? { signedClient: load.client } : {}),
        });
        log(
          `  round ${round}/${shape.rounds} ${scenario.id.padEnd(15)} ${target.label.padEnd(36)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${load.latencyMillis.p99.toFixed(1)} ms${load.non2xx + load.errors > 0 ? `  (${load.non2xx} non-2xx, ${load.errors} errors)` : ''}`,
        );
      }
    }
  }

  const rows: Row[] = [];
  for (const scenario of options.scenarios) {
    for (const target of runs(scenario)) {
      const mine = measurements.filter((m) => m.target === target.id && m.scenario === scenario.id);
      rows.push({
        target: target.id,
        label: target.label,
        ours: target.ours,
        scenario: scenario.id,
        requestsPerSecond: median(mine.map((m) => m.load.requestsPerSecond)),
        latencyMillis: {
          p50: median(mine.map((m) => m.load.latencyMillis.p50)),
          p95: median(mine.map((m) => m.load.latencyMillis.p95)),
          p99: median(mine.map((m) => m.load.latencyMillis.p99)),
        },
        cpuMillisPerRequest: medianOrUndefined(mine.map((m) => m.cpuMillisPerRequest)),
        subgraphCpuMillisPerRequest: medianOrUndefined(mine.map((m) => m.subgraphCpuMillisPerRequest)),
        clientCpuMillisPerRequest: medianOrUndefined(mine.map((m) => m.clientCpuMillisPerRequest)),
        ...signedClientOf(mine),
        peakRssBytes: target.process?.peakRssBytes(),
        requests: mine.reduce((sum, m) => sum + m.load.requests, 0),
        non2xx: mine.reduce((sum, m) => sum + m.load.non2xx, 0),
        errors: mine.reduce((sum, m) => sum + m.load.errors, 0),
        rounds: mine.map((m) => m.load.requestsPerSecond),
      });
    }
  }
  return { rows, measurements, skipped };
}

function driverOf(target: Target): LoadDriver {
  return target.driver ?? plainHttpDriver(target.url);
}

function signedClientOf(measurements: readonly Measurement[]): Pick<Row, 'signedClient'> {
  const costs = measurements.map((m) => m.signedClient).filter((c): c is SignedClientCost => c !== undefined);
  if (costs.length === 0) return {};
  return {
    signedClient: {
      signMicros: median(costs.map((c) => c.signMicros)),
      verifyMicros: median(costs.map((c) => c.verifyMicros)),
      signedDuringRun: costs.reduce((sum, c) => sum + c.signedDuringRun, 0),
      verifiedResponses: costs.reduce((sum, c) => sum + c.verifiedResponses, 0),
    },
  };
}

/** Starts the listed gateways (one child each), measures them, and stops them. */
export async function withGateways<T>(
  ids: readonly GatewayId[],
  context: SpecContext,
  log: (line: string) => void,
  body: (started: Array<{ id: GatewayId; server: ChildServer }>, failed: Skipped[]) => Promise<T>,
): Promise<T> {
  const started: Array<{ id: GatewayId; server: ChildServer }> = [];
  const failed: Skipped[] = [];
  try {
    for (const id of ids) {
      try {
        const server = await ChildServer.start(gatewaySpec(id, context));
        log(`  started ${GATEWAYS[id].label} (pid ${server.pid}) at ${server.announced}`);
        started.push({ id, server });
      } catch (error) {
        const reason = `did not start: ${(error as Error).message.split('\n')[0] ?? ''}`;
        log(`  ${GATEWAYS[id].label}: ${reason}`);
        failed.push({ target: id, scenario: undefined, reason });
      }
    }
    return await body(started, failed);
  } finally {
    await Promise.all(started.map(({ server }) => server.stop()));
  }
}

/** Whether a gateway is measured on its member-state port (mutual TLS, signed requests) by the signed load generator. */
export function isMemberPortGateway(id: GatewayId): boolean {
  return id === 'gccgw-full-security' || id === 'gccgw-full-security-evidence-batch';
}

/** The started gateways as targets; the full-security ones are driven through their member port as a QA agency of the run's demo PKI. */
export async function gatewayTargets(started: ReadonlyArray<{ id: GatewayId; server: ChildServer }>, scenarios: readonly ScenarioId[], context: Pick<SpecContext, 'workDir'>): Promise<Target[]> {
  const targets: Target[] = [];
  for (const { id, server } of started) {
    const target: Target = { id, label: GATEWAYS[id].label, ours: GATEWAYS[id].ours, url: server.announced, process: server, scenarios };
    targets.push(isMemberPortGateway(id) ? { ...target, driver: await memberPortDriver(server.announced, benchPkiDir(context.workDir)) } : target);
  }
  return targets;
}
