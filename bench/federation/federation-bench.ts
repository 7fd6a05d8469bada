/**
 * `npm run bench`: this gateway beside Apollo Gateway and Hive Gateway on the fixture subgraphs,
 * then the end-to-end budget-vs-spend join through our real adapters and sandboxes. Prints a table
 * and ratios; writes JSON with machine information to bench/results/.
 *
 *   npm run bench                      full run (about 8 minutes on 2 cores)
 *   npm run bench -- --quick           smoke run (about a minute)
 *   npm run bench -- --profile         CPU profile of this gateway during a DEEP_QUERY run
 *                                      (--query simple profiles SIMPLE_QUERY instead)
 *   options: --gateways gccgw,apollo-gateway  --connections N  --duration S  --rounds N
 *            --warmup S  --no-e2e  --no-save
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FixtureSubgraphEndpoint } from '../../test/fixtures/federation/serve.js';
import { COMPONENT_BENCHMARKS, FULL_SECURITY_ROW } from '../component-benchmarks.js';
import { formatReport, machineInfo, ratios, targetsAgainstBestPeer } from './bench-report.js';
import { formatProfileSummary, summariseCpuProfile } from './cpu-profile-summary.js';
import { ChildServer, repoRoot } from './gateway-process.js';
import { BENCH_PURPOSE, runLoad } from './load-generator.js';
import {
  BUDGET_VS_SPEND_SCENARIO,
  FIXTURE_SCENARIOS,
  GATEWAYS,
  gatewaySpec,
  gatewayTargets,
  measureInterleaved,
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
    gateways: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    'no-e2e': { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
  },
});

const FIXTURE_GATEWAYS: GatewayId[] = ['gccgw', 'gccgw-evidence-sync', 'apollo-gateway', 'hive-gateway', 'hive-gateway-no-dedupe'];
const E2E_GATEWAYS: GatewayId[] = ['gccgw-embedded', 'gccgw-embedded-evidence-sync'];

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
      targets: [...gatewayTargets(started, ['simple', 'deep']), ...direct],
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
      const outcome = await measureInterleaved({ targets: gatewayTargets(started, ['budget-vs-spend']), scenarios: [BUDGET_VS_SPEND_SCENARIO], shape, log });
      rows.push(...outcome.rows);
      skipped.push(...outcome.skipped);
    });
  }

  const finished = { ...machine, loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) };
  const report = formatReport({ rows, skipped, shape, machine: finished, labels });
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
        rounds: row.rounds.map((r) => round(r, 1)),
      })),
      ratios: ratios(rows).map((r) => ({ ...r, throughput: round(r.throughput, 3), p99: round(r.p99, 3), cpuPerRequest: round(r.cpuPerRequest, 3) })),
      againstBestPeer: targetsAgainstBestPeer(rows).map((t) => ({ ...t, throughput: round(t.throughput, 3), p99: round(t.p99, 3), cpuPerRequest: round(t.cpuPerRequest, 3) })),
      notMeasured: [FULL_SECURITY_ROW, ...skipped],
      componentBenchmarks: COMPONENT_BENCHMARKS,
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`bench: results written to ${file}`);
  }
}

/** Our gateway (security off) under --cpu-prof while it serves DEEP_QUERY; prints where the time goes. */
async function profile(): Promise<void> {
  const profileDir = join(workDir, 'cpu-profile');
  const deep = FIXTURE_SCENARIOS.find((s) => s.id === flags.query);
  if (deep === undefined) throw new Error(`--query must be one of ${FIXTURE_SCENARIOS.map((s) => s.id).join(', ')}`);
  const gateway = await ChildServer.start(gatewaySpec('gccgw', { supergraphFile, workDir, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }));
  let load;
  try {
    const answer = (await (await fetch(gateway.announced, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gccgw-purpose': BENCH_PURPOSE }, body: deep.body })).json()) as { data?: unknown; errors?: unknown };
    deep.verify(answer);
    log(`bench: warm-up ${shape.warmupSeconds} s, then the ${deep.id} query for ${shape.durationSeconds} s under --cpu-prof`);
    await runLoad({ url: gateway.announced, body: deep.body, connections: shape.connections, durationSeconds: shape.warmupSeconds });
    load = await runLoad({ url: gateway.announced, body: deep.body, connections: shape.connections, durationSeconds: shape.durationSeconds });
  } finally {
    await gateway.stop();
  }
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  const file = files[0];
  if (file === undefined) throw new Error(`no profile was written to ${profileDir} (did the gateway exit cleanly?)`);
  const summary = summariseCpuProfile(join(profileDir, file));
  process.stdout.write(`\n${deep.id} query under --cpu-prof: ${load.requestsPerSecond.toFixed(0)} req/s (profiling slows it down)\n${formatProfileSummary(summary)}\n`);
  if (!flags['no-save']) {
    const out = join(repoRoot(), 'bench', 'results', `profile-${deep.id}-${stamp}.json`);
    writeFileSync(out, `${JSON.stringify({ benchmark: `cpu profile of gccgw during the ${deep.id} query`, startedAt: stamp, shape, machine, requestsPerSecond: Math.round(load.requestsPerSecond), ...summary }, null, 2)}\n`);
    log(`bench: profile summary written to ${out}`);
  }
}
