/**
 * `npm run bench`: this gateway beside Apollo Gateway and Hive Gateway on the fixture subgraphs,
 * then the end-to-end budget-vs-spend join through our real adapters and sandboxes, then the
 * component benchmarks (evidence log, trust, events; `component-benchmarks.ts`). Prints tables
 * and ratios; writes JSON with machine information to bench/results/.
 *
 *   npm run bench                      full run (about 12 minutes on 2 cores)
 *   npm run bench -- --quick           smoke run (about a minute)
 *   npm run bench -- --profile         CPU profile of this gateway during a DEEP_QUERY run
 *                                      (--query simple profiles SIMPLE_QUERY instead;
 *                                      --profile-gateway gccgw-full-security profiles the member
 *                                      port under signed load instead of security off)
 *   options: --gateways gccgw,apollo-gateway  --connections N  --duration S  --rounds N
 *            --warmup S  --no-e2e  --no-components  --no-save
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FixtureSubgraphEndpoint } from '../../test/fixtures/federation/serve.js';
import { COMPONENT_BENCHMARKS, runComponentBenchmark, type ComponentOutcome } from '../component-benchmarks.js';
import { ratioToTarget } from '../component-result.js';
import { formatReport, machineInfo, pipelineCost, ratios, targetsAgainstBestPeer } from './bench-report.js';
import { formatProfileSummary, summariseCpuProfile, type ProfileStage } from './cpu-profile-summary.js';
import { ChildServer, repoRoot } from './gateway-process.js';
import {
  BUDGET_VS_SPEND_SCENARIO,
  FIXTURE_SCENARIOS,
  GATEWAYS,
  gatewaySpec,
  gatewayTargets,
  measureInterleaved,
  benchPkiDir,
  memberPortDriver,
  plainHttpDriver,
  withGateways,
  writeFixtureSupergraph,
  type GatewayId,
  type LoadShape,
  type Row,
  type Skipped,
  type Target,
} from './run-federation-bench.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    query: { type: 'string', default: 'deep' },
    'profile-gateway': { type: 'string', default: 'gccgw' },
    gateways: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    'no-e2e': { type: 'boolean', default: false },
    'no-components': { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
  },
});

const FIXTURE_GATEWAYS: GatewayId[] = ['gccgw', 'gccgw-no-dedupe', 'gccgw-full-security', 'gccgw-full-security-evidence-batch', 'gccgw-evidence-sync', 'apollo-gateway', 'hive-gateway', 'hive-gateway-no-dedupe'];
const E2E_GATEWAYS: GatewayId[] = ['gccgw-embedded', 'gccgw-embedded-evidence-sync'];

/**
 * The parts of a request the profile summary reports inclusive time for (the security ones are
 * absent from a security-off profile). Response signing ends in jose's WebCrypto call, which runs
 * as a microtask of its own, hence `createSignature` beside `signHttpResponse`.
 */
const PROFILE_STAGES: readonly ProfileStage[] = [
  { name: 'mTLS client identity (identifyTlsClient)', frame: /^identifyTlsClient / },
  { name: 'request signature verification (verifyHttpRequest)', frame: /^verifyHttpRequest / },
  { name: 'response signing (signHttpResponse + jose createSignature)', frame: /^(signHttpResponse|createSignature) / },
  { name: 'evidence log (gateway/audit)', frame: /\/dist\/gateway\/audit\// },
  { name: 'access policy and limits (gateway/access policy, limits, access-control)', frame: /\/dist\/gateway\/access\/(policy|limits|access-control)/ },
  { name: 'Apollo Server request pipeline (processGraphQLRequest)', frame: /^processGraphQLRequest / },
  { name: 'federation execution (supergraph executor)', frame: /^executor .*\/gateway\/federation\/supergraph-gateway/ },
  { name: 'socket writes (writev: TLS and plain)', frame: /^writev $/ },
  { name: 'garbage collection', frame: /^\(garbage collector\) / },
];

function numberFlag(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`expected a positive number, got ${value}`);
  return n;
}

const shape: LoadShape = {
  connections: numberFlag(flags.connections, 20),
  warmupSeconds: numberFlag(flags.warmup, flags.quick ? 1 : 3),
  durationSeconds: numberFlag(flags.duration, flags.quick ? 2 : flags.profile ? 15 : 10),
  rounds: numberFlag(flags.rounds, flags.quick || flags.profile ? 1 : 3),
};
const selected = flags.gateways?.split(',').map((s) => s.trim()) ?? FIXTURE_GATEWAYS;
for (const id of selected) if (!(id in GATEWAYS)) throw new TypeError(`unknown gateway ${id}; known: ${Object.keys(GATEWAYS).join(', ')}`);

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const machine = machineInfo();
const workDir = mkdtempSync(join(tmpdir(), 'gccgw-bench-'));
const stamp = new Date().toISOString().replace(/[:.]/g, '').replace(/\d{3}Z$/, 'Z');

