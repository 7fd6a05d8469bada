import { createHash } from 'node:crypto';
import { execute, getVariableValues, GraphQLError, parse, OperationTypeNode, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import { getStitchedSchemaFromSupergraphSdl } from '@graphql-tools/federation';
import type {
  GatewayExecutor,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { Logger } from 'pino';
import type { SubgraphDefaults, SubgraphOverride } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { executePlan } from './query-plan/plan-executor.js';
import { planOperation, type QueryPlan } from './query-plan/query-planner.js';
import { readSupergraphModel, type SupergraphModel } from './query-plan/supergraph-model.js';
import { createSubgraphExecutor, type SubgraphCallObserver } from './subgraph-executor.js';
import { listSupergraphSubgraphs } from './supergraph-subgraphs.js';
import { createHttpTransport, createInProcessTransport, type SubgraphTransport } from './subgraph-transport.js';
import type { SubgraphContextSigner } from './subgraph-context-signer.js';

/** A subgraph served inside this process (a built-in adapter in the embedded mode). */
export interface InProcessSubgraph {
  readonly schema: GraphQLSchema;
  readonly checkHealth?: () => Promise<void>;
}

export interface SupergraphGatewayOptions {
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
  readonly defaults: SubgraphDefaults;
  readonly overrides?: Readonly<Record<string, SubgraphOverride>>;
  /** Subgraphs executed in-process, by name; all others are called at their URL. */
  readonly inProcess?: ReadonlyMap<string, InProcessSubgraph>;
  /** Signs the caller's identity and purpose on every call to a remote subgraph. */
  readonly contextSigner?: SubgraphContextSigner;
  /** Told about every subgraph call once it is over (service-quality measurement). */
  readonly onSubgraphCall?: SubgraphCallObserver;
  /**
   * `query-plan`: queries run on the gateway's own query planner (query-plan/), operations it
   * does not handle on the stitched schema; `stitching`: everything on the stitched schema.
   * @default 'query-plan'
   */
  readonly execution?: 'query-plan' | 'stitching';
}

interface LoadedSubgraph {
  readonly name: string;
  readonly url: string | undefined;
  readonly transport: SubgraphTransport & { close?: () => void };
  readonly checkHealth: (() => Promise<void>) | undefined;
}

/** One loaded supergraph: what a request sees from start to end, even if a reload happens meanwhile. */
interface Generation {
  readonly schema: GraphQLSchema;
  readonly model: SupergraphModel;
  /** Subgraph executors by `join__Graph` id. */
  readonly executors: ReadonlyMap<string, Executor>;
  /** Plans by document (Apollo Server reuses the parsed document of a known query) and operation name. */
  readonly plans: WeakMap<DocumentNode, Map<string, QueryPlan | null>>;
  readonly sdl: string;
  readonly hash: string;
  readonly subgraphs: readonly LoadedSubgraph[];
  readonly loadedAt: Date;
}

export interface SubgraphProbe {
  readonly name: string;
  readonly ok: boolean;
  readonly mode: 'in-process' | 'remote';
  readonly reason?: string;
}

/**
 * The federation engine behind Apollo Server, through Apollo's `GatewayInterface`: it turns a
 * supergraph SDL into an executable schema (@graphql-tools/federation) whose subgraph calls go
 * through our executors, and swaps it on reload. Apollo Server takes the schema for each request at
 * the request's start, so a reload never disturbs requests in flight; the old generation's
 * connections are closed once they can no longer be in use.
 */
export class SupergraphGateway implements GatewayInterface {
  readonly #options: SupergraphGatewayOptions;
  readonly #listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  #current: Generation | undefined;
  /** The generation of each schema handed to Apollo Server (a request carries the schema it started with). */
  readonly #bySchema = new WeakMap<GraphQLSchema, Generation>();
  #stopped = false;

  constructor(options: SupergraphGatewayOptions) {
    this.#options = options;
  }

  get loaded(): boolean {
    return this.#current !== undefined;
  }

  get supergraphHash(): string | undefined {
    return this.#current?.hash;
  }

  get supergraphSdl(): string | undefined {
    return this.#current?.sdl;
  }

  get loadedAt(): Date | undefined {
    return this.#current?.loadedAt;
  }

  get subgraphNames(): string[] {
    return this.#current?.subgraphs.map((s) => s.name) ?? [];
  }

  /**
   * Builds a generation from the SDL and makes it current. Throws `ERR_SUPERGRAPH_INVALID` and
   * leaves the current generation serving when the SDL cannot be loaded.
   * @returns false when the SDL is identical to the current one (nothing to do).
   */
  apply(sdl: string): boolean {
    if (this.#stopped) throw new GatewayError('ERR_SHUTTING_DOWN');
    const hash = createHash('sha256').update(sdl).digest('hex');
    if (this.#current?.hash === hash) return false;
    let generation: Generation;
    try {
      generation = this.#build(sdl, hash);
    } catch (cause) {
      this.#options.metrics?.supergraphReloads.inc({ outcome: 'failure' });
      if (cause instanceof GatewayError) throw cause;
      throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: `the supergraph could not be loaded: ${(cause as Error).message}`, cause });
    }
    const previous = this.#current;
    this.#current = generation;
    this.#bySchema.set(generation.schema, generation);
    this.#options.metrics?.supergraphReloads.inc({ outcome: 'success' });
    for (const listener of this.#listeners) listener({ apiSchema: generation.schema, coreSupergraphSdl: sdl });
    if (previous !== undefined) this.#retire(previous);
    return true;
  }

  // --- GatewayInterface (called by Apollo Server) ---

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    this.#listeners.add(callback);
    if (this.#current !== undefined) callback({ apiSchema: this.#current.schema, coreSupergraphSdl: this.#current.sdl });
    return () => this.#listeners.delete(callback);
  }

  async load(): Promise<GatewayLoadResult> {
    if (this.#current === undefined) throw new GatewayError('ERR_SUPERGRAPH_NOT_LOADED');
    const executor: GatewayExecutor = async (requestContext) => {
      if (requestContext.operation === undefined) {
        // GraphQL spec §6.1 GetOperation: no operation of that name (or several and no name given).
        const name = requestContext.request.operationName;
        const message = name !== undefined && name !== null ? `Unknown operation named "${name}".` : 'The document has several operations; name the one to run in "operationName".';
        return { errors: [new GraphQLError(message, { extensions: { code: 'ERR_OPERATION_NOT_FOUND', http: { status: 400 } } })] };
      }
      const generation = this.#options.execution === 'stitching' ? undefined : this.#bySchema.get(requestContext.schema);
      const plan = generation !== undefined ? this.#planFor(generation, requestContext.document, requestContext.operation, requestContext.operationName ?? null) : null;
      if (plan !== null && generation !== undefined) {
        // Variables are coerced as graphql-js execution would (GraphQL spec §6.1.2
        // CoerceVariableValues); Apollo Server answers these errors with 400 BAD_USER_INPUT.
        const variables = getVariableValues(generation.schema, requestContext.operation.variableDefinitions ?? [], requestContext.request.variables ?? {});
        if (variables.errors !== undefined) return { errors: variables.errors };
        return (await executePlan(plan, {
          executors: generation.executors,
          context: withoutFieldHooks(requestContext.context),
          variables: variables.coerced,
        })) as ExecutionResult<Record<string, unknown>>;
      }
      return (await execute({
        // The schema Apollo validated this request against: the generation current at its start.
        schema: requestContext.schema,
        document: requestContext.document,
        operationName: requestContext.operationName,
        variableValues: requestContext.request.variables,
        contextValue: withoutFieldHooks(requestContext.context),
      })) as ExecutionResult<Record<string, unknown>>;
    };
    return { executor };
  }

  /** The cached plan of an operation, or null when it runs on the stitched schema. */
  #planFor(generation: Generation, document: DocumentNode, operation: Parameters<typeof planOperation>[3], operationName: string | null): QueryPlan | null {
    let byName = generation.plans.get(document);
    if (byName === undefined) {
      byName = new Map();
      generation.plans.set(document, byName);
    }
    const key = operationName ?? '';
    const known = byName.get(key);
    if (known !== undefined) return known;
    const outcome = planOperation(generation.schema, generation.model, document, operation);
    const plan = 'plan' in outcome ? outcome.plan : null;
    if (!('plan' in outcome)) this.#options.logger.debug({ operationName, reason: outcome.unsupported }, 'operation runs on the stitched schema');
    byName.set(key, plan);
    return plan;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#listeners.clear();
    const current = this.#current;
    if (current !== undefined) for (const subgraph of current.subgraphs) subgraph.transport.close?.();
  }

  /** Checks every subgraph answers (`{ __typename }`) and, for in-process ones, their upstream. */
  async probe(timeoutMillis = 2_000): Promise<SubgraphProbe[]> {
    const current = this.#current;
    if (current === undefined) return [];
    return Promise.all(
      current.subgraphs.map(async (subgraph): Promise<SubgraphProbe> => {
        const mode = this.#options.inProcess?.has(subgraph.name) === true ? 'in-process' : 'remote';
        try {
          const signal = AbortSignal.timeout(timeoutMillis);
          const result = await Promise.race([
            subgraph.transport({ document: PROBE_DOCUMENT, operationType: OperationTypeNode.QUERY }, signal),
            new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMillis} ms`)), { once: true })),
          ]);
          if (result.errors !== undefined && result.errors.length > 0) throw new Error(result.errors[0]?.message ?? 'error');
          await subgraph.checkHealth?.();
          return { name: subgraph.name, ok: true, mode };
        } catch (error) {
          return { name: subgraph.name, ok: false, mode, reason: (error as Error).message };
        }
      }),
    );
  }

  #build(sdl: string, hash: string): Generation {
    const declared = listSupergraphSubgraphs(sdl);
    const { defaults, overrides = {}, inProcess, logger, metrics } = this.#options;
    const loaded = new Map<string, LoadedSubgraph>();
    const executors = new Map<string, ReturnType<typeof createSubgraphExecutor>>();
    const model = readSupergraphModel(sdl);
    for (const { name, url: declaredUrl, graphId } of declared) {
      const override = overrides[name];
      const local = inProcess?.get(name);
      let transport: LoadedSubgraph['transport'];
      let url: string | undefined;
      if (local !== undefined && override?.url === undefined) {
        transport = createInProcessTransport(local.schema);
      } else {
        url = override?.url ?? declaredUrl;
        if (!/^https?:\/\//.test(url)) {
          throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: `subgraph "${name}" has no http(s) URL in the supergraph and none is configured (subgraphs.overrides.${name}.url)` });
        }
        transport = createHttpTransport({
          url,
          subgraphName: name,
          deduplicateInflightQueries: defaults.deduplicateInflightQueries,
          ...(this.#options.contextSigner !== undefined ? { signContext: this.#options.contextSigner } : {}),
        });
      }
      loaded.set(name, { name, url, transport, checkHealth: local?.checkHealth });
      executors.set(
        graphId,
        createSubgraphExecutor({
          name,
          transport,
          timeoutMillis: override?.timeoutMillis ?? defaults.timeoutMillis,
          retry: override?.retry ?? defaults.retry,
          circuitBreaker: defaults.circuitBreaker,
          logger: logger.child({ component: 'subgraph', subgraph: name }),
          ...(metrics !== undefined ? { metrics } : {}),
          ...(this.#options.onSubgraphCall !== undefined ? { onCall: this.#options.onSubgraphCall } : {}),
        }),
      );
    }
    const schema = getStitchedSchemaFromSupergraphSdl({
      supergraphSdl: sdl,
      onSubschemaConfig(config) {
        const executor = executors.get(config.name);
        if (executor === undefined) throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: `subgraph "${config.name}" is used but not declared in join__Graph` });
        config.executor = executor;
      },
    });
    return { schema, model, executors, plans: new WeakMap(), sdl, hash, subgraphs: [...loaded.values()], loadedAt: new Date() };
  }

  /** Closes an old generation's connections once no request can still be using them. */
  #retire(generation: Generation): void {
    const { timeoutMillis, retry } = this.#options.defaults;
    const worstCaseMillis = timeoutMillis * retry.maxAttempts + 5_000;
    setTimeout(() => {
      for (const subgraph of generation.subgraphs) subgraph.transport.close?.();
    }, worstCaseMillis).unref();
  }
}

const PROBE_DOCUMENT = parse('query Probe { __typename }');

/**
 * The request's context without Apollo Server's per-field plugin hooks. Apollo wraps every field
 * resolver of the served schema and, through a hidden (non-enumerable) symbol on the context, calls
 * `willResolveField` of its plugins for each field; its default cache-control plugin is one. For
 * Apollo's own gateway that costs nothing (its query-plan executor calls no field resolvers), but
 * the stitched supergraph resolves every field of the answer through graphql-js, and the CPU
 * profile of the deep benchmark query (bench/README.md) showed these hooks among the top costs.
 * The gateway attaches no cache hints and decides field access on the operation document before
 * execution (DESIGN.md, "The way a request travels", step 5), so no field-level hook is needed.
 * The copy keeps our own fields, and so the same `subgraphCalls` set that the evidence log reads.
 */
function withoutFieldHooks<T extends object>(context: T): T {
  return { ...context };
}
