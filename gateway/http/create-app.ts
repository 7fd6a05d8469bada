import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response, type Router } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors/error-codes.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayRequestContext } from '../federation/request-context.js';
import type { SupergraphGateway } from '../federation/supergraph-gateway.js';
import type { GatewayMetrics, OperationOutcome } from '../observability/gateway-metrics.js';
import { createExplorerRouter } from './explorer/explorer-routes.js';
import { createDocsRouter } from '../docs-site/docs-routes.js';
import { errorBody, formatGraphQLError } from './graphql-error-format.js';
import { requestIdFrom } from './request-scope.js';
import { createGraphQLHandler, type GraphQLRequestScope } from './graphql-handler.js';
import type { ListenerSecurity, RequestGate } from '../access/request-security.js';
import type { EvidenceLog } from '../audit/evidence-log.js';

export const GRAPHQL_PATH = '/graphql';

export interface CreateAppOptions {
  readonly gateway: SupergraphGateway;
  readonly apollo: ApolloServer<GatewayRequestContext>;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics | undefined;
  readonly bodyLimitBytes: number;
  readonly trustRequestIdHeader: boolean;
  readonly explorer: { readonly enabled: boolean; readonly notice?: string };
  /** How this listener identifies callers, verifies request signatures and signs responses. */
  readonly security: ListenerSecurity;
  /** Rate, concurrency, batch, trusted documents and the request deadline. */
  readonly gate: RequestGate;
  /** The evidence log, when enabled: every exchange is written before its answer leaves. */
  readonly evidence: EvidenceLog | undefined;
  /** More readiness conditions of this listener (e.g. the trust list in force). */
  readonly readiness?: () => { readonly ok: boolean; readonly detail: Record<string, unknown> };
  /** Whether the gateway is accepting requests (false while draining). */
  readonly isAccepting: () => boolean;
  /** Tracks requests in flight, for graceful shutdown. */
  readonly onRequestStart: () => void;
  readonly onRequestEnd: () => void;
  /**
   * More routes for this listener, mounted after the built-in ones and before `/graphql` (e.g. the
   * service-quality status page). They must not use `/graphql`, `/healthz`, `/readyz`, `/metrics`,
   * `/docs` or the explorer's paths.
   */
  readonly routers?: readonly Router[];
}

/** Builds the Apollo Server for a supergraph gateway. Nothing in it may call out to Apollo's services. */
export function createApolloServer(
  gateway: SupergraphGateway,
  metrics: GatewayMetrics | undefined,
  plugins: ReadonlyArray<ApolloServerPlugin<GatewayRequestContext>> = [],
  limits: { readonly maxTokens?: number; readonly validationRules?: readonly ValidationRule[]; readonly allowBatchedHttpRequests?: boolean } = {},
): ApolloServer<GatewayRequestContext> {
  return new ApolloServer<GatewayRequestContext>({
    gateway,
    // Introspection is decided per client by the access policy (access-control.ts), not globally.
    introspection: true,
    ...(limits.maxTokens !== undefined ? { parseOptions: { maxTokens: limits.maxTokens } } : {}),
    validationRules: [...(limits.validationRules ?? [])],
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests ?? false,
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    // Automatic persisted queries register documents from any caller; trusted documents come later.
    persistedQueries: false,
    // GET requests must carry a header a browser cannot add cross-site (CSRF, Apollo's model).
    csrfPrevention: { requestHeaders: ['x-gccgw-request', 'apollo-require-preflight', 'x-apollo-operation-name'] },
    // Explicitly off, whatever the environment says (APOLLO_KEY etc.): this gateway never phones home.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      correlationIdPlugin(),
      ...(metrics !== undefined ? [operationMetricsPlugin(metrics)] : []),
      ...plugins,
    ],
  });
}

/** Puts the request's correlation id on every error the GraphQL pipeline returns. */
function correlationIdPlugin(): ApolloServerPlugin<GatewayRequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          for (const error of errors ?? []) (error.extensions as Record<string, unknown> | undefined ?? {})['correlationId'] = requestContext.contextValue.requestId;
        },
      };
    },
  };
}