log(`bench: work dir ${workDir}; load average ${machine.loadAverageAtStart.join(' ')}`);
const fixtures = await ChildServer.start({
  id: 'fixture-subgraphs',
  args: [join(repoRoot(), 'dist', 'bench', 'federation', 'fixture-subgraphs-server.js')],
  cwd: workDir,
  ready: (output) => output.split('\n').find((line) => line.startsWith('{"subgraphs":')),
});
const subgraphs = (JSON.parse(fixtures.announced) as { subgraphs: FixtureSubgraphEndpoint[] }).subgraphs;
const supergraphFile = writeFixtureSupergraph(subgraphs, workDir);
log(`bench: fixture subgraphs (pid ${fixtures.pid}): ${subgraphs.map((s) => `${s.name} ${s.url}`).join(', ')}`);

try {
  if (flags.profile) await profile();
  else await compare();
} finally {
  await fixtures.stop();
}
if (flags.profile) log(`bench: the raw profile is kept in ${workDir}/cpu-profile (open it in Chrome DevTools)`);
else rmSync(workDir, { recursive: true, force: true });

async function compare(): Promise<void> {
  const rows: Row[] = [];
  const skipped: Skipped[] = [];
  const labels: Record<string, string> = Object.fromEntries(Object.values(GATEWAYS).map((g) => [g.id, g.label]));
  labels['subgraph-direct'] = 'products subgraph, called directly';

  log('bench: fixture subgraphs, gateways interleaved');
  await withGateways(selected as GatewayId[], { supergraphFile, workDir }, log, async (started, failed) => {
    skipped.push(...failed);
    const products = subgraphs.find((s) => s.name === 'products');
    const direct: Target[] =
      products !== undefined
        ? [{ id: 'subgraph-direct', label: labels['subgraph-direct'] ?? 'subgraph', ours: false, url: products.url, process: fixtures, scenarios: ['simple'] }]
        : [];
    const outcome = await measureInterleaved({
      targets: [...(await gatewayTargets(started, ['simple', 'deep'], { workDir })), ...direct],
      scenarios: FIXTURE_SCENARIOS,
      shape,
      subgraphProcess: fixtures,
      log,
    });
    rows.push(...outcome.rows);
    skipped.push(...outcome.skipped);
  });

  if (!flags['no-e2e']) {
    log('bench: end to end through the adapters and their sandboxes (embedded mode)');
    await withGateways(E2E_GATEWAYS, { supergraphFile, workDir }, log, async (started, failed) => {
      skipped.push(...failed);
      const outcome = await measureInterleaved({ targets: await gatewayTargets(started, ['budget-vs-spend'], { workDir }), scenarios: [BUDGET_VS_SPEND_SCENARIO], shape, log });
      rows.push(...outcome.rows);
      skipped.push(...outcome.skipped);
    });
  }

  let components: ComponentOutcome[] | undefined;
  if (!flags['no-components'] && !flags.quick) {
    components = [];
    for (const benchmark of COMPONENT_BENCHMARKS) {
      log(`bench: component benchmark: ${benchmark.name}`);
      const outcome = await runComponentBenchmark(benchmark, { root: repoRoot(), log });
      if (outcome.status === 'failed') log(`bench: ${benchmark.name}: not measured: ${outcome.reason}`);
      components.push(outcome);
    }
  }

  const finished = { ...machine, loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) };
  const report = formatReport({ rows, skipped, shape, machine: finished, labels, ...(components !== undefined ? { components } : {}) });
  process.stdout.write(`\n${report}\n`);
  if (!flags['no-save']) {
    const dir = join(repoRoot(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `federation-${stamp}${flags.quick ? '-quick' : ''}.json`);
    const round = (n: number | undefined, digits = 2): number | null => (n === undefined || Number.isNaN(n) ? null : Number(n.toFixed(digits)));
    const result = {
      benchmark: 'federation side by side (issue 9)',
      startedAt: stamp,
      mode: flags.quick ? 'quick' : 'full',
      shape,
      machine: finished,
      note: 'Shared 2-core machine: figures move by about 20% between runs; only ratios within one run count.',
      gateways: Object.fromEntries(Object.values(GATEWAYS).map((g) => [g.id, { label: g.label, ours: g.ours, notes: g.notes }])),
      rows: rows.map((row) => ({
        ...row,
        requestsPerSecond: round(row.requestsPerSecond, 1),
        latencyMillis: { p50: round(row.latencyMillis.p50), p95: round(row.latencyMillis.p95), p99: round(row.latencyMillis.p99) },
        cpuMillisPerRequest: round(row.cpuMillisPerRequest, 3),
        subgraphCpuMillisPerRequest: round(row.subgraphCpuMillisPerRequest, 3),
        clientCpuMillisPerRequest: round(row.clientCpuMillisPerRequest, 3),
        ...(row.signedClient !== undefined
          ? { signedClient: { ...row.signedClient, signMicros: round(row.signedClient.signMicros, 1), verifyMicros: round(row.signedClient.verifyMicros, 1) } }
          : {}),
        rounds: row.rounds.map((r) => round(r, 1)),
      })),
      ratios: ratios(rows).map((r) => ({ ...r, throughput: round(r.throughput, 3), p99: round(r.p99, 3), cpuPerRequest: round(r.cpuPerRequest, 3) })),
      againstBestPeer: targetsAgainstBestPeer(rows).map((t) => ({ ...t, throughput: round(t.throughput, 3), p99: round(t.p99, 3), cpuPerRequest: round(t.cpuPerRequest, 3) })),
      pipelineCost: pipelineCost(rows).map((c) => ({ ...c, throughput: round(c.throughput, 3), p99: round(c.p99, 3), cpuPerRequest: round(c.cpuPerRequest, 3) })),
      notMeasured: skipped,
      componentBenchmarks:
        components?.map((c) => (c.status === 'measured' ? { ...c, figures: c.figures.map((f) => ({ ...f, value: round(f.value, 3), ...(f.target !== undefined ? { ratioToTarget: round(ratioToTarget(f), 3) } : {}) })) } : c)) ??
        COMPONENT_BENCHMARKS.map((c) => ({ name: c.name, command: c.command, status: flags.quick ? 'not run (--quick)' : 'not run (--no-components)' })),
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`bench: results written to ${file}`);
  }
}

