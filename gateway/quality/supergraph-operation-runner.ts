import { randomUUID } from 'node:crypto';
import { execute, GraphQLError, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Logger } from 'pino';
import type { ErrorCode } from '../errors/error-codes.js';
import type { GatewayRequestContext } from '../federation/request-context.js';

export interface SyntheticOperation {
  readonly document: DocumentNode;
  readonly variables?: Readonly<Record<string, unknown>>;
  /** A result not there by then is a failure (`ERR_REQUEST_TIMEOUT`). */
  readonly timeoutMillis: number;
  /** What it is for, in logs and request ids (e.g. `probe-mawared`). */
  readonly label: string;
}

export interface SyntheticResult {
  readonly result: ExecutionResult;
  readonly durationMillis: number;
}

/**
 * Runs the gateway's own operations (probes, the cloud-health incident query) through the same
 * path as member-state traffic after the HTTP layer: the loaded supergraph's executable schema,
 * its query planning and the subgraph executors with their timeouts, retries, circuit breakers and
 * transports. It is not a side channel to the subgraphs: a probe fails exactly when a caller's
 * query would. It skips what belongs to an exchange with a member state (the evidence log, the
 * operation metrics), and its subgraph calls are marked synthetic so they are not counted as
 * member-state traffic.
 */
export class SupergraphOperationRunner {
  readonly #logger: Logger;
  readonly #unsubscribe: () => void;
  readonly #synthetic = new WeakSet<object>();
  readonly #validated = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();
  #schema: GraphQLSchema | undefined;

  constructor(options: { readonly gateway: Pick<GatewayInterface, 'onSchemaLoadOrUpdate'>; readonly logger: Logger }) {
    this.#logger = options.logger;
    // Called at once with the current supergraph, then on every reload.
    this.#unsubscribe = options.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
      this.#schema = apiSchema;
    });
  }

  /** Whether a request context (as a subgraph executor sees it) belongs to one of these operations. */
  isSynthetic(context: unknown): boolean {
    const calls = typeof context === 'object' && context !== null ? (context as Partial<GatewayRequestContext>).subgraphCalls : undefined;
    // The executor sees a copy of the context (supergraph-gateway.ts), but the same subgraphCalls set.
    return calls !== undefined && this.#synthetic.has(calls);
  }

  /** Whether the loaded supergraph has this root query field. */
  hasQueryField(name: string): boolean {
    return this.#schema?.getQueryType()?.getFields()[name] !== undefined;
  }

  async run(operation: SyntheticOperation): Promise<SyntheticResult> {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
    const schema = this.#schema;
    if (schema === undefined) return { result: failure('ERR_SUPERGRAPH_NOT_LOADED', 'no supergraph is loaded'), durationMillis: elapsed() };
    const invalid = this.#validate(schema, operation.document);
    if (invalid.length > 0) {
      return { result: failure('ERR_GRAPHQL_VALIDATION_FAILED', `not valid against the loaded supergraph: ${invalid[0]?.message ?? ''}`), durationMillis: elapsed() };
    }
    const requestId = `quality-${operation.label}-${randomUUID()}`;
    const subgraphCalls = new Set<string>();
    this.#synthetic.add(subgraphCalls);
    const context: GatewayRequestContext = {
      requestId,
      clientId: undefined,
      authenticatedBy: 'none',
      purpose: undefined,
      traceparent: undefined,
      logger: this.#logger.child({ reqId: requestId }),
      subgraphCalls,
      signature: undefined,
      introspection: false,
      exchange: {},
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ExecutionResult>((resolve) => {
      timer = setTimeout(() => resolve(failure('ERR_REQUEST_TIMEOUT', `no answer within ${operation.timeoutMillis} ms`)), operation.timeoutMillis);
      timer.unref();
    });
    try {
      const result = await Promise.race([
        Promise.resolve(execute({ schema, document: operation.document, variableValues: operation.variables, contextValue: context }) as ExecutionResult | Promise<ExecutionResult>),
        deadline,
      ]);
      return { result, durationMillis: elapsed() };
    } catch (error) {
      this.#logger.warn({ err: error, operation: operation.label }, 'synthetic operation threw');
      return { result: failure('ERR_INTERNAL', 'the operation threw'), durationMillis: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#unsubscribe();
  }

  #validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
    let bySchema = this.#validated.get(schema);
    if (bySchema === undefined) {
      bySchema = new WeakMap();
      this.#validated.set(schema, bySchema);
    }
    let errors = bySchema.get(document);
    if (errors === undefined) {
      errors = validate(schema, document);
      bySchema.set(document, errors);
    }
    return errors;
  }
}

function failure(code: ErrorCode, message: string): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code } })] };
}
