import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { execute, OperationTypeNode, print, subscribe, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { ExecutionRequest } from '@graphql-tools/utils';
import { GATEWAY_CONTEXT_HEADER, SUBGRAPH_HEADERS, type SubgraphRequestContext } from '../../adapters/kit/index.js';
import type { SubgraphContextSigner } from './subgraph-context-signer.js';
import { isGatewayRequestContext } from './request-context.js';

/**
 * How one call reaches a subgraph: over HTTP(S), or in-process for a built-in adapter. A transport
 * either returns a GraphQL response or throws a `TransportError`; deciding about retries, timeouts
 * and breakers is the executor's job (subgraph-executor.ts).
 */
export type SubgraphTransport = (request: ExecutionRequest, signal: AbortSignal) => Promise<ExecutionResult>;

export type TransportFailure = 'unavailable' | 'timeout' | 'bad_response';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly failure: TransportFailure,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Upper bound on a subgraph response body, so a broken subgraph cannot exhaust memory. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const printed = new WeakMap<DocumentNode, string>();

function printCached(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/** Identity, purpose and trace context forwarded to the subgraph. */
export function subgraphContextOf(request: ExecutionRequest): SubgraphRequestContext {
  const context: unknown = request.context;
  if (!isGatewayRequestContext(context)) return {};
  return {
    requestId: context.requestId,
    ...(context.clientId !== undefined ? { clientId: context.clientId } : {}),
    ...(context.purpose !== undefined ? { purpose: context.purpose } : {}),
    ...(context.traceparent !== undefined ? { traceparent: context.traceparent } : {}),
  };
}

export interface HttpTransportOptions {
  readonly url: string;
  /** Sockets kept open per subgraph. @default 64 */
  readonly maxSockets?: number;
  /** TLS options for https URLs. */
  readonly tls?: { readonly ca?: string | Buffer; readonly cert?: string | Buffer; readonly key?: string | Buffer };
  /** The subgraph's name (the audience of the signed context). */
  readonly subgraphName?: string;
  /** Signs the caller's identity and purpose for the subgraph (`x-gccgw-context`). */
  readonly signContext?: SubgraphContextSigner;
  /**
   * Identical queries in flight at the same time for the same caller (ClientId) and purpose share
   * one HTTP exchange; each caller parses its own copy of the answer. @default false
   */
  readonly deduplicateInflightQueries?: boolean;
}

interface RawAnswer {
  readonly status: number;
  readonly text: string;
}

/** GraphQL over HTTP POST with keep-alive connections (GraphQL over HTTP, application/json). */
export function createHttpTransport(options: HttpTransportOptions): SubgraphTransport & { close(): void } {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`subgraph URL must be http(s): ${options.url}`);
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64, ...options.tls })
    : new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const send = secure ? httpsRequest : httpRequest;
  // Converted once: given a URL, node:http converts it again on every call (seen in the benchmark's CPU profile).
  const target = urlToHttpOptions(url);

  const exchange = async (body: string, context: SubgraphRequestContext, signal: AbortSignal): Promise<RawAnswer> => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (context.requestId !== undefined) headers[SUBGRAPH_HEADERS.requestId] = context.requestId;
    if (context.clientId !== undefined) headers[SUBGRAPH_HEADERS.clientId] = context.clientId;
    if (context.purpose !== undefined) headers[SUBGRAPH_HEADERS.purpose] = context.purpose;
    if (context.traceparent !== undefined) headers[SUBGRAPH_HEADERS.traceparent] = context.traceparent;
    if (options.signContext !== undefined && options.subgraphName !== undefined) headers[GATEWAY_CONTEXT_HEADER] = await options.signContext(options.subgraphName, context);

    return new Promise<RawAnswer>((resolve, reject) => {
      const req = send({ ...target, method: 'POST', agent, headers, signal }, (res) => {
        readBody(res).then(
          (text) => resolve({ status: res.statusCode ?? 0, text }),
          (error: unknown) => reject(toTransportError(error, signal)),
        );
      });
      req.on('error', (error) => reject(toTransportError(error, signal)));
      req.end(body);
    });
  };

  // Identical queries of one caller and purpose in flight together share the exchange (not the
  // parsed answer: the gateway merges into what it parses, so each caller gets its own objects).
  const inflight = options.deduplicateInflightQueries === true ? new Map<string, Promise<RawAnswer>>() : undefined;

  const transport = async (request: ExecutionRequest, signal: AbortSignal): Promise<ExecutionResult> => {
    const body = JSON.stringify({
      query: printCached(request.document),
      ...(request.variables !== undefined && Object.keys(request.variables).length > 0 ? { variables: request.variables } : {}),
      ...(request.operationName !== undefined ? { operationName: request.operationName } : {}),
    });
    const context = subgraphContextOf(request);
    let answer: RawAnswer;
    if (inflight !== undefined && request.operationType === OperationTypeNode.QUERY) {
      const key = `${context.clientId ?? ''}\n${context.purpose ?? ''}\n${body}`;
      let shared = inflight.get(key);
      if (shared === undefined) {
        shared = exchange(body, context, signal);
        inflight.set(key, shared);
        const forget = (): void => {
          inflight.delete(key);
        };
        shared.then(forget, forget);
      }
      answer = await shared;
    } else {
      answer = await exchange(body, context, signal);
    }
    return parseGraphQLResponse(answer.status, answer.text);
  };
  return Object.assign(transport, { close: () => agent.destroy() });
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      throw new TransportError('bad_response', `response larger than ${MAX_RESPONSE_BYTES} bytes`, false);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toTransportError(error: unknown, signal: AbortSignal): TransportError {
  if (error instanceof TransportError) return error;
  if (signal.aborted) return new TransportError('timeout', 'no answer before the deadline', true, { cause: error });
  const code = (error as { code?: string }).code;
  return new TransportError('unavailable', `connection failed${code !== undefined ? ` (${code})` : ''}`, true, { cause: error });
}

/**
 * A subgraph answer is a GraphQL response: a JSON object with `data` and/or `errors`. Status 502,
 * 503 and 504 mean the subgraph (or its proxy) is down and may be retried; any other non-GraphQL
 * answer is a bad response.
 */
function parseGraphQLResponse(status: number, text: string): ExecutionResult {
  if (status === 502 || status === 503 || status === 504) {
    throw new TransportError('unavailable', `HTTP ${status}`, true);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TransportError('bad_response', `HTTP ${status} with a body that is not JSON`, false);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || (!('data' in body) && !('errors' in body))) {
    throw new TransportError('bad_response', `HTTP ${status} without "data" or "errors"`, false);
  }
  const result = body as { data?: unknown; errors?: unknown };
  if (result.errors !== undefined && !Array.isArray(result.errors)) throw new TransportError('bad_response', '"errors" is not a list', false);
  return result as ExecutionResult;
}

/**
 * In-process call to a built-in adapter's subgraph schema: no serialisation, same semantics. The
 * document comes from the gateway's own query planner, already valid for this subgraph.
 */
export function createInProcessTransport(schema: GraphQLSchema): SubgraphTransport {
  return async (request) => {
    const args = {
      schema,
      document: request.document,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: subgraphContextOf(request),
      rootValue: request.rootValue,
    };
    // A subscription answers with a stream of results (GraphQL spec §6.2.3 Subscribe); the
    // stitched supergraph maps each one, so a gateway-owned subgraph can serve subscriptions.
    return (request.operationType === OperationTypeNode.SUBSCRIPTION ? await subscribe(args) : await execute(args)) as ExecutionResult;
  };
}
