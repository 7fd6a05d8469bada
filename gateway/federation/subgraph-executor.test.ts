import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, OperationTypeNode, type ExecutionResult } from 'graphql';
import { createSilentLogger } from '../logging/logger.js';
import type { GatewayRequestContext } from './request-context.js';
import { createSubgraphExecutor, type SubgraphCall } from './subgraph-executor.js';
import { createHttpTransport } from './subgraph-transport.js';

type Behaviour = 'ok' | 'slow' | '503' | 'hang' | 'not-json' | 'reset';

/** A real HTTP subgraph whose next answers are scripted. */
let server: Server;
let url: string;
let script: Behaviour[] = [];
let received: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => {
      const behaviour = script.shift() ?? 'ok';
      if (behaviour === 'hang') return;
      if (behaviour === 'reset') {
        req.socket.destroy();
        return;
      }
      if (behaviour === '503') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
        return;
      }
      if (behaviour === 'not-json') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
        return;
      }
      const answer = JSON.stringify({ data: { __typename: 'Query' } });
      if (behaviour === 'slow') setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(answer), 100);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  received = [];
});

function executor(overrides: { timeoutMillis?: number; maxAttempts?: number; breaker?: boolean; onCall?: (call: SubgraphCall) => void; deduplicate?: boolean } = {}) {
  return createSubgraphExecutor({
    ...(overrides.onCall !== undefined ? { onCall: overrides.onCall } : {}),
    name: 'hr',
    transport: createHttpTransport({ url, deduplicateInflightQueries: overrides.deduplicate ?? false }),
    timeoutMillis: overrides.timeoutMillis ?? 2_000,
    retry: { maxAttempts: overrides.maxAttempts ?? 3, backoffMillis: 1 },
    circuitBreaker: { enabled: overrides.breaker ?? false, failureThreshold: 2, resetTimeoutMillis: 60_000 },
    logger: createSilentLogger(),
  });
}

const QUERY = { document: parse('{ __typename }'), operationType: OperationTypeNode.QUERY };
const MUTATION = { document: parse('mutation { __typename }'), operationType: OperationTypeNode.MUTATION };

function codeOf(result: ExecutionResult): unknown {
  return result.errors?.[0]?.extensions['code'];
}

