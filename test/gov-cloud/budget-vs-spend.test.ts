import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestGateway, TEST_PURPOSE } from '../support/gateway-harness.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

interface Result {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

describe('the federated budget-vs-spend query through the gateway', () => {
  let gw: Gateway;
  const post = async (query: string, variables: Record<string, unknown> = {}): Promise<Result> => {
    const response = await fetch(gw.urls.insecureDemo!.graphql, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gccgw-purpose': TEST_PURPOSE }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as Result;
  };

  beforeAll(async () => {
    // Each test gateway gets its own evidence-log directory (a log has one writer).
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('sets an entity from Mawared beside its cloud tenants and spend from the government cloud', async () => {
    const result = await post(
      `query EntityWithCloudSpend($state: MemberState!, $code: String!, $month: String!) {
        governmentEntity(state: $state, code: $code) {
          state code name { en ar } headcount
          cloudTenants { id displayName region status }
          cloudSpend(month: $month) { month totalQar totalUsd byServiceKind { serviceKind amountQar amountUsd } }
          cloudSpendByMonth(from: "2026-01", to: "2026-10") { month totalQar }
        }
      }`,
      { state: 'QA', code: 'MOF', month: '2026-10' },
    );
    expect(result.errors).toBeUndefined();
    const entity = result.data?.['governmentEntity'] as Record<string, unknown>;
    expect(entity).toMatchObject({ state: 'QA', code: 'MOF', name: { en: 'Ministry of Finance' } });
    const tenants = entity['cloudTenants'] as Array<{ id: string }>;
    expect(tenants.length).toBeGreaterThanOrEqual(12);
    expect(tenants.map((t) => t.id)).toEqual(expect.arrayContaining(['tnt-qa-mof-prod', 'tnt-qa-mof-dev']));
    const spend = entity['cloudSpend'] as { month: string; totalQar: number; totalUsd: number; byServiceKind: Array<{ amountQar: number }> };
    expect(spend.month).toBe('2026-10');
    expect(spend.byServiceKind).toHaveLength(5);
    expect(spend.totalQar).toBeCloseTo(spend.byServiceKind.reduce((sum, row) => sum + row.amountQar, 0), 1);
    expect(spend.totalUsd).toBeCloseTo(spend.totalQar / 3.64, 1);
    const byMonth = entity['cloudSpendByMonth'] as Array<{ month: string; totalQar: number }>;
    expect(byMonth.map((m) => m.month)).toEqual(['2026-10', '2026-09', '2026-08', '2026-07', '2026-06', '2026-05', '2026-04', '2026-03', '2026-02', '2026-01']);
    expect(byMonth[0]?.totalQar).toBe(spend.totalQar);
  });

  it('sets the fiscal-year budget from Mawared beside the cloud spend of the same year', async () => {
    const result = await post(`{
      governmentEntity(state: QA, code: "MOF") {
        budget(fiscalYear: 2026) { fiscalYear currency appropriated spent }
        cloudSpendByMonth(from: "2026-01", to: "2026-12") { month totalQar }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const entity = result.data?.['governmentEntity'] as { budget: { fiscalYear: number; appropriated: number } | null; cloudSpendByMonth: Array<{ totalQar: number }> };
    expect(entity.budget).toMatchObject({ fiscalYear: 2026 });
    // The sandbox has cloud data up to 2026-10.
    expect(entity.cloudSpendByMonth).toHaveLength(10);
    const cloudYearToDate = entity.cloudSpendByMonth.reduce((sum, m) => sum + m.totalQar, 0);
    expect(cloudYearToDate).toBeGreaterThan(0);
    expect(entity.budget?.appropriated).toBeGreaterThan(0);
  });

  it('joins every tenant back to its Mawared entity', async () => {
    const result = await post(`{ tenants(filter: { state: OM }, first: 3) { totalCount edges { node { id entity { state code name { en ar } } } } } }`);
    expect(result.errors).toBeUndefined();
    const page = result.data?.['tenants'] as { totalCount: number; edges: Array<{ node: { entity: { state: string; name: { en: string } } } }> };
    expect(page.totalCount).toBeGreaterThanOrEqual(12);
    for (const edge of page.edges) expect(edge.node.entity).toMatchObject({ state: 'OM', name: { en: expect.any(String) } });
  });

  it('passes the adapter error code through the gateway', async () => {
    const result = await post(`{ governmentEntity(state: QA, code: "MOF") { cloudSpend(month: "October") { totalQar } } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('ERR_BAD_USER_INPUT');
  });
});
