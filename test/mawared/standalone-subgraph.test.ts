import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { FAULTS_PATH, loadBuiltInAdapter, serveSubgraph, SUBGRAPH_HEADERS, type RunningServer } from '../../adapters/kit/index.js';

/**
 * The Mawared subgraph served on its own over HTTP, as `gccgw adapter serve mawared` does in the
 * distributed mode, in front of its sandbox.
 */
let sandbox: RunningServer;
let subgraph: RunningServer;

beforeAll(async () => {
  const adapter = await loadBuiltInAdapter('mawared');
  const logger = pino({ level: 'silent' });
  sandbox = await adapter.startSandbox({ logger });
  subgraph = await serveSubgraph(adapter.createSubgraph({ upstreamUrl: sandbox.url, upstreamTimeoutMillis: 5_000, logger }), { logger });
});

afterAll(async () => {
  await subgraph?.close();
  await sandbox?.close();
});

async function graphql(query: string, headers: Record<string, string> = {}): Promise<{ data?: Record<string, unknown>; errors?: Array<{ extensions?: Record<string, unknown> }> }> {
  const response = await fetch(`${subgraph.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: Record<string, unknown> };
}

describe('the Mawared subgraph served standalone', () => {
  test('answers federation entity lookups for entities, employees and units, null for unknown keys', async () => {
    const body = await graphql(`{ _entities(representations: [
      { __typename: "GovernmentEntity", state: "QA", code: "MOF" },
      { __typename: "GovernmentEntity", state: "OM", code: "MTCIT" },
      { __typename: "GovernmentEntity", state: "QA", code: "NOPE" },
      { __typename: "Employee", employeeNumber: "M100002" },
      { __typename: "OrganizationUnit", id: "QA-MOF-U00" }
    ]) { ... on GovernmentEntity { code name { en } } ... on Employee { name { en } entity { code } } ... on OrganizationUnit { name { en } level } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['_entities']).toEqual([
      { code: 'MOF', name: { en: 'Ministry of Finance' } },
      { code: 'MTCIT', name: { en: 'Ministry of Transport, Communications and Information Technology' } },
      null,
      { name: { en: 'Lulwa Sultan Al-Khulaifi' }, entity: { code: 'MOF' } },
      { name: { en: "Minister's Office" }, level: 0 },
    ]);
  });

  test('scopes a secondment client key to the ClientId the gateway forwards', async () => {
    const mutation = (end: string): string => `mutation { requestSecondment(input: { clientKey: "same-key-42", employee: { nationalId: "28563400002", issuingState: QA },
      hostEntity: { state: KW, code: "CSC" }, startDate: "2027-02-01", endDate: "${end}" }) { id clientKey } }`;
    const a = await graphql(mutation('2027-05-31'), { [SUBGRAPH_HEADERS.clientId]: 'GCC:QA:GOV:CSGDB:hr-portal' });
    // Another Qatari client: one from KW would not see this Qatari employee at all (row filtering).
    const b = await graphql(mutation('2027-06-30'), { [SUBGRAPH_HEADERS.clientId]: 'GCC:QA:GOV:MOF:mobility' });
    const replay = await graphql(mutation('2027-05-31'), { [SUBGRAPH_HEADERS.clientId]: 'GCC:QA:GOV:CSGDB:hr-portal' });
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(replay.data).toEqual(a.data);
    expect(b.data).not.toEqual(a.data);
  });

  test('reports ready only while Mawared answers', async () => {
    expect((await fetch(`${subgraph.url}/readyz`)).status).toBe(200);
    await fetch(new URL(FAULTS_PATH, sandbox.url), { method: 'PUT', body: JSON.stringify({ down: true }) });
    try {
      expect((await fetch(`${subgraph.url}/readyz`)).status).toBe(503);
      const body = await graphql('{ governmentEntities(first: 1) { totalCount } }');
      expect(body.errors?.[0]?.extensions?.['code']).toBe('ERR_UPSTREAM_UNAVAILABLE');
    } finally {
      await fetch(new URL(FAULTS_PATH, sandbox.url), { method: 'PUT', body: JSON.stringify({ down: false }) });
    }
  });
});
