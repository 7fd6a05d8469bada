// Keeps the benchmark harness from rotting: runs it in its quickest shape against the fixture
// subgraphs, for this gateway only (security off on the demo port, and full security on through
// the member port with signed requests). Asserts on what the harness reports, never on speed (the
// build machine is shared and noisy).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureSubgraphs, type FixtureSubgraphServers } from '../../test/fixtures/federation/serve.js';
import { formatReport, machineInfo, pipelineCost, ratios, targetsAgainstBestPeer } from './bench-report.js';
import { FIXTURE_SCENARIOS, gatewayTargets, measureInterleaved, withGateways, writeFixtureSupergraph, type Row, type RunOutcome } from './run-federation-bench.js';

describe('the federation benchmark harness', () => {
  let fixtures: FixtureSubgraphServers;
  let workDir: string;
  let outcome: RunOutcome;
  const lines: string[] = [];

  beforeAll(async () => {
    fixtures = await startFixtureSubgraphs();
    workDir = mkdtempSync(join(tmpdir(), 'gccgw-bench-test-'));
    const supergraphFile = writeFixtureSupergraph(fixtures.subgraphs, workDir);
    outcome = await withGateways(['gccgw', 'gccgw-full-security'], { supergraphFile, workDir }, (line) => lines.push(line), async (started, failed) => {
      expect(failed).toEqual([]);
      return measureInterleaved({
        targets: await gatewayTargets(started, ['simple', 'deep'], { workDir }),
        scenarios: FIXTURE_SCENARIOS,
        shape: { connections: 2, warmupSeconds: 0, durationSeconds: 10, rounds: 1, requestsPerRun: 4 },
        log: (line) => lines.push(line),
      });
    });
  }, 90_000);

  afterAll(async () => {
    await fixtures.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('verifies and measures this gateway, security off and full security on, on the simple and the deep query', () => {
    expect(outcome.skipped).toEqual([]);
    expect(outcome.rows.map((row) => [row.target, row.scenario])).toEqual([
      ['gccgw', 'simple'],
      ['gccgw-full-security', 'simple'],
      ['gccgw', 'deep'],
      ['gccgw-full-security', 'deep'],
    ]);
    for (const row of outcome.rows) {
      expect(row.requests).toBe(4);
      expect(row.non2xx + row.errors).toBe(0);
      expect(row.latencyMillis.p50).toBeLessThanOrEqual(row.latencyMillis.p99);
    }
  });

  it('charges CPU time and peak RSS to the gateway child process', () => {
    for (const row of outcome.rows) {
      // /proc counts in 10 ms ticks, so a few quick requests may honestly read as 0.
      expect(typeof row.cpuMillisPerRequest).toBe('number');
      expect(row.cpuMillisPerRequest).toBeGreaterThanOrEqual(0);
      expect(row.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    }
  });

  it('sent the queries to the fixture subgraphs through the gateway', () => {
    const counts = fixtures.requestCounts();
    expect(counts.products).toBeGreaterThan(0);
    expect(counts.reviews).toBeGreaterThan(0);
  });

  it('drives the full-security row with signed requests and reports what the client spent', () => {
    for (const row of outcome.rows.filter((r) => r.target === 'gccgw-full-security')) {
      expect(row.signedClient?.verifiedResponses).toBeGreaterThanOrEqual(1);
      expect(row.signedClient?.signMicros).toBeGreaterThan(0);
    }
    expect(outcome.rows.find((r) => r.target === 'gccgw')?.signedClient).toBeUndefined();
  });

  it('prints the table with both rows and the pipeline cost, and no ratio without a peer', () => {
    const report = formatReport({ rows: outcome.rows, skipped: outcome.skipped, shape: { connections: 2, warmupSeconds: 0, durationSeconds: 1, rounds: 1 }, machine: machineInfo(), labels: {} });
    expect(report).toContain('| simple | gccgw, security off |');
    expect(report).toContain('| deep | gccgw, full security on |');
    expect(report).toMatch(/Pipeline cost \(issue 6\).*target: throughput >= 0\.75x/);
    expect(report).toMatch(/\| simple \| \d+\.\d{2}x \| .* \| (met|missed) \|/);
    expect(report).toContain('Component benchmarks: not run (--quick or --no-components)');
    expect(report).toContain('node dist/bench/trust/jws-verify-bench.js');
    expect(pipelineCost(outcome.rows).map((c) => c.scenario)).toEqual(['simple', 'deep']);
    expect(ratios(outcome.rows)).toEqual([]);
  });
});

describe('the targets the report checks', () => {
  const row = (target: string, ours: boolean, scenario: Row['scenario'], requestsPerSecond: number, p99: number, cpu: number): Row => ({
    target,
    label: target,
    ours,
    scenario,
    requestsPerSecond,
    latencyMillis: { p50: p99 / 2, p95: p99, p99 },
    cpuMillisPerRequest: cpu,
    subgraphCpuMillisPerRequest: undefined,
    clientCpuMillisPerRequest: undefined,
    peakRssBytes: undefined,
    requests: 1,
    non2xx: 0,
    errors: 0,
    rounds: [requestsPerSecond],
  });

  it('computes the pipeline cost as full security on over security off on the same query, against 0.75', () => {
    const costs = pipelineCost([row('gccgw', true, 'simple', 400, 50, 1.5), row('gccgw-full-security', true, 'simple', 280, 80, 2.4), row('gccgw', true, 'deep', 10, 2000, 50), row('gccgw-full-security', true, 'deep', 9, 2100, 52)]);
    expect(costs).toEqual([
      { scenario: 'simple', throughput: 0.7, p99: 1.6, cpuPerRequest: expect.closeTo(1.6, 5), target: 0.75, met: false },
      { scenario: 'deep', throughput: 0.9, p99: 1.05, cpuPerRequest: 1.04, target: 0.75, met: true },
    ]);
  });

  it("holds full security on to >= 1.0x the best peer with p99 no worse, and security off to 1.3x with less CPU than every peer", () => {
    const rows = [row('apollo-gateway', false, 'simple', 600, 90, 1.2), row('hive-gateway', false, 'simple', 500, 80, 1.0), row('gccgw', true, 'simple', 800, 70, 0.9), row('gccgw-full-security', true, 'simple', 620, 95, 1.3)];
    const byRow = Object.fromEntries(targetsAgainstBestPeer(rows).map((t) => [t.ours, t]));
    expect(byRow['gccgw']).toMatchObject({ bestPeer: 'apollo-gateway', leanestPeer: 'hive-gateway', met: true });
    // 1.03x the best peer's throughput, but its p99 is worse than the best peer's.
    expect(byRow['gccgw-full-security']).toMatchObject({ bestPeer: 'apollo-gateway', met: false });
    expect(byRow['gccgw-full-security']?.throughput).toBeCloseTo(620 / 600, 5);
  });
});
