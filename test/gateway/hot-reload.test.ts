import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraph, serveSubgraph, type RunningServer } from '../../adapters/kit/index.js';
import { composeSupergraph, type SubgraphDefinition } from '../../gateway/federation/compose-supergraph.js';
import { SIMPLE_QUERY } from '../fixtures/federation/cases.js';
import { startFixtureSubgraphs, type FixtureSubgraphServers } from '../fixtures/federation/serve.js';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';
import { until } from '../support/until.js';

const FIXTURE_POLICY = fileURLToPath(new URL('../fixtures/federation/access-policy.yaml', import.meta.url));

const MARKER_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
type Query { reloadMarker: String! }`;

/** Replaces the file the way deploy tools do: write aside, then rename over. */
function replaceFile(file: string, text: string): void {
  const temp = `${file}.tmp-${process.hrtime.bigint()}`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}


describe('supergraph hot reload', () => {
  let fixtures: FixtureSubgraphServers;
  let marker: RunningServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let dir: string;
  let file: string;
  let supergraphA: string;
  let supergraphB: string;

  beforeAll(async () => {
    fixtures = await startFixtureSubgraphs();
    marker = await serveSubgraph({ name: 'marker', schema: buildSubgraph(MARKER_SDL, { Query: { reloadMarker: () => 'B' } }) });
    const base: SubgraphDefinition[] = fixtures.subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: s.url }));
    supergraphA = composeSupergraph(base);
    supergraphB = composeSupergraph([...base, { name: 'marker', typeDefs: MARKER_SDL, url: `${marker.url}/graphql` }]);
    dir = mkdtempSync(join(tmpdir(), 'gccgw-reload-'));
    file = join(dir, 'supergraph.graphql');
    writeFileSync(file, supergraphA);
    gateway = await startTestGateway({ supergraph: { source: 'file', file, watch: true }, access: { policyFile: FIXTURE_POLICY, limits: { maxCost: 10_000_000 } } });
  });
  afterAll(async () => {
    await gateway.stop();
    await fixtures.close();
    await marker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const markerAnswers = async (): Promise<boolean> =>
    (await postGraphQL(gateway.graphqlUrl, { query: '{ reloadMarker }' })).body.data?.['reloadMarker'] === 'B';

  it('picks up a changed file without a restart', async () => {
    expect(await markerAnswers()).toBe(false);
    replaceFile(file, supergraphB);
    await until(markerAnswers);
    replaceFile(file, supergraphA);
    await until(async () => !(await markerAnswers()));
  });

  it('keeps serving the old supergraph when the new file is invalid, and says why in the metrics', async () => {
    const hashBefore = gateway.supergraph.supergraphHash;
    const result = await (async () => {
      writeFileSync(file, 'this is not a supergraph {');
      return gateway.reload('test');
    })();
    expect(result.changed).toBe(false);
    expect(result.error?.code).toBe('ERR_SUPERGRAPH_INVALID');
    expect(gateway.supergraph.supergraphHash).toBe(hashBefore);
    const response = await postGraphQL(gateway.graphqlUrl, { query: SIMPLE_QUERY });
    expect(response.body.errors).toBeUndefined();
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/gccgw_supergraph_reloads_total\{outcome="failure"\} [1-9]/);
    replaceFile(file, supergraphA);
    await gateway.reload('test');
  });

  it('loses no request while the supergraph is swapped repeatedly under load', async () => {
    const outcomes: Array<{ status: number; errors: number }> = [];
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        const response = await postGraphQL(gateway.graphqlUrl, { query: SIMPLE_QUERY });
        outcomes.push({ status: response.status, errors: response.body.errors?.length ?? 0 });
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    const swaps = [supergraphB, supergraphA, supergraphB, 'broken {', supergraphA, supergraphB];
    let applied = 0;
    for (const next of swaps) {
      replaceFile(file, next);
      if (next === supergraphB) await until(markerAnswers);
      else if (next === supergraphA) await until(async () => !(await markerAnswers()));
      else await new Promise((resolve) => setTimeout(resolve, 300));
      applied += 1;
    }
    running = false;
    await Promise.all(workers);
    expect(applied).toBe(swaps.length);
    expect(outcomes.length).toBeGreaterThan(50);
    const failed = outcomes.filter((o) => o.status !== 200 || o.errors > 0);
    expect(failed).toEqual([]);
  });
});
