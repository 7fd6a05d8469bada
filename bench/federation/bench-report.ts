/**
 * Turns measured rows into the printed table (with the ratio of each of our rows to each peer) and
 * into the JSON result file with machine information.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { COMPONENT_BENCHMARKS, type ComponentOutcome } from '../component-benchmarks.js';
import { ratioToTarget } from '../component-result.js';
import { repoRoot } from './gateway-process.js';
import { GATEWAYS, type GatewayId, type LoadShape, type PeerTarget, type Row, type ScenarioId, type Skipped } from './run-federation-bench.js';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly platform: string;
  readonly release: string;
  readonly arch: string;
  readonly node: string;
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd?: readonly number[];
  readonly gitCommit: string | undefined;
  readonly gitDirty: boolean | undefined;
  readonly packages: Readonly<Record<string, string>>;
}

const PACKAGES = ['graphql', '@apollo/server', '@graphql-tools/federation', '@theguild/federation-composition', '@apollo/gateway', '@graphql-hive/gateway-runtime', '@graphql-mesh/transport-http', 'autocannon'];

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      packages[name] = (JSON.parse(readFileSync(join(repoRoot(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      packages[name] = 'not installed';
    }
  }
  const status = git(['status', '--porcelain']);
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    platform: platform(),
    release: release(),
    arch: arch(),
    node: process.version,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === undefined ? undefined : status.length > 0,
    packages,
  };
}

export interface Ratio {
  readonly scenario: ScenarioId;
  readonly ours: string;
  readonly peer: string;
  /** Our requests/s divided by the peer's: above 1 means we serve more. */
  readonly throughput: number;
  /** Our p99 divided by the peer's: below 1 means our tail is shorter. */
  readonly p99: number;
  /** Our gateway CPU per request divided by the peer's: below 1 means we spend less. */
  readonly cpuPerRequest: number | undefined;
}

/** A row without a single answer in its rounds (e.g. the deep query in 2-second smoke rounds) has no figures to compare. */
function answered(row: Row): boolean {
  return row.requests > 0;
}

export function ratios(rows: readonly Row[]): Ratio[] {
  const out: Ratio[] = [];
  for (const ours of rows.filter((r) => r.ours && answered(r))) {
    for (const peer of rows.filter((r) => !r.ours && answered(r) && r.scenario === ours.scenario && r.target !== 'subgraph-direct')) {
      out.push({
        scenario: ours.scenario,
        ours: ours.target,
        peer: peer.target,
        throughput: ours.requestsPerSecond / peer.requestsPerSecond,
        p99: ours.latencyMillis.p99 / peer.latencyMillis.p99,
        cpuPerRequest: ours.cpuMillisPerRequest !== undefined && peer.cpuMillisPerRequest !== undefined ? ours.cpuMillisPerRequest / peer.cpuMillisPerRequest : undefined,
      });
    }
  }
  return out;
}

export interface BestPeerComparison {
  readonly scenario: ScenarioId;
  readonly ours: string;
  /** The peer with the highest requests/s on this query. */
  readonly bestPeer: string;
  readonly throughput: number;
  readonly p99: number;
  /** The peer with the lowest CPU per request on this query. */
  readonly leanestPeer: string | undefined;
  readonly cpuPerRequest: number | undefined;
  /** The issue's target for this row, if it has one, and whether this run met it. */
  readonly target: PeerTarget | undefined;
  readonly met: boolean | undefined;
}

function targetOf(id: string): PeerTarget | undefined {
  return id in GATEWAYS ? GATEWAYS[id as GatewayId].target : undefined;
}

/** A target as the issue states it, e.g. ">= 1.0x the best peer's throughput, p99 no worse". */
export function describeTarget(target: PeerTarget): string {
  return [`>= ${target.minThroughputRatio.toFixed(1)}x the best peer's throughput`, ...(target.p99NoWorse ? ["p99 no worse than the best peer's"] : []), ...(target.cpuBelowEveryPeer ? ["CPU per request below every peer's"] : [])].join(', ');
}

/** Each of our rows against the best peer on the same query, as the issue's targets are stated. */
export function targetsAgainstBestPeer(rows: readonly Row[]): BestPeerComparison[] {
  const out: BestPeerComparison[] = [];
  for (const ours of rows.filter((r) => r.ours && answered(r))) {
    const peers = rows.filter((r) => !r.ours && answered(r) && r.scenario === ours.scenario && r.target !== 'subgraph-direct');
    const best = [...peers].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0];
    if (best === undefined) continue;
    const leanest = peers.filter((p) => p.cpuMillisPerRequest !== undefined).sort((a, b) => (a.cpuMillisPerRequest ?? 0) - (b.cpuMillisPerRequest ?? 0))[0];
    const throughput = ours.requestsPerSecond / best.requestsPerSecond;
    const p99 = ours.latencyMillis.p99 / best.latencyMillis.p99;
    const cpuPerRequest = leanest?.cpuMillisPerRequest !== undefined && ours.cpuMillisPerRequest !== undefined ? ours.cpuMillisPerRequest / leanest.cpuMillisPerRequest : undefined;
    const target = targetOf(ours.target);
    out.push({
      scenario: ours.scenario,
      ours: ours.target,
      bestPeer: best.target,
      throughput,
      p99,
      leanestPeer: leanest?.target,
      cpuPerRequest,
      target,
      met:
        target === undefined
          ? undefined
          : throughput >= target.minThroughputRatio && (!target.p99NoWorse || p99 <= 1) && (!target.cpuBelowEveryPeer || (cpuPerRequest !== undefined && cpuPerRequest < 1)),
    });
  }
  return out;
}

