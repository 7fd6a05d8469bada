import { GraphQLError, OperationTypeNode, type ExecutionResult } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import type { KeyField, PathStep, PlanFetch, QueryPlan } from './query-planner.js';
import { shapeResult } from './result-shaper.js';

type JsonObject = Record<string, unknown>;

export interface PlanExecutionOptions {
  /** The subgraph executors (timeouts, retries, circuit breaker), by `join__Graph` id. */
  readonly executors: ReadonlyMap<string, Executor>;
  /** The request's context, passed to every subgraph executor. */
  readonly context: unknown;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Runs a query plan: root fetches in parallel, each dependent `_entities` fetch as soon as the
 * fetch it depends on has merged its answer. Answers are merged into one tree; the result shaper
 * then builds the response from it. Representations are de-duplicated within a fetch (the same
 * product under many reviews is asked for once).
 */
export async function executePlan(plan: QueryPlan, options: PlanExecutionOptions): Promise<ExecutionResult> {
  const data: JsonObject = {};
  const errors: GraphQLError[] = [];
  let failed = false;

  const run = async (fetch: PlanFetch): Promise<void> => {
    const executor = options.executors.get(fetch.graph);
    if (executor === undefined) throw new Error(`no executor for subgraph ${fetch.graph}`);
    const variables = pickVariables(fetch.variableNames, options.variables);
    let targets: JsonObject[] | undefined;
    let targetIndex: number[] | undefined;
    if (fetch.entity !== undefined) {
      targets = [];
      collectAt(data, fetch.entity.path, 0, targets);
      if (targets.length === 0) return;
      const representations: JsonObject[] = [];
      const seen = new Map<string, number>();
      targetIndex = new Array<number>(targets.length);
      for (let index = 0; index < targets.length; index++) {
        const representation = representationOf(fetch.entity.typeName, fetch.entity.key, targets[index] as JsonObject);
        if (representation === undefined) {
          targetIndex[index] = -1;
          continue;
        }
        const text = JSON.stringify(representation);
        let position = seen.get(text);
        if (position === undefined) {
          position = representations.length;
          seen.set(text, position);
          representations.push(representation);
        }
        targetIndex[index] = position;
      }
      if (representations.length === 0) return;
      variables['representations'] = representations;
    }
    const request: ExecutionRequest = { document: fetch.document, variables, context: options.context, operationType: OperationTypeNode.QUERY };
    const result = (await executor(request)) as ExecutionResult;
    const resultData = result.data as JsonObject | null | undefined;

    if (targets === undefined || targetIndex === undefined) {
      if (resultData !== null && resultData !== undefined) mergeInto(data, resultData);
      else failed = true;
      for (const error of result.errors ?? []) errors.push(toGatewayError(error, error.path ?? (fetch.rootKey !== undefined ? [fetch.rootKey] : undefined)));
    } else {
      const entities = resultData?.['_entities'];
      if (!Array.isArray(entities)) {
        failed = true;
        const firstPath = pathOf(data, targets[0] as JsonObject, fetch.entity?.path ?? []);
        const reported = result.errors !== undefined && result.errors.length > 0 ? result.errors : [new GraphQLError('The subgraph answered without entities', { extensions: { code: 'ERR_SUBGRAPH_BAD_RESPONSE' } })];
        for (const error of reported) errors.push(toGatewayError(error, firstPath));
        return;
      }
      for (let index = 0; index < targets.length; index++) {
        const position = targetIndex[index] as number;
        const entity = position >= 0 ? entities[position] : undefined;
        if (entity !== null && entity !== undefined && typeof entity === 'object') mergeInto(targets[index] as JsonObject, entity as JsonObject);
      }
      for (const error of result.errors ?? []) {
        // `_entities`, i, ...rest → the response path of the i-th representation's first object.
        const errorPath = error.path;
        let mapped: ReadonlyArray<string | number> | undefined;
        if (errorPath !== undefined && errorPath[0] === '_entities' && typeof errorPath[1] === 'number') {
          const target = targets[targetIndex.indexOf(errorPath[1])];
          const base = target !== undefined ? pathOf(data, target, fetch.entity?.path ?? []) : undefined;
          if (base !== undefined) mapped = [...base, ...errorPath.slice(2)];
        }
        if (mapped === undefined) mapped = pathOf(data, targets[0] as JsonObject, fetch.entity?.path ?? []);
        errors.push(toGatewayError(error, mapped));
      }
    }
    if (fetch.dependents.length === 1) await run(fetch.dependents[0] as PlanFetch);
    else if (fetch.dependents.length > 1) await Promise.all(fetch.dependents.map(run));
  };

  if (plan.fetches.length === 1) await run(plan.fetches[0] as PlanFetch);
  else await Promise.all(plan.fetches.map(run));
  const shaped = shapeResult(plan.shape, data, errors, failed);
  return errors.length > 0 ? { data: shaped, errors } : { data: shaped };
}

function pickVariables(names: readonly string[], variables: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (variables === undefined) return out;
  for (const name of names) if (variables[name] !== undefined) out[name] = variables[name];
  return out;
}

/** Every object at `path` (lists flattened, nulls skipped, type conditions applied by `__typename`). */
function collectAt(value: unknown, path: readonly PathStep[], depth: number, out: JsonObject[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) collectAt(item, path, depth, out);
    return;
  }
  if (typeof value !== 'object') return;
  if (depth === path.length) {
    out.push(value as JsonObject);
    return;
  }
  const step = path[depth] as PathStep;
  if (typeof step !== 'string') {
    if ((value as JsonObject)['__typename'] === step.typeCondition) collectAt(value, path, depth + 1, out);
    return;
  }
  collectAt((value as JsonObject)[step], path, depth + 1, out);
}

