import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { AdapterEvent } from '../kit/index.js';
import { EmploymentChangeFeed } from './employment-change-feed.js';
import { MawaredClient } from './mawared-client.js';
import { EMPLOYMENT_CHANGES_PATH, startMawaredSandbox } from './sandbox/mawared-sandbox.js';
import type { EmployeeRow } from './sandbox/seed.js';

const logger = pino({ level: 'silent' });

describe('the Mawared employment change feed', () => {
  let sandbox: Awaited<ReturnType<typeof startMawaredSandbox>>;
  let client: MawaredClient;
  let gccNational: EmployeeRow;
  let expatriate: EmployeeRow;
  const change = async (body: Record<string, unknown>): Promise<Response> =>
    fetch(new URL(EMPLOYMENT_CHANGES_PATH, sandbox.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    sandbox = await startMawaredSandbox();
    client = new MawaredClient({ baseUrl: sandbox.url, timeoutMillis: 5_000 });
    // A Saudi national working for a Qatari entity (cross-border), and an expatriate (not).
    gccNational = (await client.query<EmployeeRow>('Employees', { filter: [{ field: 'Nationality', op: 'eq', value: 'SA' }, { field: 'EntityState', op: 'eq', value: 'QA' }, { field: 'Status', op: 'eq', value: 'Active' }], top: 1 })).rows[0] as EmployeeRow;
    expatriate = (await client.query<EmployeeRow>('Employees', { filter: [{ field: 'Nationality', op: 'in', value: ['IN', 'EG', 'PK', 'PH', 'JO', 'SY'] }, { field: 'Status', op: 'eq', value: 'Active' }], top: 1 })).rows[0] as EmployeeRow;
    expect(gccNational).toBeDefined();
    expect(expatriate).toBeDefined();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('publishes an ended employment of a GCC national with the schema\u2019s fields, and skips expatriates', async () => {
    const published: AdapterEvent[] = [];
    const feed = new EmploymentChangeFeed({ client, logger, events: { publish: async (event) => void published.push(event) } });
    expect((await change({ employeeNumber: gccNational.EmployeeNumber, kind: 'Ended', date: '2026-11-30', reason: 'Retirement' })).status).toBe(201);
    expect((await change({ employeeNumber: expatriate.EmployeeNumber, kind: 'Ended', date: '2026-11-30' })).status).toBe(201);
    expect(await feed.pollOnce()).toBe(2);
    expect(published).toEqual([
      {
        type: 'gcc.hr.employment.ended.v1',
        subject: gccNational.EmployeeNumber,
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        data: {
          employeeNumber: gccNational.EmployeeNumber,
          person: { nationalId: gccNational.NationalId, issuingState: gccNational.IssuingState },
          nationality: 'SA',
          entity: { state: 'QA', code: gccNational.EntityCode },
          endDate: '2026-11-30',
          reason: 'RETIREMENT',
        },
      },
    ]);
    // The employee's status changed in Mawared, as the change says.
    const after = await client.getByKey<EmployeeRow>('Employees', gccNational.EmployeeNumber);
    expect(after?.Status).toBe('Ended');
    // Nothing new: nothing published again.
    expect(await feed.pollOnce()).toBe(0);
    expect(published).toHaveLength(1);
  });

  it('does not move past a change the sink refused, so it is published on the next poll', async () => {
    const published: AdapterEvent[] = [];
    let refuse = true;
    const feed = new EmploymentChangeFeed({
      client,
      logger,
      events: {
        publish: async (event) => {
          if (refuse) throw new Error('outbox unavailable');
          published.push(event);
        },
      },
    });
    // Start where the first test left the feed (two rows already handled).
    await expect(feed.pollOnce()).rejects.toThrow('outbox unavailable');
    expect(feed.position).toBe(0);
    refuse = false;
    expect((await change({ employeeNumber: gccNational.EmployeeNumber, kind: 'Started', date: '2026-12-01' })).status).toBe(201);
    await feed.pollOnce();
    expect(feed.position).toBe(3);
    expect(published.map((e) => e.type)).toEqual(['gcc.hr.employment.ended.v1', 'gcc.hr.employment.started.v1']);
    expect(published[1]?.data).toMatchObject({ startDate: '2026-12-01', grade: gccNational.Grade });
  });

  it('refuses a change that contradicts the employee\u2019s status', async () => {
    const response = await change({ employeeNumber: gccNational.EmployeeNumber, kind: 'Started' });
    expect(response.status).toBe(409);
  });
});