/** Records every GraphQL operation's outcome, duration and error codes. */
function operationMetricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayRequestContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const operation = metrics.operationLabel(requestContext.operationName);
          const type = requestContext.operation?.operation ?? 'unknown';
          const body = requestContext.response.body;
          const result = body.kind === 'single' ? body.singleResult : undefined;
          const errors = result?.errors ?? [];
          const hasData = result?.data !== undefined && result.data !== null;
          const outcome: OperationOutcome = errors.length === 0 ? 'success' : hasData ? 'partial' : requestContext.operation === undefined ? 'rejected' : 'error';
          metrics.operations.inc({ operation, type, outcome });
          metrics.operationDuration.observe({ operation, type }, Number(process.hrtime.bigint() - started) / 1e9);
          for (const error of errors) metrics.errors.inc({ code: String(error.extensions?.['code'] ?? 'ERR_INTERNAL') });
        },
      };
    },
  };
}

/**
 * The gateway's HTTP surface for one listener: `/graphql` (POST, and GET for queries), the
 * explorer, `/healthz`, `/readyz` and `/metrics`. Errors before GraphQL runs (bad JSON, wrong
 * method or type, too large) get the right 4xx and a GraphQL-over-HTTP error body with a code and
 * the correlation id; nothing ever answers with a stack trace.
 */
export function createApp(options: CreateAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  /**
   * Every request's scope, whichever way it is served: its correlation id (on the answer as
   * `x-request-id`), a logger carrying it, the in-flight count (graceful shutdown) and metrics.
   */
  const beginRequest = (req: IncomingMessage, res: ServerResponse, path: string): { requestId: string; logger: Logger } => {
    const requestId = requestIdFrom(req.headers['x-request-id'], options.trustRequestIdHeader);
    const requestLogger = logger.child({ reqId: requestId });
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    options.onRequestStart();
    metrics?.inFlight.inc();
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      options.onRequestEnd();
      metrics?.inFlight.dec();
      const route = routeLabel(path);
      metrics?.httpRequests.inc({ route, method: req.method ?? '', status: String(res.statusCode) });
      requestLogger.debug({ method: req.method, route, status: res.statusCode, millis: Number(process.hrtime.bigint() - started) / 1e6 }, 'request done');
    };
    res.on('finish', end);
    res.on('close', end);
    return { requestId, logger: requestLogger };
  };

  app.use((req, res, next) => {
    const scope = beginRequest(req, res, req.path);
    res.locals['requestId'] = scope.requestId;
    res.locals['logger'] = scope.logger;
    next();
  });

  // `/graphql` first: it is nearly all of the traffic, and no other router serves its path, so
  // its requests skip matching the explorer's, docs' and status pages' routes.
  // The body is kept as received: its digest is what a request signature binds.
  const rawBody = express.raw({ limit: options.bodyLimitBytes, type: () => true });
  const graphql = createGraphQLHandler({ apollo: options.apollo, security: options.security, gate: options.gate, evidence: options.evidence });
  app.all(GRAPHQL_PATH, (req, res, next) => {
    const requestId = res.locals['requestId'] as string;
    if (!options.isAccepting()) {
      sendError(res, 'ERR_SHUTTING_DOWN', requestId, { 'retry-after': '1', connection: 'close' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      sendError(res, 'ERR_METHOD_NOT_ALLOWED', requestId, { allow: 'GET, POST' });
      return;
    }
    if (req.method === 'POST') {
      if (!isJsonMediaType(req.headers['content-type'])) {
        sendError(res, 'ERR_UNSUPPORTED_MEDIA_TYPE', requestId);
        return;
      }
      rawBody(req, res, (error?: unknown) => (error !== undefined ? next(error) : void graphql(req, res, scopeOf(req, res))));
      return;
    }
    void graphql(req, res, scopeOf(req, res));
  });


  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (!options.isAccepting()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    if (!options.gateway.loaded) {
      res.status(503).json({ status: 'not-ready', reason: 'no supergraph loaded' });
      return;
    }
    const subgraphs = await options.gateway.probe();
    const extra = options.readiness?.();
    const ready = subgraphs.every((s) => s.ok) && (extra?.ok ?? true);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', supergraph: options.gateway.supergraphHash, subgraphs, ...extra?.detail });
  });
  if (metrics !== undefined) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics.render();
      res.type(contentType).send(body);
    });
  }
  if (options.explorer.enabled) {
    app.use(createExplorerRouter({ graphqlPath: GRAPHQL_PATH, ...(options.explorer.notice !== undefined ? { notice: options.explorer.notice } : {}) }));
  }
  app.use(createDocsRouter({ supergraphSdl: () => options.gateway.supergraphSdl }));
  for (const router of options.routers ?? []) app.use(router);

  app.use((_req, res) => {
    sendError(res, 'ERR_NOT_FOUND', res.locals['requestId'] as string);
  });
  app.use(errorHandler);

  /**
   * The common case, served without express: a POST to exactly `/graphql` with a JSON body of a
   * declared length within the limit, while accepting. Express's router, body parser and the
   * prototype swap it does on every request and response were about a tenth of the main thread's
   * time on the simple benchmark query (bench/README.md). Anything else (GET, other media types,
   * chunked or compressed bodies, too-large bodies, draining, other paths) goes through express
   * exactly as before, so every refusal keeps one implementation.
   */
  return (req, res) => {
    const url = req.url ?? '/';
    const length = declaredLength(req.headers['content-length'], options.bodyLimitBytes);
    const fast =
      req.method === 'POST' &&
      (url === GRAPHQL_PATH || url.startsWith(`${GRAPHQL_PATH}?`)) &&
      options.isAccepting() &&
      isJsonMediaType(req.headers['content-type']) &&
      req.headers['content-encoding'] === undefined &&
      length !== undefined;
    if (!fast) {
      app(req, res);
      return;
    }
    const scope = beginRequest(req, res, GRAPHQL_PATH);
    readDeclaredBody(req, length, (body) => {
      if (body === undefined) {
        // The client went away (or sent less than it declared): nobody to answer, but say so if we can.
        if (!res.destroyed) sendError(res, 'ERR_BAD_REQUEST', scope.requestId);
        return;
      }
      void graphql(req, res, { requestId: scope.requestId, logger: scope.logger, rawBody: body, pathAndQuery: url });
    });
  };
}