/** The response path of one collected object (computed only when an error needs it). */
function pathOf(root: JsonObject, target: JsonObject, path: readonly PathStep[]): Array<string | number> | undefined {
  const walk = (value: unknown, depth: number, trail: Array<string | number>): Array<string | number> | undefined => {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        trail.push(index);
        const found = walk(value[index], depth, trail);
        if (found !== undefined) return found;
        trail.pop();
      }
      return undefined;
    }
    if (depth === path.length) return value === target ? [...trail] : undefined;
    const step = path[depth] as PathStep;
    if (typeof step !== 'string') return walk(value, depth + 1, trail);
    trail.push(step);
    const found = walk((value as JsonObject)[step], depth + 1, trail);
    trail.pop();
    return found;
  };
  return walk(root, 0, []);
}

/** `{ __typename, ...key }` from the key values the parent fetch put under reserved aliases. */
function representationOf(typeName: string, key: readonly KeyField[], source: JsonObject): JsonObject | undefined {
  const out: JsonObject = { __typename: typeName };
  return copyKey(key, source, out) ? out : undefined;
}

function copyKey(key: readonly KeyField[], source: JsonObject, out: JsonObject): boolean {
  for (const field of key) {
    const value = source[field.responseKey];
    if (value === undefined || value === null) {
      // A key field must be there; a @requires field may be null (its type may be nullable).
      if (!field.nullable) return false;
      out[field.name] = null;
      continue;
    }
    if (field.selections === undefined) {
      out[field.name] = value;
      continue;
    }
    const copied = copyNested(field.selections, value);
    if (copied === undefined) return false;
    out[field.name] = copied;
  }
  return true;
}

/** A nested key or required value: an object, or a list of them (`variants { sku }`). */
function copyNested(selections: readonly KeyField[], value: unknown): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      if (item === null) {
        items.push(null);
        continue;
      }
      const copied = copyNested(selections, item);
      if (copied === undefined) return undefined;
      items.push(copied);
    }
    return items;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const nested: JsonObject = {};
  return copyKey(selections, value as JsonObject, nested) ? nested : undefined;
}

/** Deep merge of one fetch's answer into the tree: objects field by field, lists item by item. */
function mergeInto(target: JsonObject, source: JsonObject): void {
  for (const key in source) {
    const incoming = source[key];
    const existing = target[key];
    if (existing === undefined || existing === null || incoming === null || typeof incoming !== 'object' || typeof existing !== 'object') {
      target[key] = incoming;
    } else if (Array.isArray(existing) && Array.isArray(incoming)) {
      for (let index = 0; index < incoming.length; index++) {
        const item = incoming[index];
        const current = existing[index];
        if (current !== null && typeof current === 'object' && item !== null && typeof item === 'object' && !Array.isArray(item)) mergeInto(current as JsonObject, item as JsonObject);
        else existing[index] = item;
      }
    } else if (!Array.isArray(existing) && !Array.isArray(incoming)) {
      mergeInto(existing as JsonObject, incoming as JsonObject);
    } else {
      target[key] = incoming;
    }
  }
}

/**
 * A subgraph's error as a gateway error at its response path. In-process subgraphs give
 * GraphQLErrors whose `originalError` (e.g. an adapter's GatewayError) decides the client code;
 * remote ones give JSON, whose `extensions` are kept. Locations refer to the subgraph's document,
 * so they are dropped.
 */
function toGatewayError(error: GraphQLError | { message?: unknown; extensions?: unknown }, path: ReadonlyArray<string | number> | undefined): GraphQLError {
  const message = typeof error.message === 'string' ? error.message : 'Subgraph error';
  const extensions = typeof error.extensions === 'object' && error.extensions !== null ? (error.extensions as Record<string, unknown>) : undefined;
  const originalError = error instanceof GraphQLError ? (error.originalError ?? undefined) : undefined;
  return new GraphQLError(message, { ...(path !== undefined ? { path } : {}), ...(extensions !== undefined ? { extensions } : {}), ...(originalError !== undefined ? { originalError } : {}) });
}
