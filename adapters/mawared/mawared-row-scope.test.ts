/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response data is read by path in assertions */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { buildSubgraph, serveSubgraph, SUBGRAPH_HEADERS, type RunningServer } from '../kit/index.js';
import { MawaredClient } from './mawared-client.js';
import { createMawaredResolvers } from './mawared-resolvers.js';
import { rowScopeOf } from './mawared-row-scope.js';
import { startMawaredSandbox } from './sandbox/mawared-sandbox.js';
import { generateSeedData, type EmployeeRow } from './sandbox/seed.js';

const KW = 'GCC:KW:GOV:CSC:hr-portal';
const QA = 'GCC:QA:GOV:CSGDB:hr-portal';
const NOW = new Date('2026-11-01T08:00:00Z');

let sandbox: RunningServer;
let schema: GraphQLSchema;
const seed = generateSeedData();

beforeAll(async () => {
  sandbox = await startMawaredSandbox();
  const client = new MawaredClient({ baseUrl: sandbox.url, timeoutMillis: 10_000 });
  schema = buildSubgraph(readSubgraphSdl('mawared'), createMawaredResolvers(client, { now: () => NOW }));
});

afterAll(async () => {
  await sandbox.close();
});

/** Runs a query as a client (the context the gateway builds); `undefined` = a direct subgraph call. */
async function run(clientId: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<ExecutionResult & { data: Record<string, any> | null }> {
  return (await execute({ schema, document: parse(query), variableValues: variables, contextValue: clientId === undefined ? {} : { clientId, purpose: 'PENSION_PROTECTION' } })) as ExecutionResult & { data: Record<string, any> | null };
}

const codes = (result: ExecutionResult): unknown[] => (result.errors ?? []).map((e) => e.extensions['code']);

/** A seeded employee of Qatar's government with the given nationality. */
function employeeOf(nationality: string, extra: (e: EmployeeRow) => boolean = () => true): EmployeeRow {
  const found = seed.employees.find((e) => e.EntityState === 'QA' && e.Nationality === nationality && e.IssuingState === nationality && extra(e));
  if (found === undefined) throw new Error(`no seeded ${nationality} national in Qatar's government`);
  return found;
}

describe('rowScopeOf', () => {
  test('gives Qatar clients and direct subgraph calls every row, other states their nationals, and unreadable ClientIds nothing', () => {
    expect(rowScopeOf({ clientId: QA })).toEqual({ kind: 'all' });
    expect(rowScopeOf({ clientId: 'GCC:QA:GOV:MOF' })).toEqual({ kind: 'all' });
    expect(rowScopeOf({})).toEqual({ kind: 'all' });
    expect(rowScopeOf(undefined)).toEqual({ kind: 'all' });
    expect(rowScopeOf({ clientId: KW })).toEqual({ kind: 'nationals', nationality: 'KW', clientId: KW });
    expect(rowScopeOf({ clientId: 'GCC:SA:GOV:MHRSD' })).toMatchObject({ kind: 'nationals', nationality: 'SA' });
    for (const clientId of ['GCC:XX:GOV:MOF', 'QA:GOV:MOF', 'GCC:QA', '', 42]) expect(rowScopeOf({ clientId }).kind).toBe('none');
  });
});

describe('Mawared row filtering against the sandbox over HTTP', () => {
  const LIST = `query ($after: String) { employees(filter: { entity: { state: QA, code: "MOF" } }, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { employeeNumber nationality } } } }`;

  test('a KW client gets only KW nationals from a list, with totalCount and paging counted after the filter', async () => {
    const expected = seed.employees.filter((e) => e.EntityState === 'QA' && e.EntityCode === 'MOF' && e.Nationality === 'KW').map((e) => e.EmployeeNumber).sort();
    expect(expected.length).toBeGreaterThan(0);
    const seen: string[] = [];
    let after: string | null = null;
    let totalCount = -1;
    do {
      const result = await run(KW, LIST, { after });
      expect(result.errors).toBeUndefined();
      const page = result.data?.['employees'];
      totalCount = page.totalCount;
      for (const edge of page.edges) {
        expect(edge.node.nationality).toBe('KW');
        seen.push(edge.node.employeeNumber);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    expect(totalCount).toBe(expected.length);
    expect(seen.sort()).toEqual(expected);
  });

  test('a QA client and a direct subgraph call see every nationality in the same list', async () => {
    const all = seed.employees.filter((e) => e.EntityState === 'QA' && e.EntityCode === 'MOF').length;
    for (const clientId of [QA, undefined]) {
      const result = await run(clientId, LIST, { after: null });
      expect(result.errors).toBeUndefined();
      expect(result.data?.['employees'].totalCount).toBe(all);
      expect(new Set(result.data?.['employees'].edges.map((e: any) => e.node.nationality)).size).toBeGreaterThan(1);
    }
  });

  test('a KW client that filters on another nationality gets an empty list, not those people', async () => {
    const result = await run(KW, `{ employees(filter: { nationality: "QA" }) { totalCount edges { node { employeeNumber } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.['employees']).toEqual({ totalCount: 0, edges: [] });
  });

  test('a KW client may look up a KW national, and is refused a QA national with ERR_POLICY_ROW_DENIED', async () => {
    const kuwaiti = employeeOf('KW');
    const qatari = employeeOf('QA');
    const lookup = `query ($id: String!, $state: MemberState!) { employee(nationalId: $id, issuingState: $state) { employeeNumber name { en } nationality employmentHistory { kind startDate } } }`;
    const own = await run(KW, lookup, { id: kuwaiti.NationalId, state: 'KW' });
    expect(own.errors).toBeUndefined();
    expect(own.data?.['employee']).toMatchObject({ employeeNumber: kuwaiti.EmployeeNumber, nationality: 'KW' });
    expect(own.data?.['employee'].employmentHistory.length).toBeGreaterThan(0);

    const other = await run(KW, lookup, { id: qatari.NationalId, state: 'QA' });
    expect(other.data?.['employee']).toBeNull();
    expect(codes(other)).toEqual(['ERR_POLICY_ROW_DENIED']);
    expect(other.errors?.[0]?.message).toContain('a client of KW sees person-level records of KW nationals only');
    expect(other.errors?.[0]?.message).not.toContain(qatari.NameEn);

    // Qatar's own clients see the Qatari; nobody learns of a person Mawared does not have.
    expect((await run(QA, lookup, { id: qatari.NationalId, state: 'QA' })).data?.['employee']).toMatchObject({ employeeNumber: qatari.EmployeeNumber });
    expect(await run(KW, lookup, { id: '28663400001', state: 'QA' })).toEqual({ data: { employee: null } });
  });

  test('a KW client is refused payroll and employment verification of a QA national, and gets them for a KW national', async () => {
    const kuwaiti = employeeOf('KW', (e) => e.Status === 'Active');
    const qatari = employeeOf('QA', (e) => e.Status === 'Active');
    const payroll = `query ($id: String!, $state: MemberState!) { payrollSummaries(employee: { nationalId: $id, issuingState: $state }, from: "2026-01", to: "2026-03") { month gross } }`;
    const verify = `query ($id: String!, $state: MemberState!) { verifyEmployment(nationalId: $id, issuingState: $state, asOf: "2026-10-01") { employed grade salaryBand } }`;
    expect(codes(await run(KW, payroll, { id: qatari.NationalId, state: 'QA' }))).toEqual(['ERR_POLICY_ROW_DENIED']);
    expect(codes(await run(KW, verify, { id: qatari.NationalId, state: 'QA' }))).toEqual(['ERR_POLICY_ROW_DENIED']);
    const ownPayroll = await run(KW, payroll, { id: kuwaiti.NationalId, state: 'KW' });
    expect(ownPayroll.errors).toBeUndefined();
    expect(ownPayroll.data?.['payrollSummaries']).toHaveLength(3);
    const ownVerification = await run(KW, verify, { id: kuwaiti.NationalId, state: 'KW' });
    expect(ownVerification.errors).toBeUndefined();
    expect(ownVerification.data?.['verifyEmployment'].employed).toBe(true);
  });

  test('position holders outside the scope are refused field by field; positions, entities and budgets are not filtered', async () => {
    const query = `{ governmentEntity(state: QA, code: "MOF") { headcount budget(fiscalYear: 2026) { appropriated } organizationUnits { positions(vacant: false) { id holder { nationality } } } } }`;
    const asQatar = await run(QA, query);
    const asKuwait = await run(KW, query);
    expect(asQatar.errors).toBeUndefined();
    const entity = (result: ExecutionResult & { data: Record<string, any> | null }): any => result.data?.['governmentEntity'];
    expect(entity(asKuwait).headcount).toBe(entity(asQatar).headcount);
    expect(entity(asKuwait).budget).toEqual(entity(asQatar).budget);
    const positions = (result: ExecutionResult & { data: Record<string, any> | null }): any[] => entity(result).organizationUnits.flatMap((u: any) => u.positions);
    expect(positions(asKuwait).map((p) => p.id)).toEqual(positions(asQatar).map((p) => p.id));
    const holders = positions(asKuwait).map((p) => p.holder);
    const refused = holders.filter((h) => h === null).length;
    expect(refused).toBeGreaterThan(0);
    expect(holders.filter((h) => h !== null).every((h) => h.nationality === 'KW')).toBe(true);
    expect(codes(asKuwait)).toEqual(Array.from({ length: refused }, () => 'ERR_POLICY_ROW_DENIED'));
    expect(positions(asQatar).filter((p) => p.holder?.nationality !== 'KW').length).toBe(refused);
  });

  test('a KW client cannot request or read the secondment of a QA national', async () => {
    const qatari = employeeOf('QA', (e) => e.Status === 'Active');
    const mutation = `mutation ($input: SecondmentRequestInput!) { requestSecondment(input: $input) { id employee { nationality } } }`;
    const input = { clientKey: 'row-scope-test-1', employee: { nationalId: qatari.NationalId, issuingState: 'QA' }, hostEntity: { state: 'KW', code: 'CSC' }, startDate: '2027-01-01', endDate: '2027-12-31' };
    expect(codes(await run(KW, mutation, { input }))).toEqual(['ERR_POLICY_ROW_DENIED']);
    const created = await run(QA, mutation, { input });
    expect(created.errors).toBeUndefined();
    const id = created.data?.['requestSecondment'].id as string;
    const read = `query ($id: ID!) { secondmentRequest(id: $id) { id status } }`;
    expect((await run(QA, read, { id })).data?.['secondmentRequest']).toMatchObject({ id });
    expect(codes(await run(KW, read, { id }))).toEqual(['ERR_POLICY_ROW_DENIED']);
  });

  test('a ClientId the adapter cannot read gets no person-level rows at all (fail closed)', async () => {
    expect(codes(await run('GCC:XX:GOV:MOF', LIST, { after: null }))).toEqual(['ERR_POLICY_ROW_DENIED']);
    const entities = await run('GCC:XX:GOV:MOF', `{ governmentEntity(state: QA, code: "MOF") { code headcount } }`);
    expect(entities.errors).toBeUndefined();
  });

  test('the ClientId forwarded in x-gccgw-client-id filters rows of a standalone subgraph over HTTP', async () => {
    const server = await serveSubgraph({ name: 'mawared', schema });
    try {
      const qatari = employeeOf('QA');
      const ask = async (clientId: string): Promise<any> => {
        const response = await fetch(new URL('/graphql', server.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SUBGRAPH_HEADERS.clientId]: clientId },
          body: JSON.stringify({ query: `query ($id: String!) { employee(nationalId: $id, issuingState: QA) { employeeNumber } }`, variables: { id: qatari.NationalId } }),
        });
        return response.json();
      };
      expect(await ask(KW)).toMatchObject({ data: { employee: null }, errors: [{ extensions: { code: 'ERR_POLICY_ROW_DENIED' } }] });
      expect(await ask(QA)).toEqual({ data: { employee: { employeeNumber: qatari.EmployeeNumber } } });
    } finally {
      await server.close();
    }
  });
});
