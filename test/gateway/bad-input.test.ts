import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

/** Every refusal is a GraphQL-over-HTTP error body with a registry code and the correlation id; never a stack. */
function expectRefusal(response: { status: number; text: string; headers: Headers; body: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body.errors?.[0]?.extensions?.['code']).toBe(code);
  expect(response.body.errors?.[0]?.message).toEqual(expect.any(String));
  expect(response.body.errors?.[0]?.extensions?.['correlationId']).toBe(response.headers.get('x-request-id'));
  expect(response.text).not.toMatch(/\bat [^\s]+ \(|stacktrace|node_modules/);
}

describe('bad input', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { bodyLimitBytes: 4096 } });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('refuses malformed JSON with 400 ERR_BAD_JSON', async () => {
    expectRefusal(await postGraphQL(gateway.graphqlUrl, '{"query": "{ __typename }"'), 400, 'ERR_BAD_JSON');
  });

  it('refuses a body that is JSON but not a GraphQL request with 400 ERR_BAD_REQUEST', async () => {
    expectRefusal(await postGraphQL(gateway.graphqlUrl, '[1, 2, 3]'), 400, 'ERR_BAD_REQUEST');
    expectRefusal(await postGraphQL(gateway.graphqlUrl, { variables: {} }), 400, 'ERR_BAD_REQUEST');
  });

  it('refuses malformed GraphQL with 400 ERR_GRAPHQL_PARSE_FAILED', async () => {
    expectRefusal(await postGraphQL(gateway.graphqlUrl, { query: '{ governmentEntity(state: QA' }), 400, 'ERR_GRAPHQL_PARSE_FAILED');
  });

  it('refuses unknown fields with 400 ERR_GRAPHQL_VALIDATION_FAILED naming the field', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: '{ governmentEntity(state: QA, code: "MOF") { salaryOfTheMinister } }' });
    expectRefusal(response, 400, 'ERR_GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors?.[0]?.message).toContain('salaryOfTheMinister');
  });

  it('refuses wrong variable types with 400 ERR_BAD_USER_INPUT', async () => {
    const query = 'query Q($state: MemberState!, $code: String!) { governmentEntity(state: $state, code: $code) { code } }';
    expectRefusal(await postGraphQL(gateway.graphqlUrl, { query, variables: { state: 'XX', code: 'MOF' } }), 400, 'ERR_BAD_USER_INPUT');
    expectRefusal(await postGraphQL(gateway.graphqlUrl, { query, variables: { state: 'QA', code: 42 } }), 400, 'ERR_BAD_USER_INPUT');
    expectRefusal(await postGraphQL(gateway.graphqlUrl, { query, variables: { state: 'QA' } }), 400, 'ERR_BAD_USER_INPUT');
  });

  it('refuses an operation name that is not in the document', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: 'query A { __typename }', operationName: 'B' });
    expectRefusal(response, 400, 'ERR_OPERATION_NOT_FOUND');
    expect(response.body.errors?.[0]?.message).toContain('"B"');
  });

  it('refuses a body over the configured limit with 413 ERR_BODY_TOO_LARGE', async () => {
    const query = `{ __typename ${'#'.repeat(5000)}\n}`;
    expectRefusal(await postGraphQL(gateway.graphqlUrl, { query }), 413, 'ERR_BODY_TOO_LARGE');
  });

  it('refuses unsupported methods with 405 and an Allow header', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(gateway.graphqlUrl, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
      const text = await response.text();
      expectRefusal({ status: response.status, text, headers: response.headers, body: JSON.parse(text) as never }, 405, 'ERR_METHOD_NOT_ALLOWED');
      expect(response.headers.get('allow')).toBe('GET, POST');
    }
  });

  it('refuses unsupported content types with 415 ERR_UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const response = await fetch(gateway.graphqlUrl, { method: 'POST', headers: type === '' ? {} : { 'content-type': type }, body: 'query={__typename}' });
      const text = await response.text();
      expectRefusal({ status: response.status, text, headers: response.headers, body: JSON.parse(text) as never }, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers queries over GET and refuses mutations over GET', async () => {
    const get = (query: string): Promise<Response> =>
      fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent(query)}`, { headers: { 'x-gccgw-request': '1' } });
    const ok = await get('{ governmentEntity(state: QA, code: "MOF") { code } }');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { governmentEntity: { code: 'MOF' } } });
    const mutation = await get('mutation { __typename }');
    const text = await mutation.text();
    expect(mutation.status).toBe(405);
    expect((JSON.parse(text) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('ERR_MUTATION_OVER_GET');
  });

  it('refuses a cross-site GET without a preflight header (CSRF protection)', async () => {
    const response = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string; correlationId: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('ERR_BAD_REQUEST');
  });

  it('answers unknown paths with 404 ERR_NOT_FOUND', async () => {
    const response = await fetch(`${gateway.baseUrl}/no/such/path`);
    const text = await response.text();
    expectRefusal({ status: response.status, text, headers: response.headers, body: JSON.parse(text) as never }, 404, 'ERR_NOT_FOUND');
  });

  it('replaces a request id header that does not look like an id', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: '{ __typename }' }, { 'x-request-id': 'bad id with spaces' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('a POST to /graphql, served without express (a declared length) or through it (chunked, compressed, other paths)', () => {
    const body = JSON.stringify({ query: '{ governmentEntity(state: QA, code: "MOF") { code } }' });
    const expected = { data: { governmentEntity: { code: 'MOF' } } };
    /** One raw HTTP/1.1 exchange, so the framing (Content-Length, chunked, short bodies) is exactly what the test says. */
    const exchange = (head: string, payload: Buffer | string, options: { endEarly?: boolean } = {}): Promise<{ status: number; headers: string; body: string }> =>
      new Promise((resolve, reject) => {
        const { hostname, port } = new URL(gateway.baseUrl);
        const socket = connect(Number(port), hostname, () => {
          socket.write(head);
          socket.write(payload);
          if (options.endEarly === true) socket.end();
        });
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          received += chunk;
          const split = received.indexOf('\r\n\r\n');
          if (split === -1) return;
          const headers = received.slice(0, split);
          const length = /content-length: (\d+)/i.exec(headers);
          const rest = received.slice(split + 4);
          if (length !== null && Buffer.byteLength(rest) >= Number(length[1])) {
            socket.destroy();
            resolve({ status: Number(headers.split(' ')[1]), headers, body: rest });
          }
        });
        socket.on('error', reject);
        socket.on('close', () => resolve({ status: 0, headers: '', body: received }));
      });
    const host = (): string => new URL(gateway.baseUrl).host;

    it('answers the same whether the body has a declared length or comes chunked', async () => {
      const declared = await exchange(`POST /graphql HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`, body);
      const chunked = await exchange(
        `POST /graphql HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
        `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
      for (const answer of [declared, chunked]) {
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toEqual(expected);
        expect(answer.headers).toMatch(/x-request-id: \S+/i);
      }
    });

    it('answers a query string on /graphql and a gzip-compressed body', async () => {
      const withQuery = await postGraphQL(`${gateway.graphqlUrl}?client=test`, JSON.parse(body) as Record<string, unknown>);
      expect(withQuery.body).toEqual(expected);
      const gzipped = gzipSync(body);
      const compressed = await exchange(`POST /graphql HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${gzipped.length}\r\nConnection: close\r\n\r\n`, gzipped);
      expect(compressed.status).toBe(200);
      expect(JSON.parse(compressed.body)).toEqual(expected);
    });

    it('refuses a declared length over the limit with 413', async () => {
      const answer = await exchange(`POST /graphql HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n`, ' '.repeat(5000));
      expect(answer.status).toBe(413);
      expect((JSON.parse(answer.body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('ERR_BODY_TOO_LARGE');
    });

    it('survives a client that sends less than it declared and hangs up', async () => {
      const answer = await exchange(`POST /graphql HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body) + 100}\r\n\r\n`, body, { endEarly: true });
      // Node closes a connection whose request ended short; there is no answer to read, and no crash.
      expect(answer.status === 0 || answer.status === 400).toBe(true);
      const after = await postGraphQL(gateway.graphqlUrl, JSON.parse(body) as Record<string, unknown>);
      expect(after.body).toEqual(expected);
    });
  });

  it('answers in the media type the Accept header asks for (GraphQL over HTTP)', async () => {
    const query = { query: '{ __typename }' };
    const typeFor = async (accept: string | null): Promise<string | null> => (await postGraphQL(gateway.graphqlUrl, query, { accept })).headers.get('content-type');
    expect(await typeFor(null)).toBe('application/json; charset=utf-8');
    expect(await typeFor('application/json')).toBe('application/json; charset=utf-8');
    expect(await typeFor('*/*')).toBe('application/json; charset=utf-8');
    expect(await typeFor('application/graphql-response+json')).toBe('application/graphql-response+json; charset=utf-8');
    expect(await typeFor('application/graphql-response+json, application/json;q=0.9')).toBe('application/graphql-response+json; charset=utf-8');
    const refused = await postGraphQL(gateway.graphqlUrl, query, { accept: 'text/plain' });
    expect(refused.status).toBe(406);
  });

  it('keeps serving after every kind of bad input', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: '{ governmentEntity(state: QA, code: "MOF") { code } }' });
    expect(response.body).toEqual({ data: { governmentEntity: { code: 'MOF' } } });
  });
});
