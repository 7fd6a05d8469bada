import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { buildSubgraph, type RunningServer } from '../kit/index.js';
import { MawaredClient } from './mawared-client.js';
import { createMawaredResolvers } from './mawared-resolvers.js';
import { odataFilter, odataQueryParams } from './odata-request.js';
import { startMawaredSandbox } from './sandbox/mawared-sandbox.js';

/** Requests as Mawared receives them, decoded for reading: `Set?$filter=...&$select=...`. */
function recordingFetch(log: string[]): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    log.push(decodeURIComponent(`${url.pathname.replace(/^.*\/odata\/v4\/?/, '')}${url.search.replace(/\+/g, ' ')}`));
    return fetch(input, init);
  };
}

let sandbox: RunningServer;
let schema: GraphQLSchema;
const requests: string[] = [];

beforeAll(async () => {
  sandbox = await startMawaredSandbox();
  const client = new MawaredClient({ baseUrl: sandbox.url, timeoutMillis: 10_000, fetch: recordingFetch(requests) });
  schema = buildSubgraph(readSubgraphSdl('mawared'), createMawaredResolvers(client));
});

afterAll(async () => {
  await sandbox.close();
});

async function upstreamRequestsFor(query: string, variables: Record<string, unknown> = {}): Promise<string[]> {
  requests.length = 0;
  const result = (await execute({ schema, document: parse(query), variableValues: variables, contextValue: {} })) as ExecutionResult;
  expect(result.errors).toBeUndefined();
  return [...requests];
}

describe('GraphQL arguments and selections translate into OData query options', () => {
  const table: ReadonlyArray<{ readonly name: string; readonly query: string; readonly variables?: Record<string, unknown>; readonly expected: readonly string[] }> = [
    {
      name: 'one entity by key selects only the asked fields and the key',
      query: '{ governmentEntity(state: QA, code: "MOF") { name { en } } }',
      expected: ["GovernmentEntities?$filter=State eq 'QA' and Code eq 'MOF'&$select=State,Code,NameEn,NameAr&$top=1"],
    },
    {
      name: 'a page of entities of one state and kind, after a cursor',
      query: 'query ($after: String) { governmentEntities(state: SA, kind: MINISTRY, first: 5, after: $after) { totalCount edges { node { code kind headcount } } } }',
      variables: { after: Buffer.from('o1:4').toString('base64url') },
      expected: ["GovernmentEntities?$filter=State eq 'SA' and Kind eq 'Ministry'&$select=State,Code,Kind,Headcount&$orderby=State asc,Code asc&$top=5&$skip=5&$count=true"],
    },
    {
      name: 'employees filtered by entity, status, nationality, grade and hire dates, newest first',
      query: `{ employees(filter: { entity: { state: QA, code: "MOPH" }, status: ACTIVE, nationality: "SA", grade: "G07", hiredFrom: "2010-01-01", hiredTo: "2020-12-31" },
                      orderBy: HIRE_DATE_DESC, first: 3) { totalCount edges { node { name { en ar } hireDate } } } }`,
      expected: [
        "Employees?$filter=EntityState eq 'QA' and EntityCode eq 'MOPH' and Status eq 'Active' and Nationality eq 'SA' and Grade eq 'G07' and HireDate ge '2010-01-01' and HireDate le '2020-12-31'&$select=EmployeeNumber,NameEn,NameAr,HireDate&$orderby=HireDate desc,EmployeeNumber asc&$top=3&$count=true",
      ],
    },
    {
      name: 'fragments count as selections',
      query: '{ employees(filter: { unitId: "QA-MOF-U11" }, orderBy: NAME_EN, first: 2) { edges { node { ...E } } } } fragment E on Employee { gender ... on Employee { status } }',
      expected: ["Employees?$filter=UnitId eq 'QA-MOF-U11'&$select=EmployeeNumber,Gender,Status&$orderby=NameEn asc,EmployeeNumber asc&$top=2&$count=true"],
    },
    {
      name: 'a name search in Latin script looks in the English name',
      query: '{ employees(filter: { nameContains: "Al-Kuwari" }, first: 2) { totalCount } }',
      expected: ["Employees?$filter=contains(NameEn,'Al-Kuwari')&$select=EmployeeNumber&$orderby=EmployeeNumber asc&$top=2&$count=true"],
    },
    {
      name: 'a name search in Arabic script looks in the Arabic name',
      query: '{ employees(filter: { nameContains: "الكواري", entity: { state: QA, code: "MOF" } }, first: 2) { totalCount } }',
      expected: ["Employees?$filter=EntityState eq 'QA' and EntityCode eq 'MOF' and contains(NameAr,'الكواري')&$select=EmployeeNumber&$orderby=EmployeeNumber asc&$top=2&$count=true"],
    },
    {
      name: 'a budget is one query on budget lines for the entity and year',
      query: '{ budget(entity: { state: QA, code: "MOF" }, fiscalYear: 2025) { appropriated } }',
      expected: ["BudgetLines?$filter=EntityCode in ('MOF') and EntityState in ('QA') and FiscalYear in (2025)&$orderby=LineCode asc&$top=1000"],
    },
  ];

  test.each(table)('$name', async ({ query, variables, expected }) => {
    expect(await upstreamRequestsFor(query, variables)).toEqual(expected);
  });

  test('relations of many rows are fetched in one batched `in` query per kind (no N+1)', async () => {
    const made = await upstreamRequestsFor(`{ employees(filter: { entity: { state: QA, code: "MOF" } }, first: 40) {
      edges { node { entity { name { en } } unit { name { en } } payrollSummaries(from: "2026-01", to: "2026-03") { gross } } } } }`);
    expect(made).toHaveLength(4);
    expect(made[0]).toMatch(/^Employees\?/);
    expect(made.slice(1).map((request) => request.split('?')[0]).sort()).toEqual(['GovernmentEntities', 'OrganizationUnits', 'PayrollSummaries']);
    expect(made.find((request) => request.startsWith('PayrollSummaries'))).toMatch(/^PayrollSummaries\?\$filter=EmployeeNumber in \('M\d+'(,'M\d+'){39}\) and Month ge '2026-01' and Month le '2026-03'/);
  });
});

describe('OData literals', () => {
  test('quotes strings and doubles embedded quotes, so input cannot change the filter', () => {
    expect(odataFilter([{ field: 'NameEn', op: 'eq', value: "O'Brien' or 1 eq 1" }])).toBe("NameEn eq 'O''Brien'' or 1 eq 1'");
    expect(odataFilter([{ field: 'Vacant', op: 'eq', value: true }, { field: 'FiscalYear', op: 'in', value: [2024, 2025] }, { field: 'EndDate', op: 'eq', value: null }])).toBe(
      'Vacant eq true and FiscalYear in (2024,2025) and EndDate eq null',
    );
  });

  test('refuses property names that are not from the mapping tables', () => {
    expect(() => odataQueryParams({ select: ['Name,Secret'] })).toThrow(TypeError);
    expect(() => odataFilter([{ field: "x' or '1", op: 'eq', value: 1 }])).toThrow(TypeError);
  });
});