/** Our gateway under --cpu-prof while it serves one query (security off, or full security on through its member port); prints where the time goes. */
async function profile(): Promise<void> {
  const profileDir = join(workDir, 'cpu-profile');
  const scenario = FIXTURE_SCENARIOS.find((s) => s.id === flags.query);
  if (scenario === undefined) throw new Error(`--query must be one of ${FIXTURE_SCENARIOS.map((s) => s.id).join(', ')}`);
  const id = flags['profile-gateway'] as GatewayId;
  if (id !== 'gccgw' && id !== 'gccgw-full-security') throw new TypeError('--profile-gateway must be gccgw or gccgw-full-security');
  const gateway = await ChildServer.start(gatewaySpec(id, { supergraphFile, workDir, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }));
  let load;
  let loadEnded = performance.now();
  try {
    const driver = id === 'gccgw-full-security' ? await memberPortDriver(gateway.announced, benchPkiDir(workDir)) : plainHttpDriver(gateway.announced);
    scenario.verify(await driver.check(scenario.body));
    log(`bench: warm-up ${shape.warmupSeconds} s, then the ${scenario.id} query for ${shape.durationSeconds} s on ${GATEWAYS[id].label} under --cpu-prof`);
    await (await driver.prepare({ scenario, body: scenario.body, connections: shape.connections, durationSeconds: shape.warmupSeconds }))();
    load = await (await driver.prepare({ scenario, body: scenario.body, connections: shape.connections, durationSeconds: shape.durationSeconds }))();
  } finally {
    loadEnded = performance.now();
    await gateway.stop();
  }
  // The profile ends when the gateway exits: its last (load + stop) seconds are the measured load.
  const window = shape.durationSeconds + (performance.now() - loadEnded) / 1000;
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  const file = files[0];
  if (file === undefined) throw new Error(`no profile was written to ${profileDir} (did the gateway exit cleanly?)`);
  const summary = summariseCpuProfile(join(profileDir, file), { lastSeconds: window, stages: PROFILE_STAGES });
  process.stdout.write(
    `\n${GATEWAYS[id].label}, ${scenario.id} query under --cpu-prof: ${load.requestsPerSecond.toFixed(0)} req/s (profiling slows it down); the last ${window.toFixed(1)} s of the profile (the measured load and the stop), without start-up\n${formatProfileSummary(summary)}\n`,
  );
  if (!flags['no-save']) {
    const name = id === 'gccgw' ? `profile-${scenario.id}` : `profile-${id}-${scenario.id}`;
    const out = join(repoRoot(), 'bench', 'results', `${name}-${stamp}.json`);
    writeFileSync(
      out,
      `${JSON.stringify({ benchmark: `cpu profile of ${GATEWAYS[id].label} during the ${scenario.id} query`, gateway: id, startedAt: stamp, shape, machine, requestsPerSecond: Math.round(load.requestsPerSecond), ...summary }, null, 2)}\n`,
    );
    log(`bench: profile summary written to ${out}`);
  }
}