describe('subgraph executor', () => {
  it('retries a query after a 503 and returns the answer', async () => {
    script = ['503', 'ok'];
    const result = (await executor()(QUERY)) as ExecutionResult;
    expect(result).toEqual({ data: { __typename: 'Query' } });
    expect(received).toHaveLength(2);
  });

  it('never sends a mutation twice, even after a connection reset', async () => {
    script = ['reset', 'ok'];
    const result = (await executor()(MUTATION)) as ExecutionResult;
    expect(codeOf(result)).toBe('ERR_SUBGRAPH_UNAVAILABLE');
    expect(result.errors?.[0]?.message).toContain('"hr"');
    expect(received).toHaveLength(1);
  });

  it('stops retrying after maxAttempts and names the subgraph', async () => {
    script = ['503', '503', '503', '503'];
    const result = (await executor({ maxAttempts: 3 })(QUERY)) as ExecutionResult;
    expect(codeOf(result)).toBe('ERR_SUBGRAPH_UNAVAILABLE');
    expect(result.errors?.[0]?.extensions['subgraph']).toBe('hr');
    expect(received).toHaveLength(3);
  });

  it('gives up on a subgraph that does not answer within its timeout', async () => {
    script = ['hang', 'hang'];
    const started = Date.now();
    const result = (await executor({ timeoutMillis: 150, maxAttempts: 2 })(QUERY)) as ExecutionResult;
    expect(codeOf(result)).toBe('ERR_SUBGRAPH_TIMEOUT');
    expect(result.errors?.[0]?.message).toContain('150 ms');
    expect(received).toHaveLength(2);
    // Bounded by attempts x timeout (+ backoff); generous margin for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not retry an answer that is not a GraphQL response', async () => {
    script = ['not-json', 'ok'];
    const result = (await executor()(QUERY)) as ExecutionResult;
    expect(codeOf(result)).toBe('ERR_SUBGRAPH_BAD_RESPONSE');
    expect(received).toHaveLength(1);
  });

  it('opens the circuit after consecutive failures and then fails fast without calling', async () => {
    const exec = executor({ breaker: true, maxAttempts: 1 });
    script = ['503', '503'];
    await exec(QUERY);
    await exec(QUERY);
    expect(exec.breaker?.state).toBe('open');
    const result = (await exec(QUERY)) as ExecutionResult;
    expect(codeOf(result)).toBe('ERR_SUBGRAPH_CIRCUIT_OPEN');
    expect(received).toHaveLength(2);
  });

  it('forwards the request id, caller, purpose and trace context, and records the call', async () => {
    const context: GatewayRequestContext = {
      requestId: 'req-0000-1111',
      clientId: 'GCC:QA:GOV:CSGDB:hr-portal',
      authenticatedBy: 'insecure-demo-port',
      purpose: 'PENSION_VERIFICATION',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      logger: createSilentLogger(),
      subgraphCalls: new Set(),
      signature: undefined,
      introspection: false,
      exchange: {},
    };
    await executor()({ ...QUERY, context });
    expect(received[0]?.['x-request-id']).toBe('req-0000-1111');
    expect(received[0]?.['x-gccgw-client-id']).toBe('GCC:QA:GOV:CSGDB:hr-portal');
    expect(received[0]?.['x-gccgw-purpose']).toBe('PENSION_VERIFICATION');
    expect(received[0]?.['traceparent']).toBe(context.traceparent);
    expect([...context.subgraphCalls]).toEqual(['hr']);
  });

  it('tells its observer about each call once, after the retries, with the final result and the whole time taken', async () => {
    const calls: SubgraphCall[] = [];
    const exec = executor({ maxAttempts: 3, onCall: (call) => calls.push(call) });
    script = ['503', 'ok'];
    const context = { requestId: 'r-observed' };
    const result = (await exec({ ...QUERY, context })) as ExecutionResult;
    expect(result).toEqual({ data: { __typename: 'Query' } });
    script = ['503', '503', '503'];
    const failed = (await exec(QUERY)) as ExecutionResult;
    expect(calls.map((c) => [c.subgraph, c.result])).toEqual([
      ['hr', result],
      ['hr', failed],
    ]);
    expect(calls[0]?.context).toBe(context);
    expect(calls[0]?.durationMillis).toBeGreaterThan(0);
  });

  it('answers even when its observer throws', async () => {
    const exec = executor({
      onCall: () => {
        throw new Error('observer broke');
      },
    });
    expect((await exec(QUERY)) as ExecutionResult).toEqual({ data: { __typename: 'Query' } });
  });

  it('shares one exchange among identical queries of one caller and purpose in flight together, each with its own answer', async () => {
    script = ['slow', 'slow'];
    const exec = executor({ deduplicate: true });
    const contexts = [1, 2, 3, 4].map((n) => requestContext(`req-shared-${n}`, 'GCC:QA:GOV:CSGDB:hr-portal', 'PENSION_VERIFICATION'));
    const results = (await Promise.all(contexts.map((context) => exec({ ...QUERY, context })))) as ExecutionResult[];
    expect(received).toHaveLength(1);
    for (const result of results) expect(result).toEqual({ data: { __typename: 'Query' } });
    // Each caller parses its own copy: the plan executor merges into what it gets.
    expect(results[0]?.data).not.toBe(results[1]?.data);
    for (const context of contexts) expect([...context.subgraphCalls]).toEqual(['hr']);
    // Once answered, the next identical query is a call of its own.
    await exec({ ...QUERY, context: contexts[0] });
    expect(received).toHaveLength(2);
  });

  it('never shares an exchange between callers, purposes or for a mutation', async () => {
    script = ['slow', 'slow', 'slow', 'slow', 'slow'];
    const exec = executor({ deduplicate: true });
    await Promise.all([
      exec({ ...QUERY, context: requestContext('r1', 'GCC:QA:GOV:CSGDB:hr-portal', 'PENSION_VERIFICATION') }),
      exec({ ...QUERY, context: requestContext('r2', 'GCC:SA:GOV:MHRSD:hr-verify', 'PENSION_VERIFICATION') }),
      exec({ ...QUERY, context: requestContext('r3', 'GCC:QA:GOV:CSGDB:hr-portal', 'AUDIT_OVERSIGHT') }),
      exec({ ...MUTATION, context: requestContext('r4', 'GCC:QA:GOV:CSGDB:hr-portal', 'PENSION_VERIFICATION') }),
      exec({ ...MUTATION, context: requestContext('r5', 'GCC:QA:GOV:CSGDB:hr-portal', 'PENSION_VERIFICATION') }),
    ]);
    expect(received).toHaveLength(5);
  });
});

function requestContext(requestId: string, clientId: string, purpose: string): GatewayRequestContext {
  return {
    requestId,
    clientId,
    authenticatedBy: 'mtls',
    purpose,
    traceparent: undefined,
    logger: createSilentLogger(),
    subgraphCalls: new Set(),
    signature: undefined,
    introspection: false,
    exchange: {},
  };
}
