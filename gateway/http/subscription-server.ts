import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { getOperationAST, GraphQLError, OperationTypeNode, parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayRequestContext } from '../federation/request-context.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { CallerIdentity } from '../access/request-security.js';
import { formatGraphQLError } from './graphql-error-format.js';

/** The WebSocket subprotocol of GraphQL over WebSocket (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md). */
export const GRAPHQL_WS_PROTOCOL = 'graphql-transport-ws';

export interface SubscriptionServerOptions {
  /** The listener's HTTP(S) server: the WebSocket upgrade happens on it. */
  readonly server: Server | HttpsServer;
  /** @default '/graphql' */
  readonly path?: string;
  /** The schema the gateway serves now (the supergraph's API schema; it changes on reload). */
  readonly schema: () => GraphQLSchema | undefined;
  /** Who is on the other end, from the upgrade request (the listener's own identification). */
  readonly identify: (req: IncomingMessage) => CallerIdentity | Promise<CallerIdentity>;
  /**
   * The access decision for one subscription operation (the access policy plugs in here);
   * a `GatewayError` refuses it, `undefined` lets it run.
   */
  readonly authorize?: (request: {
    readonly identity: CallerIdentity;
    readonly purpose: string | undefined;
    readonly schema: GraphQLSchema;
    readonly document: DocumentNode;
    readonly operationName: string | undefined;
    readonly variables: Readonly<Record<string, unknown>> | undefined;
  }) => { readonly code: string; readonly message: string } | undefined;
  /** False while the gateway drains: new connections are refused with 503. */
  readonly isAccepting: () => boolean;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics | undefined;
  /** Largest WebSocket message accepted. @default 1 MiB */
  readonly maxPayloadBytes?: number;
  /** How long a connection may stay without `connection_init`. @default 10000 */
  readonly connectionInitWaitTimeoutMillis?: number;
  /** Ping interval that detects dead peers. @default 12000 */
  readonly keepAliveMillis?: number;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Closes every connection (1001 Going Away) and stops accepting upgrades. */
  close(): Promise<void>;
}

interface ConnectionState {
  readonly identity: CallerIdentity;
  readonly connectionId: string;
  readonly purpose: string | undefined;
  readonly traceparent: string | undefined;
}

