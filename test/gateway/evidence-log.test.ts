import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLExchangeRecord, SealedRecord } from '../../gateway/audit/audit-record.js';
import { listSegments, SEGMENTS_DIR } from '../../gateway/audit/evidence-log.js';
import { verifyLog } from '../../gateway/audit/verify-log.js';
import { whoAccessed } from '../../gateway/audit/who-accessed.js';
import { packageRoot } from '../../schemas/schema-files.js';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';

function records(dir: string): Array<SealedRecord & { body: GraphQLExchangeRecord }> {
  return listSegments(dir).flatMap((s) =>
    readFileSync(s.path, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as SealedRecord & { body: GraphQLExchangeRecord }),
  );
}

const QUERY = 'query Spend { governmentEntity(state: QA, code: "MOF") { name { en } headcount cloudSpend(month: "2026-10") { totalQar } } }';

describe('the evidence log behind the gateway', () => {
  let dir: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gccgw-evidence-gw-'));
    gateway = await startTestGateway({ audit: { dir, subjectArguments: ['code'] } });
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records who asked what, for which purpose, with field sensitivities, but no response data', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: QUERY }, { 'x-gccgw-purpose': 'BUDGET_REVIEW', 'x-request-id': 'evidence-0000-0001' });
    expect(response.status).toBe(200);
    const record = records(dir).find((r) => r.body.requestId === 'evidence-0000-0001');
    expect(record?.body).toMatchObject({
      type: 'graphql.exchange',
      clientId: 'GCC:QA:GOV:CSGDB:hr-portal',
      authenticatedBy: 'insecure-demo-port',
      purpose: 'BUDGET_REVIEW',
      operationName: 'Spend',
      operationType: 'query',
      outcome: 'success',
      errorCodes: [],
      subgraphs: ['gov-cloud', 'mawared'],
    });
    expect(record?.body.operationHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record?.body.fields).toEqual(
      expect.arrayContaining([
        { coordinate: 'GovernmentEntity.headcount', sensitivity: 'INTERNAL' },
        { coordinate: 'GovernmentEntity.cloudSpend', sensitivity: 'FINANCIAL' },
      ]),
    );
    const line = readFileSync(listSegments(dir)[0]!.path, 'utf8');
    expect(line).not.toContain('Ministry of Finance');
    expect(line).not.toContain('"MOF"');
  });

  it('records refused operations with their error codes', async () => {
    await postGraphQL(gateway.graphqlUrl, { query: '{ nope }' }, { 'x-request-id': 'evidence-0000-0002' });
    const record = records(dir).find((r) => r.body.requestId === 'evidence-0000-0002');
    expect(record?.body).toMatchObject({ outcome: 'rejected', errorCodes: ['ERR_GRAPHQL_VALIDATION_FAILED'] });
  });

  it('answers who accessed a subject, matching by keyed hash', async () => {
    const entries = whoAccessed(dir, { kind: 'code', value: 'MOF' });
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries[0]).toMatchObject({ clientId: 'GCC:QA:GOV:CSGDB:hr-portal', purpose: 'BUDGET_REVIEW', operationName: 'Spend' });
    expect(whoAccessed(dir, { kind: 'code', value: 'MOPH' })).toEqual([]);
    expect(whoAccessed(dir, { kind: 'code', value: 'MOF' }, { since: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  it('finds subjects passed through variables, including inside an input object', async () => {
    await postGraphQL(gateway.graphqlUrl, { query: 'query Q($c: String!) { governmentEntity(state: QA, code: $c) { code } }', variables: { c: 'MCIT' } });
    await postGraphQL(gateway.graphqlUrl, {
      query: 'query E($f: EmployeeFilter) { employees(filter: $f, first: 1) { totalCount } }',
      variables: { f: { entity: { state: 'QA', code: 'MOEHE' } } },
    });
    // The same operation twice: the document is walked once, the subjects are taken per request.
    await postGraphQL(gateway.graphqlUrl, { query: 'query Q($c: String!) { governmentEntity(state: QA, code: $c) { code } }', variables: { c: 'PSA' } });
    expect(whoAccessed(dir, { kind: 'code', value: 'MCIT' }).map((e) => e.operationName)).toEqual(['Q']);
    expect(whoAccessed(dir, { kind: 'code', value: 'MOEHE' }).map((e) => e.operationName)).toEqual(['E']);
    expect(whoAccessed(dir, { kind: 'code', value: 'PSA' }).map((e) => e.operationName)).toEqual(['Q']);
  });

  it('proves the chain with gccgw audit verify and answers who-accessed from the CLI', () => {
    const bin = join(packageRoot(), 'bin', 'gccgw.js');
    const verify = spawnSync(process.execPath, [bin, 'audit', 'verify', '--dir', dir], { encoding: 'utf8' });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^OK: \d+ records/);
    const who = spawnSync(process.execPath, [bin, 'audit', 'who-accessed', 'MOF', '--kind', 'code', '--dir', dir, '--json'], { encoding: 'utf8' });
    expect(who.status).toBe(0);
    expect((JSON.parse(who.stdout) as unknown[]).length).toBeGreaterThanOrEqual(1);
    const tail = spawnSync(process.execPath, [bin, 'audit', 'tail', '-n', '1', '--dir', dir], { encoding: 'utf8' });
    expect(tail.stdout).toMatch(/^#\d+ \S+ graphql\.exchange/);
    expect(verifyLog(dir).ok).toBe(true);
  });
});

describe('the gateway when the evidence log cannot be written', () => {
  it('fails closed: once a record cannot be written, no answer is given without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-evidence-full-'));
    const gateway = await startTestGateway({ audit: { dir, segmentMaxBytes: 4096 } });
    // The next segment is /dev/full: writes to it fail with ENOSPC, like a full disk.
    symlinkSync('/dev/full', join(dir, SEGMENTS_DIR, '000002.jsonl'));
    try {
      const statuses: number[] = [];
      let refusal: Awaited<ReturnType<typeof postGraphQL>> | undefined;
      for (let i = 0; i < 40; i++) {
        const response = await postGraphQL(gateway.graphqlUrl, { query: QUERY });
        statuses.push(response.status);
        if (response.status !== 200) refusal ??= response;
      }
      expect(refusal?.status).toBe(503);
      expect(refusal?.body.errors?.[0]?.extensions?.['code']).toBe('ERR_AUDIT_UNAVAILABLE');
      expect(refusal?.body.data).toBeUndefined();
      expect(refusal?.text).not.toContain('Ministry of Finance');
      const firstFailure = statuses.indexOf(503);
      expect(firstFailure).toBeGreaterThan(0);
      expect(statuses.slice(firstFailure).every((status) => status === 503)).toBe(true);
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
