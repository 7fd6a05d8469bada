import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { buildSubgraph } from '../../adapters/kit/index.js';
import type { ProbeConfig } from '../config/gateway-config.js';
import { composeSupergraph } from '../federation/compose-supergraph.js';
import type { SubgraphCall } from '../federation/subgraph-executor.js';
import { SupergraphGateway } from '../federation/supergraph-gateway.js';
import { createSilentLogger } from '../logging/logger.js';
import { ProbeRunner, type ProbeResult } from './probe-runner.js';
import { SupergraphOperationRunner } from './supergraph-operation-runner.js';

/**
 * Probes through a real supergraph: an in-process subgraph whose health the test controls, behind
 * the gateway's own subgraph executors (timeouts, no retries here).
 */
const SDL = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ntype Query { health: String! slow: String! }';
let mode: 'ok' | 'fail' = 'ok';
let calls: SubgraphCall[];
let gateway: SupergraphGateway;
let runner: SupergraphOperationRunner;

beforeEach(() => {
  mode = 'ok';
  // Per test: a late answer from the previous test's gateway must not land here.
  const seen: SubgraphCall[] = [];
  calls = seen;
  const schema = buildSubgraph(SDL, {
    Query: {
      health: () => {
        if (mode === 'fail') throw Object.assign(new Error('national system down'), { extensions: { code: 'ERR_UPSTREAM_UNAVAILABLE' } });
        return 'ok';
      },
      slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 400)),
    },
  });
  gateway = new SupergraphGateway({
    logger: createSilentLogger(),
    defaults: { timeoutMillis: 2_000, retry: { maxAttempts: 1, backoffMillis: 1 }, circuitBreaker: { enabled: false, failureThreshold: 5, resetTimeoutMillis: 1_000 }, deduplicateInflightQueries: false },
    inProcess: new Map([['registry', { schema }]]),
    onSubgraphCall: (call) => seen.push(call),
  });
  gateway.apply(composeSupergraph([{ name: 'registry', typeDefs: SDL, url: 'http://127.0.0.1/registry/graphql' }]));
  runner = new SupergraphOperationRunner({ gateway, logger: createSilentLogger() });
});

afterEach(async () => {
  runner.close();
  await gateway.stop();
});

function probes(...configs: Array<Partial<ProbeConfig> & { query: string }>): { runner: ProbeRunner; results: ProbeResult[] } {
  const results: ProbeResult[] = [];
  const probeRunner = new ProbeRunner({
    probes: configs.map((c) => ({ service: 'registry', intervalSeconds: 3600, timeoutMillis: 1_000, ...c })),
    runner,
    logger: createSilentLogger(),
    onResult: (result) => results.push(result),
  });
  return { runner: probeRunner, results };
}

describe('ProbeRunner', () => {
  it('runs the health query through the supergraph and its subgraph executor, marked as synthetic', async () => {
    const { runner: probeRunner, results } = probes({ query: 'query Health { health }' });
    const [result] = await probeRunner.runOnce();
    expect(result).toMatchObject({ service: 'registry', ok: true, codes: [] });
    expect(results).toEqual([result]);
    // The executor saw the call, and it is recognisably the gateway's own.
    expect(calls).toHaveLength(1);
    expect(runner.isSynthetic(calls[0]?.context)).toBe(true);
    expect(runner.isSynthetic({ subgraphCalls: new Set() })).toBe(false);
  });

  it('fails when the answer carries an error, with its code, and keeps the history newest last', async () => {
    const { runner: probeRunner } = probes({ query: '{ health }' });
    await probeRunner.runOnce();
    mode = 'fail';
    await probeRunner.runOnce();
    expect(probeRunner.history('registry').map((r) => [r.ok, r.codes])).toEqual([
      [true, []],
      [false, ['ERR_UPSTREAM_UNAVAILABLE']],
    ]);
  });

  it('fails with ERR_REQUEST_TIMEOUT when the answer is later than timeoutMillis', async () => {
    const { runner: probeRunner } = probes({ query: '{ slow }', timeoutMillis: 100 });
    const [result] = await probeRunner.runOnce();
    expect(result).toMatchObject({ ok: false, codes: ['ERR_REQUEST_TIMEOUT'] });
    expect(result?.latencyMillis).toBeLessThan(390);
  });

  it('fails with ERR_GRAPHQL_VALIDATION_FAILED when the supergraph no longer has the probed field', async () => {
    const { runner: probeRunner } = probes({ query: '{ removedField }' });
    const [result] = await probeRunner.runOnce();
    expect(result).toMatchObject({ ok: false, codes: ['ERR_GRAPHQL_VALIDATION_FAILED'] });
    expect(calls).toHaveLength(0);
  });

  it('never runs a probe twice at the same time', async () => {
    const { runner: probeRunner, results } = probes({ query: '{ slow }' });
    await Promise.all([probeRunner.runOnce(), probeRunner.runOnce(), probeRunner.runOnce()]);
    expect(results).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });
});
