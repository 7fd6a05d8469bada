import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '../../gateway/federation/compose-supergraph.js';
import { DEEP_QUERY, expectedDeepQueryData, FEDERATION_CASES } from '../fixtures/federation/cases.js';
import { startFixtureSubgraphs, type FixtureSubgraphServers } from '../fixtures/federation/serve.js';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';

const FIXTURE_POLICY = fileURLToPath(new URL('../fixtures/federation/access-policy.yaml', import.meta.url));

/**
 * Federation v2 semantics through this gateway (HTTP in, remote subgraphs over HTTP out): every
 * case of the shared fixture, with exact data and the subgraphs that must or must not be called,
 * on both execution engines (`supergraph.execution`): the gateway's query planner (falling back to
 * the stitched schema for what it does not plan) and the stitched schema alone.
 */
describe.each(['query-plan', 'stitching'] as const)('Federation v2 semantics through the gateway (%s)', (execution) => {
  let fixtures: FixtureSubgraphServers;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let dir: string;

  beforeAll(async () => {
    fixtures = await startFixtureSubgraphs();
    dir = mkdtempSync(join(tmpdir(), 'gccgw-fed-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(file, composeSupergraph(fixtures.subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: s.url }))));
    gateway = await startTestGateway({ supergraph: { source: 'file', file, watch: false, execution }, access: { policyFile: FIXTURE_POLICY, limits: { maxCost: 10_000_000 } } });
  });
  afterAll(async () => {
    await gateway.stop();
    await fixtures.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const testCase of FEDERATION_CASES) {
    it(`${testCase.name} [${testCase.covers.join(', ')}]`, async () => {
      fixtures.resetCounts();
      const response = await postGraphQL(gateway.graphqlUrl, { query: testCase.query, variables: testCase.variables });
      if (testCase.expectErrors === true) {
        expect(response.body.errors?.length).toBeGreaterThan(0);
        if (testCase.errorMessageIncludes !== undefined) expect(response.body.errors?.[0]?.message).toContain(testCase.errorMessageIncludes);
        for (const error of response.body.errors ?? []) expect(error.extensions?.['code']).toMatch(/^ERR_/);
      } else {
        expect(response.body.errors).toBeUndefined();
      }
      if (testCase.expectedData !== undefined) expect(response.body.data).toEqual(testCase.expectedData);
      const counts = fixtures.requestCounts();
      for (const name of testCase.forbiddenSubgraphCalls ?? []) expect({ [name]: counts[name] }).toEqual({ [name]: 0 });
      for (const name of testCase.requiredSubgraphCalls ?? []) expect(counts[name]).toBeGreaterThan(0);
    });
  }

  it('answers the deep nested query across four subgraphs exactly', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: DEEP_QUERY });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual(expectedDeepQueryData());
  });
});
