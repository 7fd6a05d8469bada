/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL response data is read by path in assertions */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { buildSubgraph, FAULTS_PATH, NO_FAULTS, type AdapterEvent, type RunningServer } from '../kit/index.js';
import { MawaredClient } from './mawared-client.js';
import { createMawaredResolvers } from './mawared-resolvers.js';
import { startMawaredSandbox } from './sandbox/mawared-sandbox.js';
import { generateSeedData } from './sandbox/seed.js';

let sandbox: RunningServer;
let schema: GraphQLSchema;
let upstreamCalls = 0;
const events: AdapterEvent[] = [];
/** Frozen clock: "today" for verification is 2026-11-01. */
const NOW = new Date('2026-11-01T08:00:00Z');

beforeAll(async () => {
  sandbox = await startMawaredSandbox();
  const countingFetch: typeof fetch = (input, init) => {
    upstreamCalls += 1;
    return fetch(input, init);
  };
  const client = new MawaredClient({ baseUrl: sandbox.url, timeoutMillis: 10_000, fetch: countingFetch });
  schema = buildSubgraph(readSubgraphSdl('mawared'), createMawaredResolvers(client, { now: () => NOW, events: { publish: async (event) => void events.push(event) } }));
});

afterEach(async () => {
  await fetch(new URL(FAULTS_PATH, sandbox.url), { method: 'PUT', body: JSON.stringify(NO_FAULTS) });
});

afterAll(async () => {
  await sandbox.close();
});

async function run(query: string, variables: Record<string, unknown> = {}, context: object = {}): Promise<ExecutionResult & { data: Record<string, any> }> {
  return (await execute({ schema, document: parse(query), variableValues: variables, contextValue: context })) as ExecutionResult & { data: Record<string, any> };
}

async function ok(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const result = await run(query, variables);
  expect(result.errors).toBeUndefined();
  return result.data;
}

/** An employee matching a filter, found through the API itself. */
async function findEmployee(filter: Record<string, unknown>): Promise<{ nationalId: string; issuingState: string; employeeNumber: string }> {
  const data = await ok('query ($f: EmployeeFilter) { employees(filter: $f, first: 1) { edges { node { nationalId issuingState employeeNumber } } } }', { f: filter });
  const node = data['employees'].edges[0]?.node;
  expect(node).toBeDefined();
  return node;
}

describe('the sandbox', () => {
  test('starts in under 2 s (the faster of two starts, to ride out a busy test machine)', async () => {
    const timings: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const server = await startMawaredSandbox();
      timings.push(performance.now() - started);
      await server.close();
    }
    expect(Math.min(...timings)).toBeLessThan(2_000);
  });

  test('generates at least 5,000 employees in all six states, deterministically', () => {
    const a = generateSeedData();
    const b = generateSeedData();
    expect(a.employees.length).toBeGreaterThanOrEqual(5_000);
    expect(new Set(a.entities.map((e) => e.State))).toEqual(new Set(['BH', 'KW', 'OM', 'QA', 'SA', 'AE']));
    expect(new Set(a.allPayroll().map((p) => p.Month)).size).toBe(24);
    expect(new Set(a.budgetLines.map((l) => l.FiscalYear))).toEqual(new Set([2024, 2025, 2026]));
    expect(b.employees[4321]).toEqual(a.employees[4321]);
    expect(a.employees.filter((e) => e.Nationality !== e.EntityState && ['BH', 'KW', 'OM', 'SA', 'AE'].includes(e.Nationality) && e.EntityState === 'QA').length).toBeGreaterThan(100);
  });
});