/** Issue 6: the whole member-state pipeline may cost at most 25% of the throughput. */
export const PIPELINE_COST_TARGET = 0.75;

export interface PipelineCost {
  readonly scenario: ScenarioId;
  /** Requests/s with full security on over security off: at least PIPELINE_COST_TARGET is the target. */
  readonly throughput: number;
  /** p99 and gateway CPU per request, on over off (context for the throughput figure). */
  readonly p99: number;
  readonly cpuPerRequest: number | undefined;
  readonly target: number;
  readonly met: boolean;
}

/** Full security on against security off, per query, from the same run (issue 6, "Performance"). */
export function pipelineCost(rows: readonly Row[]): PipelineCost[] {
  const out: PipelineCost[] = [];
  for (const on of rows.filter((r) => r.target === 'gccgw-full-security' && answered(r))) {
    const off = rows.find((r) => r.target === 'gccgw' && r.scenario === on.scenario && answered(r));
    if (off === undefined) continue;
    const throughput = on.requestsPerSecond / off.requestsPerSecond;
    out.push({
      scenario: on.scenario,
      throughput,
      p99: on.latencyMillis.p99 / off.latencyMillis.p99,
      cpuPerRequest: on.cpuMillisPerRequest !== undefined && off.cpuMillisPerRequest !== undefined ? on.cpuMillisPerRequest / off.cpuMillisPerRequest : undefined,
      target: PIPELINE_COST_TARGET,
      met: throughput >= PIPELINE_COST_TARGET,
    });
  }
  return out;
}

const fmt = (value: number | undefined, digits = 1): string => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
const mib = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0));

