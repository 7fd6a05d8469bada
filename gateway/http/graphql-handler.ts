import { createHash, hash } from 'node:crypto';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AccessRefusal } from '../access/access-refusal.js';
import type { ListenerSecurity, RequestAuthentication, RequestGate } from '../access/request-security.js';
import { REQUEST_HASH_HEADER, RESPONSE_SIGNATURE_HEADER } from '../access/member-request-verifier.js';
import type { GraphQLExchangeRecord } from '../audit/audit-record.js';
import type { EvidenceLog } from '../audit/evidence-log.js';
import { commitExchange, refusalRecord } from '../audit/exchange-recorder.js';
import type { GatewayRequestContext } from '../federation/request-context.js';

export interface GraphQLHandlerOptions {
  readonly apollo: ApolloServer<GatewayRequestContext>;
  readonly security: ListenerSecurity;
  readonly gate: RequestGate;
  readonly evidence: EvidenceLog | undefined;
}

/**
 * The hash a response names when its request was not signed: SHA-256 over the method, the path
 * and query, and the body, exactly as received (base64url, like the signed requests' hash of the JWS).
 */
export function unsignedRequestHash(method: string, pathAndQuery: string, body: Uint8Array): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${pathAndQuery}\n`).update(body).digest('base64url');
}

/** What the HTTP layer hands the GraphQL handler for one request (see create-app.ts). */
export interface GraphQLRequestScope {
  /** The correlation id, already on the response as `x-request-id`. */
  readonly requestId: string;
  readonly logger: Logger;
  /** The body exactly as received: a request signature binds its digest. */
  readonly rawBody: Buffer;
  /** The request target as received (path and query). */
  readonly pathAndQuery: string;
}

/** Handles one `/graphql` request whose body has been read; never rejects (every failure is an answer). */
export type GraphQLHandler = (req: IncomingMessage, res: ServerResponse, scope: GraphQLRequestScope) => Promise<void>;

/**
 * `/graphql` for one listener, in the order of DESIGN.md "The way a request travels": identity and
 * signature (listener), per-client rate and concurrency, batch size, trusted documents, then
 * Apollo Server (parse and validate with limits, policy, execution), under one deadline; then the
 * response is signed, its evidence record completed and written (sync durability: before the
 * answer leaves), and sent. Every refusal is an error body with a code and the correlation id.
 */
export function createGraphQLHandler(options: GraphQLHandlerOptions): GraphQLHandler {
  const { apollo, security, gate, evidence } = options;
  return async (req, res, scope) => {
    const { requestId, logger, rawBody, pathAndQuery } = scope;
    const method = req.method ?? 'GET';
    const startedAt = new Date();
    const started = process.hrtime.bigint();
    let auth: RequestAuthentication | undefined;
    let release: (() => void) | undefined;
    let operationText: string | undefined;

    const finish = async (status: number, headers: Iterable<[string, string]>, body: Buffer, draft: GraphQLExchangeRecord | undefined): Promise<void> => {
      const requestHash = auth?.signature?.requestHash ?? unsignedRequestHash(method, pathAndQuery, rawBody);
      let signature = security.signResponse !== undefined ? await security.signResponse(status, body, requestHash) : undefined;
      if (evidence !== undefined && draft !== undefined) {
        try {
          await commitExchange(
            evidence,
            {
              ...draft,
              requestSignature: auth?.signature?.jws ?? null,
              requestHash,
              responseSignature: signature ?? null,
              responseHash: hash('sha256', body, 'hex'),
            },
            logger,
          );
        } catch (error) {
          const refusal = AccessRefusal.from(error);
          status = refusal.httpStatus;
          headers = [['content-type', 'application/json; charset=utf-8']];
          body = Buffer.from(JSON.stringify(refusal.body(requestId)));
          signature = security.signResponse !== undefined ? await security.signResponse(status, body, requestHash) : undefined;
        }
      }
      if (res.headersSent || res.destroyed) return;
      res.statusCode = status;
      for (const [key, value] of headers) res.setHeader(key, value);
      if (signature !== undefined) {
        res.setHeader(RESPONSE_SIGNATURE_HEADER, signature);
        res.setHeader(REQUEST_HASH_HEADER, requestHash);
      }
      res.end(body);
    };

    try {
      auth = await security.authenticate(req, rawBody, pathAndQuery);
      const limits = gate.limitsFor(auth.clientId);
      release = gate.rateLimiter.acquire(auth.clientId ?? 'anonymous', limits);

      let body: unknown = {};
      let search = searchOf(pathAndQuery);
      if (method === 'POST') {
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          throw AccessRefusal.of('ERR_BAD_JSON');
        }
        if (Array.isArray(body)) {
          if (body.length === 0) throw AccessRefusal.of('ERR_BAD_REQUEST', 'An empty batch is not a request.');
          if (!body.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
            throw AccessRefusal.of('ERR_BAD_REQUEST', 'A GraphQL request must be a JSON object (or, where batching is on, an array of them).');
          }
          if (body.length > gate.maxBatchSize) {
            throw AccessRefusal.of('ERR_LIMIT_BATCH', gate.maxBatchSize === 1 ? 'Batched requests are not accepted here; send one operation per request.' : `A batch may hold at most ${gate.maxBatchSize} operations; this one holds ${body.length}.`, { limit: gate.maxBatchSize, actual: body.length });
          }
        }
        if (gate.resolveDocument !== undefined) {
          const resolve = gate.resolveDocument;
          body = Array.isArray(body) ? body.map((op) => resolve(asRecord(op))) : resolve(asRecord(body));
        }
        operationText = Array.isArray(body) ? undefined : stringOrUndefined(asRecord(body)['query']);
      } else {
        const params = new URLSearchParams(search);
        if (gate.resolveDocument !== undefined) {
          const resolved = gate.resolveDocument(getOperation(params));
          params.set('query', String(resolved['query']));
          params.delete('documentId');
          search = `?${params.toString()}`;
        }
        operationText = params.get('query') ?? undefined;
      }

      const headers = apolloHeaders(req);
      const traceparent = req.headers['traceparent'];
      const context: GatewayRequestContext = {
        requestId,
        clientId: auth.clientId,
        authenticatedBy: auth.authenticatedBy,
        purpose: auth.purpose,
        traceparent: typeof traceparent === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent) ? traceparent : undefined,
        logger,
        subgraphCalls: new Set<string>(),
        signature: auth.signature !== undefined ? { jws: auth.signature.jws, requestHash: auth.signature.requestHash } : undefined,
        introspection: limits.introspection,
        exchange: {},
      };
      const response = await withDeadline(
        apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: method.toUpperCase(), headers, search, body }, context: async () => context }),
        gate.requestTimeoutMillis,
      );
      let text: string;
      if (response.body.kind === 'complete') {
        text = response.body.string;
      } else {
        const chunks: string[] = [];
        for await (const chunk of response.body.asyncIterator) chunks.push(chunk);
        text = chunks.join('');
      }
      const status = response.status ?? 200;
      if (status >= 400) text = withCorrelationId(text, requestId);
      const draft =
        context.exchange.draft ??
        refusalRecord({ requestId, clientId: auth.clientId, authenticatedBy: auth.authenticatedBy, purpose: auth.purpose, startedAt, durationMillis: millisSince(started), errorCode: firstErrorCode(text) ?? 'ERR_BAD_REQUEST', requestSignature: auth.signature?.jws, requestHash: auth.signature?.requestHash, operationText });
      await finish(status, response.headers, Buffer.from(text), draft);
    } catch (error) {
      const refusal = AccessRefusal.from(error);
      const level = refusal.origin === 'client' ? 'info' : 'error';
      logger[level]({ code: refusal.code, status: refusal.httpStatus, clientId: auth?.clientId, ...(refusal.origin === 'client' ? {} : { err: error }) }, `request refused: ${refusal.message}`);
      const headers: Array<[string, string]> = [['content-type', 'application/json; charset=utf-8']];
      const retryAfter = refusal.details['retryAfterSeconds'];
      if (typeof retryAfter === 'number') headers.push(['retry-after', String(retryAfter)]);
      // Refusals of an identified caller are evidence too; anonymous noise is only logged.
      const draft =
        auth !== undefined
          ? refusalRecord({ requestId, clientId: auth.clientId, authenticatedBy: auth.authenticatedBy, purpose: auth.purpose, startedAt, durationMillis: millisSince(started), errorCode: refusal.code, requestSignature: auth.signature?.jws, requestHash: auth.signature?.requestHash, operationText })
          : undefined;
      await finish(refusal.httpStatus, headers, Buffer.from(JSON.stringify(refusal.body(requestId))), draft);
    } finally {
      release?.();
    }
  };
}

/**
 * The request headers Apollo Server reads: the media types (CSRF prevention, GET, the answer's
 * content type) and the CSRF-preflight headers (create-app.ts `csrfPrevention`). No plugin of ours
 * reads headers (identity, purpose, signature and trace context travel in the context), so the
 * others (among them the ~4 KB signature) are not copied. `accept: application/json`, what most
 * clients send, is left out: Apollo then answers application/json without running its content
 * negotiation, which is the type that negotiation picks for that header.
 */
const APOLLO_HEADERS = ['content-type', 'accept', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-gccgw-request'] as const;

function apolloHeaders(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const name of APOLLO_HEADERS) {
    const value = req.headers[name];
    if (value === undefined || (name === 'accept' && value === 'application/json')) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

function millisSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function searchOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at);
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw AccessRefusal.of('ERR_BAD_REQUEST', 'A GraphQL request must be a JSON object.');
  return value as Record<string, unknown>;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A GET request's operation, in the shape of a POST body (for trusted documents). */
function getOperation(params: URLSearchParams): Record<string, unknown> {
  const operation: Record<string, unknown> = {};
  const query = params.get('query');
  if (query !== null) operation['query'] = query;
  const documentId = params.get('documentId');
  if (documentId !== null) operation['documentId'] = documentId;
  const extensions = params.get('extensions');
  if (extensions !== null) {
    try {
      operation['extensions'] = JSON.parse(extensions);
    } catch {
      throw AccessRefusal.of('ERR_BAD_REQUEST', 'The extensions parameter is not JSON.');
    }
  }
  return operation;
}

function withDeadline<T>(work: Promise<T>, millis: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(AccessRefusal.of('ERR_REQUEST_TIMEOUT', `The request took longer than ${millis} ms.`)), millis);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Apollo refuses some requests before its pipeline runs (no query, CSRF): stamp their errors with the correlation id. */
function withCorrelationId(text: string, requestId: string): string {
  if (!text.includes('"errors"') || text.includes('"correlationId"')) return text;
  try {
    const parsed = JSON.parse(text) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    for (const error of parsed.errors ?? []) error.extensions = { ...error.extensions, correlationId: requestId };
    return JSON.stringify(parsed);
  } catch {
    return text;
  }
}

function firstErrorCode(text: string): string | undefined {
  const match = /"code":"([A-Z0-9_]+)"/.exec(text);
  return match?.[1];
}
