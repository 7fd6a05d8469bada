import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { AdapterError, FAULTS_PATH, NO_FAULTS, startJsonHttpServer, type FaultSettings, type RunningServer } from '../kit/index.js';
import { MawaredClient, parseRetryAfter } from './mawared-client.js';
import { startMawaredSandbox } from './sandbox/mawared-sandbox.js';

let sandbox: RunningServer;
let client: MawaredClient;

async function setFaults(faults: Partial<FaultSettings>): Promise<void> {
  const response = await fetch(new URL(FAULTS_PATH, sandbox.url), { method: 'PUT', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
}

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AdapterError);
  return error as AdapterError;
}

beforeAll(async () => {
  sandbox = await startMawaredSandbox();
  client = new MawaredClient({ baseUrl: sandbox.url, timeoutMillis: 5_000 });
});

afterEach(async () => {
  await setFaults(NO_FAULTS);
});

afterAll(async () => {
  await sandbox.close();
});

describe('MawaredClient maps each upstream failure to an adapter error', () => {
  test('a dropped connection is ERR_UPSTREAM_UNAVAILABLE', async () => {
    await setFaults({ down: true });
    expect((await failure(client.query('GovernmentEntities', { top: 1 }))).code).toBe('ERR_UPSTREAM_UNAVAILABLE');
  });

  test('503 with Retry-After is ERR_UPSTREAM_UNAVAILABLE, retriable, carrying retryAfterSeconds', async () => {
    await setFaults({ errorRate: 1, errorStatus: 503 });
    const error = await failure(client.query('GovernmentEntities', { top: 1 }));
    expect(error.code).toBe('ERR_UPSTREAM_UNAVAILABLE');
    expect(error.retriable).toBe(true);
    expect(error.upstreamStatus).toBe(503);
    expect(error.extensions['retryAfterSeconds']).toBe(1);
  });

  test('429 with Retry-After is ERR_UPSTREAM_UNAVAILABLE with retryAfterSeconds and a rate-limit message', async () => {
    await setFaults({ errorRate: 1, errorStatus: 429 });
    const error = await failure(client.query('GovernmentEntities', { top: 1 }));
    expect(error.code).toBe('ERR_UPSTREAM_UNAVAILABLE');
    expect(error.message).toMatch(/limiting the rate/);
    expect(error.retryAfterSeconds).toBe(1);
  });

  test('500 is ERR_UPSTREAM_UNAVAILABLE without retryAfterSeconds', async () => {
    await setFaults({ errorRate: 1, errorStatus: 500 });
    const error = await failure(client.query('GovernmentEntities', { top: 1 }));
    expect(error.code).toBe('ERR_UPSTREAM_UNAVAILABLE');
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  test('an answer slower than the timeout is ERR_UPSTREAM_TIMEOUT', async () => {
    const impatient = new MawaredClient({ baseUrl: sandbox.url, timeoutMillis: 150 });
    await setFaults({ latencyMillis: 600 });
    expect((await failure(impatient.query('GovernmentEntities', { top: 1 }))).code).toBe('ERR_UPSTREAM_TIMEOUT');
    await new Promise((resolve) => setTimeout(resolve, 600));
  });

  test('an OData error body (400) is ERR_UPSTREAM_REJECTED with the upstream message', async () => {
    const error = await failure(client.query('GovernmentEntities', { select: ['Nope'] }));
    expect(error.code).toBe('ERR_UPSTREAM_REJECTED');
    expect(error.message).toContain("Could not find a property named 'Nope'");
  });

  test('404 on a resource is ERR_ENTITY_NOT_FOUND; on a keyed lookup it is "absent"', async () => {
    expect((await failure(client.query('NoSuchSet', {}))).code).toBe('ERR_ENTITY_NOT_FOUND');
    await expect(client.getByKey('Employees', 'M000000')).resolves.toBeUndefined();
    await expect(client.getByKey('Employees', 'M100001')).resolves.toMatchObject({ EmployeeNumber: 'M100001' });
  });

  test('a body without an OData value array is ERR_UPSTREAM_BAD_RESPONSE', async () => {
    const odd = await startJsonHttpServer(() => ({ status: 200, body: { rows: [] } }));
    try {
      const error = await failure(new MawaredClient({ baseUrl: odd.url, timeoutMillis: 2_000 }).query('GovernmentEntities', {}));
      expect(error.code).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    } finally {
      await odd.close();
    }
  });

  test('a repeatable request replayed with another body is ERR_BAD_USER_INPUT', async () => {
    const body = { EmployeeNumber: 'M100002', HostState: 'SA', HostCode: 'DGA', StartDate: '2027-01-01', EndDate: '2027-06-30', Reason: null };
    const first = await client.createSecondment<{ Id: string }>(body, 'client-test-key-1');
    expect(first.created).toBe(true);
    const again = await client.createSecondment<{ Id: string }>(body, 'client-test-key-1');
    expect(again).toEqual({ created: false, row: first.row });
    const error = await failure(client.createSecondment({ ...body, EndDate: '2027-12-31' }, 'client-test-key-1'));
    expect(error.code).toBe('ERR_BAD_USER_INPUT');
  });
});

describe('parseRetryAfter', () => {
  test('reads delta-seconds and HTTP-dates (RFC 9110 §10.2.3) and ignores garbage', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
