/**
 * Turns measured rows into the printed table (with the ratio of each of our rows to each peer) and
 * into the JSON result file with machine information.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { COMPONENT_BENCHMARKS, FULL_SECURITY_ROW } from '../component-benchmarks.js';
import { repoRoot } from './gateway-process.js';
import type { LoadShape, Row, ScenarioId, Skipped } from './run-federation-bench.js';

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

export function ratios(rows: readonly Row[]): Ratio[] {
  const out: Ratio[] = [];
  for (const ours of rows.filter((r) => r.ours)) {
    for (const peer of rows.filter((r) => !r.ours && r.scenario === ours.scenario && r.target !== 'subgraph-direct')) {
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
}

/** Each of our rows against the best peer on the same query, as the issue's targets are stated. */
export function targetsAgainstBestPeer(rows: readonly Row[]): BestPeerComparison[] {
  const out: BestPeerComparison[] = [];
  for (const ours of rows.filter((r) => r.ours)) {
    const peers = rows.filter((r) => !r.ours && r.scenario === ours.scenario && r.target !== 'subgraph-direct');
    const best = [...peers].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0];
    if (best === undefined) continue;
    const leanest = peers.filter((p) => p.cpuMillisPerRequest !== undefined).sort((a, b) => (a.cpuMillisPerRequest ?? 0) - (b.cpuMillisPerRequest ?? 0))[0];
    out.push({
      scenario: ours.scenario,
      ours: ours.target,
      bestPeer: best.target,
      throughput: ours.requestsPerSecond / best.requestsPerSecond,
      p99: ours.latencyMillis.p99 / best.latencyMillis.p99,
      leanestPeer: leanest?.target,
      cpuPerRequest: leanest?.cpuMillisPerRequest !== undefined && ours.cpuMillisPerRequest !== undefined ? ours.cpuMillisPerRequest / leanest.cpuMillisPerRequest : undefined,
    });
  }
  return out;
}

const fmt = (value: number | undefined, digits = 1): string => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
const mib = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0));

/** The report as printed to the terminal (and pasted into bench/README.md). */
export function formatReport(input: { rows: readonly Row[]; skipped: readonly Skipped[]; shape: LoadShape; machine: MachineInfo; labels: Readonly<Record<string, string>> }): string {
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
      `| ${row.scenario} | ${row.label} | ${fmt(row.requestsPerSecond, 0)} | ${fmt(row.latencyMillis.p50)} | ${fmt(row.latencyMillis.p95)} | ${fmt(row.latencyMillis.p99)} | ${fmt(row.cpuMillisPerRequest, 2)} | ${fmt(row.subgraphCpuMillisPerRequest, 2)} | ${mib(row.peakRssBytes)} |${row.non2xx + row.errors > 0 ? ` ${row.non2xx} non-2xx, ${row.errors} errors` : ''}`,
    );
  }
  lines.push('', `${FULL_SECURITY_ROW.label}: ${FULL_SECURITY_ROW.status}, ${FULL_SECURITY_ROW.reason}.`);
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
    lines.push('', "Against the best peer per query (issue 9's targets: security off >= 1.3x throughput and less CPU per request than every peer; full security >= 1.0x with p99 no worse):", '');
    for (const t of targets) {
      lines.push(
        `  ${t.scenario.padEnd(8)} ${(input.labels[t.ours] ?? t.ours).padEnd(28)} ${fmt(t.throughput, 2)}x throughput of ${input.labels[t.bestPeer] ?? t.bestPeer}, p99 ${fmt(t.p99, 2)}x, CPU/req ${fmt(t.cpuPerRequest, 2)}x of the leanest peer (${input.labels[t.leanestPeer ?? ''] ?? t.leanestPeer ?? '-'})`,
      );
    }
  }
  for (const skip of input.skipped) lines.push(`not measured: ${input.labels[skip.target] ?? skip.target}${skip.scenario !== undefined ? ` / ${skip.scenario}` : ''}: ${skip.reason}`);
  lines.push('', 'Component benchmarks (their issues add their figures here):');
  for (const component of COMPONENT_BENCHMARKS) {
    lines.push(`  ${component.name.padEnd(46)} ${component.status === 'pending' ? `pending: added by the ${component.owner}` : `run separately: ${component.command ?? ''}`}  [targets: ${component.targets}]`);
  }
  return lines.join('\n');
}
