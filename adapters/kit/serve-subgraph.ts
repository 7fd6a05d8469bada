import { GraphQLError, parse, validate, execute, specifiedRules, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Logger } from 'pino';
import type { AdapterSubgraph, RunningServer, SubgraphRequestContext } from './adapter.js';
import { startJsonHttpServer, type JsonRequest, type JsonResponse } from './json-http-server.js';
import { createGatewayContextVerifier, GatewayContextError, GATEWAY_CONTEXT_HEADER } from './gateway-context.js';

export interface ServeSubgraphOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
  readonly logger?: Logger;
  /** @default 1 MiB */
  readonly bodyLimitBytes?: number;
  /**
   * PEM certificates of the gateways allowed to call this subgraph. When given, every GraphQL call
   * must carry the gateway-signed context (`x-gccgw-context`): identity and purpose are taken from
   * it, never from plain headers, and unsigned calls are refused. Without it, the plain headers are
   * believed, which is only safe where nothing but the gateway can reach the port.
   */
  readonly gatewayCertificatesPem?: readonly string[];
}

const DOCUMENT_CACHE_SIZE = 500;

/**
 * Serves a subgraph over HTTP on its own (`gccgw adapter serve <name>`): POST /graphql (GraphQL over
 * HTTP, JSON), GET /healthz, GET /readyz (the upstream answers). This is how adapters run as
 * remote subgraphs in the distributed mode.
 */
export async function serveSubgraph(subgraph: Pick<AdapterSubgraph, 'name' | 'schema'> & Partial<Pick<AdapterSubgraph, 'checkHealth'>>, options: ServeSubgraphOptions = {}): Promise<RunningServer> {
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const verifyContext = options.gatewayCertificatesPem !== undefined ? createGatewayContextVerifier({ gatewayCertificatesPem: options.gatewayCertificatesPem }) : undefined;
  const { schema } = subgraph;

  function prepare(query: string): DocumentNode | readonly GraphQLError[] {
    const cached = documents.get(query);
    if (cached !== undefined) return cached;
    let prepared: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query, { maxTokens: 10_000 });
      const errors = validate(schema, document, specifiedRules);
      prepared = errors.length > 0 ? errors : document;
    } catch (error) {
      prepared = [error instanceof GraphQLError ? error : new GraphQLError('cannot parse the document')];
    }
    if (documents.size >= DOCUMENT_CACHE_SIZE) documents.delete(documents.keys().next().value as string);
    documents.set(query, prepared);
    return prepared;
  }

  async function graphqlHandler(request: JsonRequest): Promise<JsonResponse> {
    const body = request.body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || typeof body.query !== 'string') {
      return { status: 400, body: { errors: [{ message: 'expected a JSON body with a "query" string', extensions: { code: 'ERR_BAD_REQUEST' } }] } };
    }
    const prepared = prepare(body.query);
    if (!('kind' in prepared)) {
      return { status: 400, body: { errors: prepared.map((e) => ({ message: e.message, extensions: { code: 'ERR_GRAPHQL_VALIDATION_FAILED' } })) } };
    }
    let context: SubgraphRequestContext;
    if (verifyContext !== undefined) {
      const signed = request.headers[GATEWAY_CONTEXT_HEADER];
      const requestId = request.headers[SUBGRAPH_HEADERS.requestId];
      try {
        if (typeof signed !== 'string') throw new GatewayContextError(`the ${GATEWAY_CONTEXT_HEADER} header is missing`);
        context = { ...verifyContext(signed, subgraph.name, typeof requestId === 'string' ? requestId : undefined), ...traceOf(request.headers) };
      } catch (error) {
        const message = error instanceof GatewayContextError ? error.message : 'the gateway context cannot be verified';
        return { status: 401, body: { errors: [{ message, extensions: { code: 'ERR_GATEWAY_CONTEXT_INVALID' } }] } };
      }
    } else {
      context = contextFromHeaders(request.headers);
    }
    const result = (await execute({
      schema,
      document: prepared,
      variableValues: isRecord(body.variables) ? body.variables : undefined,
      operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
      contextValue: context,
    })) as ExecutionResult;
    if (result.errors !== undefined) {
      for (const error of result.errors) {
        if (error.originalError !== undefined && !(error.originalError instanceof GraphQLError)) {
          options.logger?.error({ err: error.originalError, requestId: context.requestId }, 'resolver failed');
        }
      }
    }
    return { status: 200, body: { data: result.data, ...(result.errors !== undefined ? { errors: result.errors.map(formatError) } : {}) } };
  }

  return startJsonHttpServer(
    async (request) => {
      const path = request.url.pathname;
      if (path === '/graphql' && request.method === 'POST') return graphqlHandler(request);
      if (path === '/healthz' && request.method === 'GET') return { status: 200, body: { status: 'ok', subgraph: subgraph.name } };
      if (path === '/readyz' && request.method === 'GET') {
        try {
          await subgraph.checkHealth?.();
          return { status: 200, body: { status: 'ready', subgraph: subgraph.name } };
        } catch (error) {
          return { status: 503, body: { status: 'not-ready', subgraph: subgraph.name, reason: (error as Error).message } };
        }
      }
      if (path === '/graphql') return { status: 405, headers: { allow: 'POST' }, body: { errors: [{ message: 'use POST', extensions: { code: 'ERR_METHOD_NOT_ALLOWED' } }] } };
      return { status: 404, body: { error: { code: 'NotFound', message: 'no such path' } } };
    },
    {
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
      onError: (error) => options.logger?.error({ err: error }, 'subgraph server error'),
    },
  );
}

/** Headers the gateway sets on subgraph calls; see gateway/federation/http-subgraph-transport.ts. */
export const SUBGRAPH_HEADERS = {
  requestId: 'x-request-id',
  clientId: 'x-gccgw-client-id',
  purpose: 'x-gccgw-purpose',
  traceparent: 'traceparent',
} as const;

function traceOf(headers: JsonRequest['headers']): { traceparent?: string } {
  const value = headers[SUBGRAPH_HEADERS.traceparent];
  return typeof value === 'string' && value.length <= 256 ? { traceparent: value } : {};
}

function contextFromHeaders(headers: JsonRequest['headers']): SubgraphRequestContext {
  const pick = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' && value.length <= 256 ? value : undefined;
  };
  const context: { -readonly [K in keyof SubgraphRequestContext]: SubgraphRequestContext[K] } = {};
  const requestId = pick(SUBGRAPH_HEADERS.requestId);
  if (requestId !== undefined) context.requestId = requestId;
  const clientId = pick(SUBGRAPH_HEADERS.clientId);
  if (clientId !== undefined) context.clientId = clientId;
  const purpose = pick(SUBGRAPH_HEADERS.purpose);
  if (purpose !== undefined) context.purpose = purpose;
  const traceparent = pick(SUBGRAPH_HEADERS.traceparent);
  if (traceparent !== undefined) context.traceparent = traceparent;
  return context;
}

/** Client-safe error: message, path, and `extensions.code`; never a stack. */
function formatError(error: GraphQLError): Record<string, unknown> {
  const code = typeof error.extensions['code'] === 'string' ? error.extensions['code'] : 'ERR_INTERNAL';
  const safe = error.originalError === undefined || error.originalError instanceof GraphQLError;
  return {
    message: safe ? error.message : 'Internal error in subgraph',
    ...(error.path !== undefined ? { path: error.path } : {}),
    extensions: { ...error.extensions, code },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
