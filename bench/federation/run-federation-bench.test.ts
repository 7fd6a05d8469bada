// Keeps the benchmark harness from rotting: runs it in its quickest shape against the fixture
// subgraphs, for this gateway only. Asserts on what the harness reports, never on speed (the build
// machine is shared and noisy).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureSubgraphs, type FixtureSubgraphServers } from '../../test/fixtures/federation/serve.js';
import { formatReport, machineInfo, ratios } from './bench-report.js';
import { FIXTURE_SCENARIOS, gatewayTargets, measureInterleaved, withGateways, writeFixtureSupergraph, type RunOutcome } from './run-federation-bench.js';

describe('the federation benchmark harness', () => {
  let fixtures: FixtureSubgraphServers;
  let workDir: string;
  let outcome: RunOutcome;
  const lines: string[] = [];

  beforeAll(async () => {
    fixtures = await startFixtureSubgraphs();
    workDir = mkdtempSync(join(tmpdir(), 'gccgw-bench-test-'));
    const supergraphFile = writeFixtureSupergraph(fixtures.subgraphs, workDir);
    outcome = await withGateways(['gccgw'], { supergraphFile, workDir }, (line) => lines.push(line), async (started, failed) => {
      expect(failed).toEqual([]);
      return measureInterleaved({
        targets: gatewayTargets(started, ['simple', 'deep']),
        scenarios: FIXTURE_SCENARIOS,
        shape: { connections: 2, warmupSeconds: 0, durationSeconds: 10, rounds: 1, requestsPerRun: 4 },
        log: (line) => lines.push(line),
      });
    });
  }, 30_000);

  afterAll(async () => {
    await fixtures.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('verifies and measures this gateway on the simple and the deep query', () => {
    expect(outcome.skipped).toEqual([]);
    expect(outcome.rows.map((row) => [row.target, row.scenario])).toEqual([
      ['gccgw', 'simple'],
      ['gccgw', 'deep'],
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

  it('prints the table with the full-security row marked as not measured, and no ratio without a peer', () => {
    const report = formatReport({ rows: outcome.rows, skipped: outcome.skipped, shape: { connections: 2, warmupSeconds: 0, durationSeconds: 1, rounds: 1 }, machine: machineInfo(), labels: {} });
    expect(report).toContain('| simple | gccgw, security off |');
    expect(report).toMatch(/full security on .*: not measured, needs the access-control issue/);
    expect(report).toContain('pending: added by the trust issue');
    expect(ratios(outcome.rows)).toEqual([]);
  });
});