describe('Mawared resolvers against the sandbox over HTTP', () => {
  test('finds an employee by national ID, with names in both languages and the employing entity', async () => {
    const { nationalId, issuingState } = await findEmployee({ entity: { state: 'QA', code: 'MOF' }, nationality: 'QA' });
    const data = await ok('query ($id: String!, $s: MemberState!) { employee(nationalId: $id, issuingState: $s) { nationalId issuingState nationality name { en ar } gender status workArrangement entity { code name { ar } } unit { name { en } entity { code } } employmentHistory { kind startDate entity { code } } } }', { id: nationalId, s: issuingState });
    const employee = data['employee'];
    expect(employee).toMatchObject({ nationalId, issuingState: 'QA', nationality: 'QA', entity: { code: 'MOF', name: { ar: 'وزارة المالية' } }, unit: { entity: { code: 'MOF' } } });
    expect(employee.name.en).toMatch(/^[A-Za-z' -]+$/);
    expect(employee.name.ar).toMatch(/[\u0600-\u06FF]/);
    expect(employee.employmentHistory[0].kind).toMatch(/APPOINTMENT/);
  });

  test('answers null for a well-formed national ID that Mawared does not know', async () => {
    expect((await ok('{ employee(nationalId: "29963499999", issuingState: QA) { name { en } } }'))['employee']).toBeNull();
  });

  test('finds employees by part of their English or Arabic name', async () => {
    const english = await ok('{ employees(filter: { nameContains: "al-kuwari", entity: { state: QA, code: "MOF" } }, first: 3) { totalCount edges { node { name { en ar } } } } }');
    expect(english['employees'].totalCount).toBeGreaterThan(0);
    for (const edge of english['employees'].edges) expect(edge.node.name.en).toContain('Al-Kuwari');
    const arabic = await ok('{ employees(filter: { nameContains: "الكواري", entity: { state: QA, code: "MOF" } }, first: 3) { totalCount } }');
    expect(arabic['employees'].totalCount).toBe(english['employees'].totalCount);
  });

  test('lists GCC nationals employed in another member state', async () => {
    const data = await ok('{ employees(filter: { entity: { state: QA, code: "MOPH" }, nationality: "SA" }, first: 5) { totalCount edges { node { nationality issuingState entity { state } } } } }');
    expect(data['employees'].totalCount).toBeGreaterThan(0);
    for (const edge of data['employees'].edges) expect(edge.node).toEqual({ nationality: 'SA', issuingState: 'SA', entity: { state: 'QA' } });
  });

  test('walks an entity organisation tree: head office, departments, sections, positions', async () => {
    const data = await ok('{ governmentEntity(state: QA, code: "MCIT") { parent { code } organizationUnits { id level parent { id } children { id level } positions(vacant: false) { vacant holder { employeeNumber } } } } }');
    const units = data['governmentEntity'].organizationUnits;
    expect(data['governmentEntity'].parent).toBeNull();
    expect(units[0]).toMatchObject({ id: 'QA-MCIT-U00', level: 0, parent: null });
    expect(units[0].children.length).toBeGreaterThanOrEqual(4);
    expect(units.filter((u: { level: number }) => u.level === 2).every((u: { children: unknown[] }) => u.children.length === 0)).toBe(true);
    expect(units.flatMap((u: { positions: Array<{ holder: unknown }> }) => u.positions).every((p: { vacant: boolean; holder: unknown }) => !p.vacant && p.holder !== null)).toBe(true);
    expect((await ok('{ governmentEntity(state: QA, code: "IPA") { parent { code name { en } } } }'))['governmentEntity'].parent).toEqual({ code: 'CSGDB', name: { en: 'Civil Service and Government Development Bureau' } });
  });

  test('returns 24 months of payroll whose figures add up', async () => {
    const { nationalId, issuingState } = await findEmployee({ entity: { state: 'QA', code: 'MOF' }, status: 'ACTIVE', hiredTo: '2020-01-01' });
    const data = await ok('query ($e: NationalIdRef!) { payrollSummaries(employee: $e, from: "2024-11", to: "2026-10") { month currency basic allowances gross deductions net } }', { e: { nationalId, issuingState } });
    const rows = data['payrollSummaries'];
    expect(rows).toHaveLength(24);
    expect(rows[0].month).toBe('2024-11');
    for (const row of rows) {
      expect(row.currency).toBe('QAR');
      expect(row.gross).toBeCloseTo(row.basic + row.allowances, 1);
      expect(row.net).toBeCloseTo(row.gross - row.deductions, 1);
    }
  });

  test('returns three fiscal years of budget whose totals are the sums of the lines', async () => {
    for (const fiscalYear of [2024, 2025, 2026]) {
      const data = await ok('query ($y: Int!) { budget(entity: { state: SA, code: "DGA" }, fiscalYear: $y) { fiscalYear currency appropriated committed spent entity { code } lines { code name { en ar } appropriated committed spent } } }', { y: fiscalYear });
      const budget = data['budget'];
      expect(budget).toMatchObject({ fiscalYear, currency: 'SAR', entity: { code: 'DGA' } });
      expect(budget.lines).toHaveLength(5);
      expect(budget.appropriated).toBeCloseTo(budget.lines.reduce((s: number, l: { appropriated: number }) => s + l.appropriated, 0), 2);
      expect(budget.spent).toBeLessThanOrEqual(budget.committed);
    }
    expect((await ok('{ budget(entity: { state: SA, code: "DGA" }, fiscalYear: 2019) { spent } }'))['budget']).toBeNull();
  });

  describe('verifyEmployment', () => {
    test('says employed, where, since when, grade and band; fetches no salary unless asked', async () => {
      const { nationalId, issuingState } = await findEmployee({ entity: { state: 'QA', code: 'MOPH' }, nationality: 'KW', status: 'ACTIVE' });
      upstreamCalls = 0;
      const minimal = await ok('query ($id: String!, $s: MemberState!) { verifyEmployment(nationalId: $id, issuingState: $s, asOf: "2026-10-15") { employed since grade entity { code } } }', { id: nationalId, s: issuingState });
      expect(minimal['verifyEmployment']).toMatchObject({ employed: true, entity: { code: 'MOPH' } });
      expect(minimal['verifyEmployment'].grade).toMatch(/^G\d{2}$/);
      expect(upstreamCalls).toBe(3); // employee, records, entity: no payroll
      const full = await ok('query ($id: String!, $s: MemberState!) { verifyEmployment(nationalId: $id, issuingState: $s, asOf: "2026-10-15") { employed salaryBand grossMonthlySalary currency } }', { id: nationalId, s: issuingState });
      expect(full['verifyEmployment'].salaryBand).toMatch(/^(BELOW_10K|FROM_\d+K(_TO_\d+K)?)$/);
      expect(full['verifyEmployment'].grossMonthlySalary).toBeGreaterThan(0);
      expect(full['verifyEmployment'].currency).toBe('QAR');
    });

    test('says not employed after service ended, and for unknown people, without revealing more', async () => {
      const ended = await findEmployee({ entity: { state: 'QA', code: 'MOEHE' }, status: 'ENDED' });
      const history = await ok('query ($id: String!, $s: MemberState!) { employee(nationalId: $id, issuingState: $s) { employmentHistory { endDate } } }', { id: ended.nationalId, s: ended.issuingState });
      const endDate: string = history['employee'].employmentHistory.at(-1).endDate;
      const dayAfter = new Date(Date.parse(`${endDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const query = 'query ($id: String!, $s: MemberState!, $d: String) { verifyEmployment(nationalId: $id, issuingState: $s, asOf: $d) { employed entity { code } since grade salaryBand } }';
      expect((await ok(query, { id: ended.nationalId, s: ended.issuingState, d: endDate }))['verifyEmployment'].employed).toBe(true);
      if (dayAfter <= '2026-11-01') {
        expect((await ok(query, { id: ended.nationalId, s: ended.issuingState, d: dayAfter }))['verifyEmployment']).toEqual({ employed: false, entity: null, since: null, grade: null, salaryBand: null });
      }
      expect((await ok(query, { id: '1000000001', s: 'SA', d: null }))['verifyEmployment']).toEqual({ employed: false, entity: null, since: null, grade: null, salaryBand: null });
    });
  });

  describe('bad input is refused with ERR_BAD_USER_INPUT before any upstream call', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['a Qatari ID of 10 digits', '{ employee(nationalId: "2856340000", issuingState: QA) { name { en } } }'],
      ['an Emirates ID without 784', '{ employee(nationalId: "123456789012345", issuingState: AE) { name { en } } }'],
      ['a national ID with letters', '{ verifyEmployment(nationalId: "1ABC", issuingState: SA) { employed } }'],
      ['a verification date in the future', '{ verifyEmployment(nationalId: "1000000001", issuingState: SA, asOf: "2027-01-01") { employed } }'],
      ['a verification date that does not exist', '{ verifyEmployment(nationalId: "1000000001", issuingState: SA, asOf: "2026-02-30") { employed } }'],
      ['a verification date before 1950', '{ verifyEmployment(nationalId: "1000000001", issuingState: SA, asOf: "1900-01-01") { employed } }'],
      ['a payroll range over 36 months', '{ payrollSummaries(employee: { nationalId: "1000000001", issuingState: SA }, from: "2020-01", to: "2026-10") { net } }'],
      ['a payroll range backwards', '{ payrollSummaries(employee: { nationalId: "1000000001", issuingState: SA }, from: "2026-10", to: "2026-01") { net } }'],
      ['a month 13', '{ payrollSummaries(employee: { nationalId: "1000000001", issuingState: SA }, from: "2026-13", to: "2026-13") { net } }'],
      ['a fiscal year out of range', '{ budget(entity: { state: QA, code: "MOF" }, fiscalYear: 1850) { spent } }'],
      ['an unknown nationality code', '{ employees(filter: { nationality: "Saudi" }) { totalCount } }'],
      ['a malformed entity code', '{ governmentEntity(state: QA, code: "mof\' or 1 eq 1") { code } }'],
      ['a hire-date range backwards', '{ employees(filter: { hiredFrom: "2020-01-01", hiredTo: "2010-01-01" }) { totalCount } }'],
      ['a name search mixing Arabic and Latin script, which Mawared cannot express', '{ employees(filter: { nameContains: "Al-الكواري" }) { totalCount } }'],
      ['a name search with wildcards', '{ employees(filter: { nameContains: "Al-K*" }) { totalCount } }'],
      ['a page size over the limit', '{ employees(first: 101) { totalCount } }'],
    ];

    test.each(cases)('%s', async (_name, query) => {
      await fetch(new URL(FAULTS_PATH, sandbox.url), { method: 'PUT', body: JSON.stringify({ down: true }) });
      upstreamCalls = 0;
      const result = await run(query);
      expect(result.errors?.[0]?.extensions?.['code']).toBe('ERR_BAD_USER_INPUT');
      expect(result.errors?.[0]?.message.length).toBeGreaterThan(10);
      expect(upstreamCalls).toBe(0);
    });
  });

  describe('requestSecondment', () => {
    const mutation = `mutation ($input: SecondmentRequestInput!) { requestSecondment(input: $input) { id clientKey status startDate endDate employee { employeeNumber } homeEntity { code } hostEntity { state code } } }`;

    test('creates a request once per client key, replays it for the same input and refuses a different input', async () => {
      const { nationalId, issuingState, employeeNumber } = await findEmployee({ entity: { state: 'QA', code: 'CSGDB' }, status: 'ACTIVE' });
      const input = { clientKey: 'hr-portal-0001', employee: { nationalId, issuingState }, hostEntity: { state: 'SA', code: 'MHRSD' }, startDate: '2027-01-01', endDate: '2027-12-31', reason: 'GCC civil-service mobility programme' };
      events.length = 0;
      const first = await ok(mutation, { input });
      expect(first['requestSecondment']).toMatchObject({ clientKey: 'hr-portal-0001', status: 'SUBMITTED', employee: { employeeNumber }, homeEntity: { code: 'CSGDB' }, hostEntity: { state: 'SA', code: 'MHRSD' } });
      const again = await ok(mutation, { input });
      expect(again['requestSecondment']).toEqual(first['requestSecondment']);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'gcc.hr.secondment.requested.v1', subject: first['requestSecondment'].id });

      const conflict = await run(mutation, { input: { ...input, endDate: '2028-06-30' } });
      expect(conflict.errors?.[0]?.extensions?.['code']).toBe('ERR_BAD_USER_INPUT');
      expect(conflict.errors?.[0]?.message).toMatch(/clientKey/);

      const read = await ok('query ($id: ID!) { secondmentRequest(id: $id) { id status reason } }', { id: first['requestSecondment'].id });
      expect(read['secondmentRequest']).toEqual({ id: first['requestSecondment'].id, status: 'SUBMITTED', reason: input.reason });
    });

    test('keeps two clients\u2019 equal keys apart', async () => {
      // A Saudi national: the SA client sees only SA nationals' records (mawared-row-scope.ts).
      const { nationalId, issuingState } = await findEmployee({ entity: { state: 'QA', code: 'MOF' }, status: 'ACTIVE', nationality: 'SA' });
      const input = { clientKey: 'shared-key-0001', employee: { nationalId, issuingState }, hostEntity: { state: 'AE', code: 'FAHR' }, startDate: '2027-03-01', endDate: '2027-08-31' };
      const a = await run(mutation, { input }, { clientId: 'GCC:QA:GOV:CSGDB:hr-portal' });
      const b = await run(mutation, { input: { ...input, endDate: '2027-09-30' } }, { clientId: 'GCC:SA:GOV:MHRSD:mobility' });
      expect(a.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();
      expect(a.data['requestSecondment'].id).not.toBe(b.data['requestSecondment'].id);
      expect(b.data['requestSecondment'].clientKey).toBe('shared-key-0001');
    });

    test('refuses bad input and unknown people with typed errors', async () => {
      const base = { clientKey: 'hr-portal-0002', employee: { nationalId: '1000000001', issuingState: 'SA' }, hostEntity: { state: 'QA', code: 'MOF' }, startDate: '2027-01-01', endDate: '2027-02-01' };
      const short = await run(mutation, { input: { ...base, clientKey: 'x' } });
      expect(short.errors?.[0]?.extensions?.['code']).toBe('ERR_BAD_USER_INPUT');
      const long = await run(mutation, { input: { ...base, endDate: '2032-01-01' } });
      expect(long.errors?.[0]?.extensions?.['code']).toBe('ERR_BAD_USER_INPUT');
      const unknown = await run(mutation, { input: base });
      expect(unknown.errors?.[0]?.extensions?.['code']).toBe('ERR_ENTITY_NOT_FOUND');
    });
  });
});