/**
 * GraphQL subscriptions over WebSocket (graphql-ws, `graphql-transport-ws`) on a listener's server
 * at `/graphql`, executed against the same supergraph schema the listener serves over HTTP (its
 * subscription fields are delegated to their subgraph; the events API is served in-process).
 * Only subscription operations run here: queries and mutations go through `POST /graphql`, where
 * the evidence log, limits and response signing apply. Errors have the gateway's client-safe shape
 * (code, origin, correlation id), never a stack.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const path = options.path ?? '/graphql';
  const logger = options.logger.child({ component: 'subscriptions' });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
    // graphql-ws closes a connection that did not agree on its subprotocol (4406).
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_WS_PROTOCOL) ? GRAPHQL_WS_PROTOCOL : false),
  });
  const states = new WeakMap<IncomingMessage, ConnectionState>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== path) return refuseUpgrade(socket, 404, 'ERR_NOT_FOUND');
    if (!options.isAccepting()) return refuseUpgrade(socket, 503, 'ERR_SHUTTING_DOWN');
    Promise.resolve()
      .then(() => options.identify(req))
      .then(
        (identity) => {
          const purpose = req.headers['x-gccgw-purpose'];
          const traceparent = req.headers['traceparent'];
          states.set(req, {
            identity,
            connectionId: randomUUID(),
            purpose: identity.purpose ?? (typeof purpose === 'string' && purpose.length <= 64 ? purpose : undefined),
            traceparent: typeof traceparent === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent) ? traceparent : undefined,
          });
          wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
        },
        (error: unknown) => {
          const known = error as { code?: unknown; httpStatus?: unknown };
          if (typeof known.code === 'string' && typeof known.httpStatus === 'number') return refuseUpgradeWith(socket, known.httpStatus, known.code, (error as Error).message);
          const code = error instanceof GatewayError ? error.code : 'ERR_INTERNAL';
          if (code === 'ERR_INTERNAL') logger.error({ err: error }, 'identifying a WebSocket caller failed');
          return refuseUpgrade(socket, ERROR_CODES[code].httpStatus, code);
        },
      );
  };
  options.server.on('upgrade', onUpgrade);

  const refuse = (code: ErrorCode, message?: string): GraphQLError[] => [new GraphQLError(message ?? ERROR_CODES[code].en, { extensions: { code } })];
  const format = (errors: readonly GraphQLError[], correlationId: string): GraphQLFormattedError[] =>
    errors.map((error) => {
      const formatted = formatGraphQLError(error.toJSON(), error);
      return { ...formatted, extensions: { ...formatted.extensions, correlationId } };
    });
  const requestIds = new Map<string, string>();
  const requestIdOf = (state: ConnectionState | undefined, id: string): string => requestIds.get(`${state?.connectionId}:${id}`) ?? state?.connectionId ?? 'unknown';

  const disposable = useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
      isProd: true,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMillis ?? 10_000,
      onConnect: (ctx) => {
        const state = states.get(ctx.extra.request);
        if (state === undefined) return false;
        logger.debug({ connectionId: state.connectionId, clientId: state.identity.clientId }, 'subscription connection opened');
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        const state = states.get(ctx.extra.request);
        const requestId = randomUUID();
        requestIds.set(`${state?.connectionId}:${id}`, requestId);
        const outcome = (errors: GraphQLError[]): GraphQLError[] => {
          options.metrics?.operations.inc({ operation: options.metrics.operationLabel(payload.operationName ?? undefined), type: 'subscription', outcome: 'rejected' });
          return errors;
        };
        if (state === undefined) return outcome(refuse('ERR_INTERNAL'));
        const schema = options.schema();
        if (schema === undefined) return outcome(refuse('ERR_SUPERGRAPH_NOT_LOADED'));
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: 10_000 });
        } catch (error) {
          return outcome(refuse('ERR_GRAPHQL_PARSE_FAILED', (error as Error).message));
        }
        const validationErrors = validate(schema, document);
        if (validationErrors.length > 0) {
          return outcome(validationErrors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'ERR_GRAPHQL_VALIDATION_FAILED' } })));
        }
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (operation === null || operation === undefined) return outcome(refuse('ERR_OPERATION_NOT_FOUND'));
        if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
          return outcome(refuse('ERR_BAD_REQUEST', `Only subscriptions run over WebSocket; send ${operation.operation} operations with POST ${path}.`));
        }
        const variables = payload.variables ?? undefined;
        const denied = options.authorize?.({ identity: state.identity, purpose: state.purpose, schema, document, operationName: payload.operationName ?? undefined, variables });
        if (denied !== undefined) return outcome([new GraphQLError(denied.message, { extensions: { code: denied.code } })]);
        options.metrics?.operations.inc({ operation: options.metrics.operationLabel(payload.operationName ?? operation.name?.value), type: 'subscription', outcome: 'success' });
        const contextValue: GatewayRequestContext = {
          requestId,
          clientId: state.identity.clientId,
          authenticatedBy: state.identity.authenticatedBy,
          purpose: state.purpose,
          traceparent: state.traceparent,
          logger: logger.child({ reqId: requestId }),
          subgraphCalls: new Set<string>(),
          signature: undefined,
          introspection: false,
          exchange: {},
        };
        logger.debug({ reqId: requestId, clientId: state.identity.clientId, operationName: payload.operationName }, 'subscription started');
        const args: ExecutionArgs = { schema, document, operationName: payload.operationName ?? null, variableValues: variables ?? null, contextValue };
        return args;
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (result.errors === undefined || result.errors.length === 0) return undefined;
        const requestId = requestIdOf(states.get(ctx.extra.request), id);
        return { ...(result.data !== undefined ? { data: result.data } : {}), errors: format(result.errors, requestId) };
      },
      onError: (ctx, id, _payload, errors) => format(errors, requestIdOf(states.get(ctx.extra.request), id)),
      onComplete: (ctx, id) => {
        requestIds.delete(`${states.get(ctx.extra.request)?.connectionId}:${id}`);
      },
    },
    wss,
    options.keepAliveMillis ?? 12_000,
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    close: async () => {
      options.server.off('upgrade', onUpgrade);
      // graphql-ws closes every socket with 1001 (Going Away) and then the server.
      await disposable.dispose();
      for (const client of wss.clients) client.terminate();
    },
  };
}

/** Answers an upgrade that will not happen with a plain HTTP error carrying the gateway's error body. */
function refuseUpgrade(socket: Duplex, status: number, code: ErrorCode): void {
  refuseUpgradeWith(socket, status, code, ERROR_CODES[code].en, ERROR_CODES[code].origin);
}

function refuseUpgradeWith(socket: Duplex, status: number, code: string, message: string, origin = 'client'): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, origin } }] });
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 503 ? 'Service Unavailable' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
