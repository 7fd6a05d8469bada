import { GraphQLError, OperationTypeNode, type ExecutionResult } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors/error-codes.js';
import type { GatewayMetrics, SubgraphOutcome } from '../observability/gateway-metrics.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { isGatewayRequestContext } from './request-context.js';
import { TransportError, type SubgraphTransport } from './subgraph-transport.js';

export interface SubgraphExecutorOptions {
  readonly name: string;
  readonly transport: SubgraphTransport;
  readonly timeoutMillis: number;
  readonly retry: { readonly maxAttempts: number; readonly backoffMillis: number };
  readonly circuitBreaker: { readonly enabled: boolean; readonly failureThreshold: number; readonly resetTimeoutMillis: number };
  readonly metrics?: GatewayMetrics;
  readonly logger: Logger;
  /** Told about every call once it is over (after retries), e.g. for service-quality measurement. */
  readonly onCall?: SubgraphCallObserver;
}

/** One call to a subgraph as its caller saw it: the final result and the time it took, retries included. */
export interface SubgraphCall {
  readonly subgraph: string;
  /** The request's context (a `GatewayRequestContext` for gateway traffic). */
  readonly context: unknown;
  readonly durationMillis: number;
  /** Failures the executor turned into errors carry their code (`ERR_SUBGRAPH_*`) in `extensions.code`. */
  readonly result: ExecutionResult;
}

export type SubgraphCallObserver = (call: SubgraphCall) => void;

const FAILURE_CODE: Record<TransportError['failure'] | 'circuit_open', ErrorCode> = {
  unavailable: 'ERR_SUBGRAPH_UNAVAILABLE',
  timeout: 'ERR_SUBGRAPH_TIMEOUT',
  bad_response: 'ERR_SUBGRAPH_BAD_RESPONSE',
  circuit_open: 'ERR_SUBGRAPH_CIRCUIT_OPEN',
};

/**
 * Wraps a subgraph transport with the gateway's rules for calling a subgraph:
 * - a deadline per call (`timeoutMillis`);
 * - bounded retries with exponential backoff and jitter, for queries only: a mutation is never
 *   sent twice, since the gateway cannot know it is idempotent;
 * - a circuit breaker that fails fast while the subgraph is down.
 * A failure never throws into the query plan: it becomes a GraphQL error naming the subgraph, so the
 * rest of the response (data from other subgraphs) is still delivered.
 */
export function createSubgraphExecutor(options: SubgraphExecutorOptions): Executor & { readonly breaker: CircuitBreaker | undefined } {
  const { name, transport, metrics, logger } = options;
  const breaker = options.circuitBreaker.enabled
    ? new CircuitBreaker({
        failureThreshold: options.circuitBreaker.failureThreshold,
        resetTimeoutMillis: options.circuitBreaker.resetTimeoutMillis,
        onStateChange: (state) => {
          metrics?.circuitState.set({ subgraph: name }, state === 'open' ? 1 : 0);
          logger.warn({ subgraph: name, circuit: state }, `circuit of subgraph "${name}" is ${state}`);
        },
      })
    : undefined;

  const execute = async (request: ExecutionRequest): Promise<ExecutionResult> => {
    const context: unknown = request.context;
    if (isGatewayRequestContext(context)) context.subgraphCalls.add(name);
    const idempotent = request.operationType === OperationTypeNode.QUERY;
    const maxAttempts = idempotent ? options.retry.maxAttempts : 1;
    let lastError: TransportError | undefined;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (breaker !== undefined && !breaker.tryAcquire()) {
        metrics?.subgraphRequests.inc({ subgraph: name, outcome: 'circuit_open' });
        return failure('circuit_open', `Subgraph "${name}" is failing; calls to it are paused`);
      }
      if (attempt > 1) {
        metrics?.subgraphRetries.inc({ subgraph: name });
        await sleep(backoff(options.retry.backoffMillis, attempt));
      }
      const started = process.hrtime.bigint();
      // An AbortController and a timer cleared when the call ends, rather than AbortSignal.timeout:
      // that one keeps its timer (and a finalization registration) alive for the whole deadline,
      // thousands of them a second under load, for calls that mostly end in a millisecond.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), options.timeoutMillis);
      const signal = controller.signal;
      try {
        const result = await withDeadline(transport(request, signal), signal).finally(() => clearTimeout(timer));
        breaker?.onSuccess();
        observe(result.errors !== undefined && result.errors.length > 0 ? 'graphql_error' : 'success', started);
        return result;
      } catch (error) {
        const transportError = error instanceof TransportError ? error : new TransportError('bad_response', 'subgraph call failed', false, { cause: error });
        breaker?.onFailure();
        observe(transportError.failure, started);
        lastError = transportError;
        const requestId = isGatewayRequestContext(context) ? context.requestId : undefined;
        logger.warn({ subgraph: name, attempt, failure: transportError.failure, reason: transportError.message, requestId }, `subgraph "${name}" call failed`);
        if (!transportError.retriable) break;
      }
    }
    const failureKind = lastError?.failure ?? 'unavailable';
    const detail =
      failureKind === 'timeout'
        ? `did not answer within ${options.timeoutMillis} ms`
        : failureKind === 'bad_response'
          ? 'returned an invalid response'
          : 'could not be reached';
    return failure(failureKind, `Subgraph "${name}" ${detail}`);
  };

  const onCall = options.onCall;
  const executor =
    onCall === undefined
      ? execute
      : async (request: ExecutionRequest): Promise<ExecutionResult> => {
          const started = process.hrtime.bigint();
          const result = await execute(request);
          try {
            onCall({ subgraph: name, context: request.context, durationMillis: Number(process.hrtime.bigint() - started) / 1e6, result });
          } catch (error) {
            // An observer's fault must never change the answer.
            logger.error({ err: error, subgraph: name }, 'subgraph call observer failed');
          }
          return result;
        };

  function observe(outcome: SubgraphOutcome, started: bigint): void {
    if (metrics === undefined) return;
    metrics.subgraphRequests.inc({ subgraph: name, outcome });
    metrics.subgraphDuration.observe({ subgraph: name }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  function failure(kind: keyof typeof FAILURE_CODE, message: string): ExecutionResult {
    return { errors: [new GraphQLError(message, { extensions: { code: FAILURE_CODE[kind], subgraph: name } })] };
  }

  return Object.assign(executor, { breaker });
}

/** An in-process transport cannot be aborted; the deadline still ends the wait. */
function withDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new TransportError('timeout', 'deadline passed', true));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new TransportError('timeout', 'no answer before the deadline', true));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof TransportError ? error : signal.aborted ? new TransportError('timeout', 'no answer before the deadline', true) : error);
      },
    );
  });
}

function backoff(baseMillis: number, attempt: number): number {
  const exponential = baseMillis * 2 ** (attempt - 2);
  return Math.round(exponential * (0.5 + Math.random() / 2));
}

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