/** What express's route would have handed the GraphQL handler. */
function scopeOf(req: Request, res: Response): GraphQLRequestScope {
  return {
    requestId: res.locals['requestId'] as string,
    logger: res.locals['logger'] as Logger,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    pathAndQuery: req.originalUrl,
  };
}

/** The media types `/graphql` takes in a POST (GraphQL over HTTP), without parameters. */
function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const type = (header.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}

/** A Content-Length within the limit, or undefined (absent, malformed or too large: express decides). */
function declaredLength(header: string | undefined, limitBytes: number): number | undefined {
  if (header === undefined || !/^[0-9]{1,10}$/.test(header)) return undefined;
  const length = Number(header);
  return length <= limitBytes ? length : undefined;
}

/**
 * Reads a body of a declared length (Node's HTTP parser already frames it by Content-Length):
 * `done(body)` once it is complete, `done(undefined)` if the request ends short or fails.
 */
function readDeclaredBody(req: IncomingMessage, length: number, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = (body: Buffer | undefined): void => {
    if (settled) return;
    settled = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    chunks.push(chunk);
  });
  req.on('end', () => settle(received === length ? (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received)) : undefined));
  req.on('error', () => settle(undefined));
  req.on('aborted', () => settle(undefined));
}

/** Body-parser and unexpected errors, as GraphQL-over-HTTP error bodies. */
const errorHandler: ErrorRequestHandler = (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const requestId = (res.locals['requestId'] as string | undefined) ?? 'unknown';
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return sendError(res, 'ERR_BAD_JSON', requestId);
  if (type === 'entity.too.large') return sendError(res, 'ERR_BODY_TOO_LARGE', requestId);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, 'ERR_UNSUPPORTED_MEDIA_TYPE', requestId);
  if (type === 'request.aborted' || type === 'request.size.invalid') return sendError(res, 'ERR_BAD_REQUEST', requestId);
  if (error instanceof GatewayError) return sendError(res, error.code, requestId, {}, error.message);
  const logger = res.locals['logger'] as Logger | undefined;
  logger?.error({ err: error }, 'unhandled error in HTTP pipeline');
  return sendError(res, 'ERR_INTERNAL', requestId);
};

/** An error answer with its code and correlation id, on either path (express's Response is a ServerResponse). */
function sendError(res: ServerResponse, code: ErrorCode, requestId: string, headers: Record<string, string> = {}, message?: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const error = new GatewayError(code);
  res.statusCode = error.httpStatus;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(errorBody(code, requestId, message)));
}

function routeLabel(path: string): string {
  if (path === GRAPHQL_PATH || path === '/healthz' || path === '/readyz' || path === '/metrics' || path === '/') return path;
  if (path.startsWith('/explorer/')) return '/explorer';
  if (path === '/status' || path === '/status.json' || path.startsWith('/status/')) return '/status';
  return '(other)';
}
