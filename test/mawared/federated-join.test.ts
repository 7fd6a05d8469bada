/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response data is read by path in assertions */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startTestGateway, TEST_PURPOSE } from '../support/gateway-harness.js';

/**
 * The Mawared subgraph federated with the government cloud through the gateway, in the embedded
 * mode: both sandboxes are started by the gateway, queries go over real HTTP to its demo port.
 */
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let graphqlUrl: string;

interface GraphQLResponse {
  readonly data?: Record<string, any> | null;
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: Record<string, unknown> }>;
}

async function post(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-gccgw-purpose': TEST_PURPOSE }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphQLResponse;
}

beforeAll(async () => {
  // Each test gateway gets its own evidence-log directory (a log has one writer).
  gateway = await startTestGateway();
  graphqlUrl = gateway.graphqlUrl;
});

afterAll(async () => {
  await gateway?.stop();
});

describe('Mawared joined with the government cloud through the gateway', () => {
  test('sets an entity\u2019s IT budget line beside its cloud spend in one query', async () => {
    const result = await post(`{
      governmentEntity(state: QA, code: "MOF") {
        name { en ar }
        headcount
        budget(fiscalYear: 2026) { currency appropriated lines { code name { en } spent } }
        cloudTenants { id }
        cloudSpend(month: "2026-10") { totalQar }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const entity = result.data?.['governmentEntity'];
    expect(entity.name).toEqual({ en: 'Ministry of Finance', ar: 'وزارة المالية' });
    expect(entity.budget.currency).toBe('QAR');
    expect(entity.budget.lines.find((line: { code: string }) => line.code === '5').name.en).toBe('Information technology');
    expect(entity.cloudTenants.length).toBeGreaterThan(0);
    expect(entity.cloudSpend.totalQar).toBeGreaterThan(0);
  });

  test('follows employees to their entity and on to the entity\u2019s cloud tenants', async () => {
    const result = await post(`{
      employees(filter: { entity: { state: QA, code: "MOPH" }, status: ACTIVE }, first: 3) {
        totalCount
        edges { node { name { en ar } grade entity { code name { en } cloudTenants { id status } } } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const edges = result.data?.['employees'].edges;
    expect(edges).toHaveLength(3);
    for (const edge of edges) {
      expect(edge.node.entity.code).toBe('MOPH');
      expect(edge.node.entity.cloudTenants.map((t: { id: string }) => t.id)).toContain('tnt-qa-moph-prod');
    }
  });

  test('lists cloud tenants with their owners\u2019 names and kinds from Mawared', async () => {
    const result = await post('{ cloudTenants(state: SA) { id entity { code kind name { ar } parent { code } } } }');
    expect(result.errors).toBeUndefined();
    const mhrsd = result.data?.['cloudTenants'].find((t: { id: string }) => t.id === 'tnt-sa-mhrsd-gcc');
    expect(mhrsd.entity).toEqual({ code: 'MHRSD', kind: 'MINISTRY', name: { ar: 'وزارة الموارد البشرية والتنمية الاجتماعية' }, parent: null });
  });

  test('answers a cross-border employment verification, and keeps bad input codes', async () => {
    const found = await post('{ employees(filter: { entity: { state: QA, code: "MOPH" }, nationality: "OM", status: ACTIVE }, first: 1) { edges { node { nationalId issuingState } } } }');
    const person = found.data?.['employees'].edges[0].node;
    const verified = await post('query ($id: String!, $s: MemberState!) { verifyEmployment(nationalId: $id, issuingState: $s, asOf: "2026-09-30") { employed since salaryBand entity { code cloudTenants { id } } } }', { id: person.nationalId, s: person.issuingState });
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.['verifyEmployment']).toMatchObject({ employed: true, entity: { code: 'MOPH' } });

    const bad = await post('{ verifyEmployment(nationalId: "12", issuingState: OM) { employed } }');
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('ERR_BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/Omani civil number/);
  });
});