/** The report as printed to the terminal (and pasted into bench/README.md). */
export function formatReport(input: {
  rows: readonly Row[];
  skipped: readonly Skipped[];
  shape: LoadShape;
  machine: MachineInfo;
  labels: Readonly<Record<string, string>>;
  /** The component benchmarks' outcomes; undefined when they were not run (`--no-components`). */
  components?: readonly ComponentOutcome[];
}): string {
  const { rows, machine, shape } = input;
  const lines: string[] = [];
  lines.push(
    `${machine.cores} cores (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')} at start${machine.loadAverageAtEnd !== undefined ? `, ${machine.loadAverageAtEnd.join(' ')} at end` : ''}`,
    `${shape.connections} connections, ${shape.warmupSeconds} s warm-up, ${shape.rounds} interleaved round(s) of ${shape.durationSeconds} s; figures are medians over rounds.`,
    'A shared, noisy machine: compare ratios within this run, not absolute figures across runs.',
    '',
  );
  const header = `| query | gateway | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | subgraph CPU ms/req | peak RSS MiB |`;
  lines.push(header, '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.label} | ${fmt(row.requestsPerSecond, 0)} | ${fmt(row.latencyMillis.p50)} | ${fmt(row.latencyMillis.p95)} | ${fmt(row.latencyMillis.p99)} | ${fmt(row.cpuMillisPerRequest, 2)} | ${fmt(row.subgraphCpuMillisPerRequest, 2)} | ${mib(row.peakRssBytes)} |${row.non2xx + row.errors > 0 ? ` ${row.non2xx} non-2xx, ${row.errors} errors` : ''}${answered(row) ? '' : ' no answer within the round(s): rounds too short for this query'}`,
    );
  }
  const signed = rows.filter((r) => r.signedClient !== undefined);
  if (signed.length > 0) {
    lines.push('', 'Client cost of the signed rows (the load generator\'s CPU, never charged to the gateway): signatures are made before the clock, response signatures verified on a sample after it.');
    for (const row of signed) {
      const c = row.signedClient;
      if (c === undefined) continue;
      const plain = rows.find((r) => r.target === 'gccgw' && r.scenario === row.scenario);
      lines.push(
        `  ${row.scenario.padEnd(8)} ${row.label}: ${fmt(c.signMicros, 0)} µs per signature, ${fmt(c.verifyMicros, 0)} µs per verified response (${c.verifiedResponses} verified), ${c.signedDuringRun} signed during the clock; load generator CPU during the clock ${fmt(row.clientCpuMillisPerRequest, 2)} ms/req (${fmt(plain?.clientCpuMillisPerRequest, 2)} for security off over plain HTTP)`,
      );
    }
  }
  const costs = pipelineCost(rows);
  if (costs.length > 0) {
    lines.push('', `Pipeline cost (issue 6): full security on / security off, same query, same run (target: throughput >= ${PIPELINE_COST_TARGET.toFixed(2)}x, i.e. the pipeline costs at most ${Math.round((1 - PIPELINE_COST_TARGET) * 100)}%)`, '');
    lines.push('| query | throughput | p99 | CPU/req | target |', '| --- | ---: | ---: | ---: | --- |');
    for (const cost of costs) {
      lines.push(`| ${cost.scenario} | ${fmt(cost.throughput, 2)}x | ${fmt(cost.p99, 2)}x | ${fmt(cost.cpuPerRequest, 2)}x | ${cost.met ? 'met' : 'missed'} |`);
    }
  }
  const table = ratios(rows);
  if (table.length > 0) {
    lines.push('', 'Ratios, ours / peer (throughput: higher is better; p99 and CPU per request: lower is better)', '');
    lines.push('| query | ours | peer | throughput | p99 | CPU/req |', '| --- | --- | --- | ---: | ---: | ---: |');
    for (const ratio of table) {
      lines.push(`| ${ratio.scenario} | ${input.labels[ratio.ours] ?? ratio.ours} | ${input.labels[ratio.peer] ?? ratio.peer} | ${fmt(ratio.throughput, 2)}x | ${fmt(ratio.p99, 2)}x | ${fmt(ratio.cpuPerRequest, 2)}x |`);
    }
  }
  const targets = targetsAgainstBestPeer(rows);
  if (targets.length > 0) {
    lines.push('', "Against the best peer per query (issue 9's targets: security off >= 1.3x throughput and less CPU per request than every peer; full security on >= 1.0x with p99 no worse):", '');
    for (const t of targets) {
      lines.push(
        `  ${t.scenario.padEnd(8)} ${(input.labels[t.ours] ?? t.ours).padEnd(28)} ${fmt(t.throughput, 2)}x throughput of ${input.labels[t.bestPeer] ?? t.bestPeer}, p99 ${fmt(t.p99, 2)}x, CPU/req ${fmt(t.cpuPerRequest, 2)}x of the leanest peer (${input.labels[t.leanestPeer ?? ''] ?? t.leanestPeer ?? '-'})${t.target !== undefined ? `: target ${t.met === true ? 'met' : 'missed'} (${describeTarget(t.target)})` : ''}`,
      );
    }
  }
  for (const skip of input.skipped) lines.push(`not measured: ${input.labels[skip.target] ?? skip.target}${skip.scenario !== undefined ? ` / ${skip.scenario}` : ''}: ${skip.reason}`);
  lines.push(...formatComponents(input.components));
  return lines.join('\n');
}

const figureValue = (value: number, unit: string): string => `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2)} ${unit}`;
/** A ratio to a target: never printed as 1.00x when it falls short (0.997 -> 0.997x). */
const targetRatio = (ratio: number): string => (ratio < 1 && ratio >= 0.995 ? `${ratio.toFixed(3)}x (missed)` : `${ratio.toFixed(2)}x${ratio >= 1 ? '' : ' (missed)'}`);

/** The component benchmarks' figures beside their targets, or how to run them when they were not run. */
export function formatComponents(components: readonly ComponentOutcome[] | undefined): string[] {
  if (components === undefined) {
    return [
      '',
      'Component benchmarks: not run (--quick or --no-components); each on its own:',
      ...COMPONENT_BENCHMARKS.map((c) => `  ${c.name.padEnd(46)} ${c.command}  [targets: ${c.targets}]`),
    ];
  }
  const lines = ['', 'Component benchmarks (run after the gateways, each in a child process of its own):', '', '| component | figure | value | target | ratio to target |', '| --- | --- | ---: | ---: | ---: |'];
  const notes: string[] = [];
  for (const outcome of components) {
    if (outcome.status === 'failed') {
      lines.push(`| ${outcome.name} | not measured: ${outcome.reason} | - | - | - |`);
      continue;
    }
    for (const figure of outcome.figures) {
      const ratio = ratioToTarget(figure);
      const target = figure.target === undefined ? '-' : `${figure.higherIsBetter === false ? '<=' : '>='} ${figureValue(figure.target, figure.unit)}`;
      lines.push(`| ${outcome.name} | ${figure.label} | ${figureValue(figure.value, figure.unit)} | ${target} | ${ratio === undefined ? '-' : targetRatio(ratio)} |`);
    }
    notes.push(`  ${outcome.name} (${outcome.seconds.toFixed(0)} s): ${[...outcome.notes, `by hand: ${outcome.command}`].join('; ')}`);
  }
  return [...lines, '', ...notes];
}
