import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startJsonHttpServer, type RunningServer } from '../kit/index.js';
import { ArmHttpClient, retryAfterMillis } from './arm-http-client.js';
import { GovCloudError } from './gov-cloud-error.js';

/** A misbehaving upstream, speaking plain HTTP: links elsewhere, loops, answers non-JSON. */
describe('ArmHttpClient', () => {
  let upstream: RunningServer;
  let client: ArmHttpClient;

  beforeAll(async () => {
    upstream = await startJsonHttpServer((request) => {
      switch (request.url.pathname) {
        case '/elsewhere':
          return { status: 200, body: { value: [1], nextLink: 'http://attacker.invalid/steal?api-version=1' } };
        case '/loop':
          return { status: 200, body: { value: [1], nextLink: `/loop?api-version=1&n=${Number(request.url.searchParams.get('n') ?? 0) + 1}` } };
        case '/no-value':
          return { status: 200, body: { items: [] } };
        case '/api-version':
          return { status: 200, body: { value: [request.url.searchParams.get('api-version')] } };
        default:
          return { status: 404, body: { error: { code: 'ResourceNotFound', message: 'none' } } };
      }
    });
    client = new ArmHttpClient({ baseUrl: upstream.url, apiVersion: '2026-01-01', timeoutMillis: 2_000, maxPages: 5 });
  });
  afterAll(async () => {
    await upstream.close();
  });

  const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GovCloudError);
    return (error as GovCloudError).code;
  };

  it('sends the api-version on every call', async () => {
    expect((await client.list<string>('api-version', {})).items).toEqual(['2026-01-01']);
  });

  it('refuses a nextLink to another origin', async () => {
    expect(await codeOf(client.list('elsewhere', {}))).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('stops following nextLink after maxPages', async () => {
    expect(await codeOf(client.list('loop', {}))).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('refuses a listing without a value array', async () => {
    expect(await codeOf(client.list('no-value', {}))).toBe('ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('maps 404 to ERR_ENTITY_NOT_FOUND, and find() to undefined', async () => {
    expect(await codeOf(client.get('nothing'))).toBe('ERR_ENTITY_NOT_FOUND');
    expect(await client.find('nothing')).toBeUndefined();
  });

  it('reads retry-after-ms before Retry-After seconds or dates', () => {
    expect(retryAfterMillis(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMillis(new Headers({ 'retry-after': '3' }))).toBe(3_000);
    expect(retryAfterMillis(new Headers({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() }))).toBeGreaterThan(50_000);
    expect(retryAfterMillis(new Headers({ 'retry-after': 'soon' }), 700)).toBe(700);
  });
});
