import { GraphQLError, Kind, type ASTNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { GatewayError } from '../../errors/gateway-error.js';
import { CostEstimator, type CostDirectiveMap } from './cost-analysis.js';

/**
 * Limits on the shape of a GraphQL operation, checked as graphql-js validation rules: Apollo
 * Server runs them in its validation phase, before anything executes, and a document that passed
 * is not validated again. Each limit names what it counts in the error (`extensions.limit`,
 * `extensions.actual`), so a member state can see how far over it went.
 */
export interface OperationLimits {
  /**
   * Fields nested inside each other, counted through fragments and inline fragments (`{ a { b } }`
   * is 2). Introspection below `__schema` / `__type` is bounded separately (see
   * {@link MAX_INTROSPECTION_LIST_NESTING}).
   * @default 12
   */
  readonly maxDepth: number;
  /**
   * Aliased fields in an operation, each fragment counted as often as it is spread.
   * @default 30
   */
  readonly maxAliases: number;
  /**
   * Distinct root fields (response keys) of an operation.
   * @default 20
   */
  readonly maxRootFields: number;
  /**
   * Lexical tokens in a document. Enforced by graphql-js's parser (`parseOptions: { maxTokens }`
   * in Apollo Server), not by a rule here; see {@link tokenLimitError}.
   * @default 5000
   */
  readonly maxTokens: number;
  /**
   * Estimated cost (see cost-analysis.ts: `@cost`, `@listSize`).
   * @default 5000
   */
  readonly maxCost: number;
  /**
   * Size assumed for a list field with neither a slicing argument value nor `@listSize(assumedSize:)`.
   * @default 20
   */
  readonly defaultListSize: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 20,
  maxTokens: 5000,
  maxCost: 5000,
  defaultListSize: 20,
});

/**
 * Lists nested inside each other below `__schema` / `__type`. The standard introspection query
 * (graphql-js `getIntrospectionQuery`) nests three (`types { fields { args } }`) and about 15
 * fields deep through `ofType`; an introspection bomb nests `fields { type { fields { ... } } }`,
 * which multiplies the answer by the schema's size at every level.
 */
export const MAX_INTROSPECTION_LIST_NESTING = 3;

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
const INTROSPECTION_LISTS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'args', 'directives']);

export type LimitErrorCode = 'ERR_LIMIT_DEPTH' | 'ERR_LIMIT_ALIASES' | 'ERR_LIMIT_ROOT_FIELDS' | 'ERR_LIMIT_COST' | 'ERR_LIMIT_TOKENS';
const RULE_CODES: ReadonlySet<string> = new Set<LimitErrorCode>(['ERR_LIMIT_DEPTH', 'ERR_LIMIT_ALIASES', 'ERR_LIMIT_ROOT_FIELDS', 'ERR_LIMIT_COST']);

export interface OperationLimitRuleOptions {
  /**
   * Cost directives read from the supergraph SDL (`readCostDirectives`), or a function giving them
   * for the schema being validated (the supergraph is hot-reloaded). Directives on the schema's
   * own AST nodes are used where the map has no entry.
   */
  readonly costDirectives?: CostDirectiveMap | ((schema: GraphQLSchema) => CostDirectiveMap | undefined);
}

function describe(operation: OperationDefinitionNode): string {
  return operation.name === undefined ? 'Operation' : `Operation "${operation.name.value}"`;
}

/**
 * The error every limit reports: a GraphQLError whose `extensions` carry the registry code, the
 * limit and the actual value. Also what a later check (e.g. cost with the request's variables)
 * should throw, so every limit looks the same to a client.
 */
export function limitExceededError(code: LimitErrorCode, message: string, limit: number, actual: number, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return new GraphQLError(message, { ...(nodes !== undefined ? { nodes } : {}), extensions: { code, limit, actual } });
}

/** The error for an operation whose cost, estimated with the request's variables, is over the limit. */
export function costLimitError(actual: number, limit: number, operationName?: string | null): GraphQLError {
  const subject = operationName ? `Operation "${operationName}"` : 'Operation';
  return limitExceededError('ERR_LIMIT_COST', `${subject} estimated cost ${actual} exceeds the limit of ${limit}.`, limit, actual);
}

/** Walks an operation's selections through fragments, each fragment once per (key) thanks to memoisation. */
class SelectionWalker {
  readonly #context: ValidationContext;
  readonly #memo = new Map<string, number>();
  readonly #active = new Set<string>();

  constructor(context: ValidationContext) {
    this.#context = context;
  }

  /**
   * `compute(fragment)` for a spread, memoised under `key`; a fragment cycle (reported by
   * NoFragmentCyclesRule, which runs in the same pass) counts 0 so that the walk ends.
   */
  fragment(name: string, key: string, compute: (fragment: FragmentDefinitionNode) => number): number {
    const known = this.#memo.get(key);
    if (known !== undefined) return known;
    const fragment = this.#context.getFragment(name);
    if (fragment === null || fragment === undefined || this.#active.has(key)) return 0;
    this.#active.add(key);
    try {
      const value = compute(fragment);
      this.#memo.set(key, value);
      return value;
    } finally {
      this.#active.delete(key);
    }
  }
}

function depthOf(selectionSet: SelectionSetNode, walker: SelectionWalker): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth: number;
    if (selection.kind === Kind.FIELD) {
      const below = INTROSPECTION_ROOTS.has(selection.name.value) || selection.selectionSet === undefined ? 0 : depthOf(selection.selectionSet, walker);
      depth = 1 + below;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, walker);
    } else {
      depth = walker.fragment(selection.name.value, selection.name.value, (fragment) => depthOf(fragment.selectionSet, walker));
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

function introspectionNestingOf(selectionSet: SelectionSetNode, inside: boolean, walker: SelectionWalker): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let nesting: number;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const nowInside = inside || INTROSPECTION_ROOTS.has(name);
      const own = nowInside && INTROSPECTION_LISTS.has(name) ? 1 : 0;
      nesting = own + (selection.selectionSet === undefined ? 0 : introspectionNestingOf(selection.selectionSet, nowInside, walker));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      nesting = introspectionNestingOf(selection.selectionSet, inside, walker);
    } else {
      const name = selection.name.value;
      nesting = walker.fragment(name, `${name}\u0000${inside}`, (fragment) => introspectionNestingOf(fragment.selectionSet, inside, walker));
    }
    deepest = Math.max(deepest, nesting);
  }
  return deepest;
}

function aliasesOf(selectionSet: SelectionSetNode, walker: SelectionWalker): number {
  let count = 0;
  const spread = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      count += (selection.alias === undefined ? 0 : 1) + (selection.selectionSet === undefined ? 0 : aliasesOf(selection.selectionSet, walker));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += aliasesOf(selection.selectionSet, walker);
    } else if (!spread.has(selection.name.value)) {
      // GraphQL spec §6.3.2 CollectFields: a fragment spread twice in one selection set runs once.
      spread.add(selection.name.value);
      count += walker.fragment(selection.name.value, selection.name.value, (fragment) => aliasesOf(fragment.selectionSet, walker));
    }
  }
  return count;
}

/** Response keys at the root, through fragments and inline fragments at the root level. */
function rootKeysOf(selectionSet: SelectionSetNode, context: ValidationContext, keys: Set<string>, visited: Set<string>): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      keys.add((selection.alias ?? selection.name).value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootKeysOf(selection.selectionSet, context, keys, visited);
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment !== null && fragment !== undefined) rootKeysOf(fragment.selectionSet, context, keys, visited);
    }
  }
  return keys;
}

function assertLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer, got ${value}`);
}

/** `maxDepth`, and the introspection nesting limit. */
export function maxDepthRule(maxDepth: number): ValidationRule {
  assertLimit('maxDepth', maxDepth);
  return (context) => ({
    OperationDefinition(operation) {
      const walker = new SelectionWalker(context);
      const depth = depthOf(operation.selectionSet, walker);
      if (depth > maxDepth) {
        context.reportError(limitExceededError('ERR_LIMIT_DEPTH', `${describe(operation)} depth ${depth} exceeds the limit of ${maxDepth}.`, maxDepth, depth, operation));
      }
      const nesting = introspectionNestingOf(operation.selectionSet, false, new SelectionWalker(context));
      if (nesting > MAX_INTROSPECTION_LIST_NESTING) {
        context.reportError(
          limitExceededError(
            'ERR_LIMIT_DEPTH',
            `${describe(operation)} nests introspection lists ${nesting} deep; the limit is ${MAX_INTROSPECTION_LIST_NESTING}.`,
            MAX_INTROSPECTION_LIST_NESTING,
            nesting,
            operation,
          ),
        );
      }
      return false; // measured here, through fragments; nothing to do below
    },
  });
}

export function maxAliasesRule(maxAliases: number): ValidationRule {
  assertLimit('maxAliases', maxAliases);
  return (context) => ({
    OperationDefinition(operation) {
      const aliases = aliasesOf(operation.selectionSet, new SelectionWalker(context));
      if (aliases > maxAliases) {
        context.reportError(limitExceededError('ERR_LIMIT_ALIASES', `${describe(operation)} uses ${aliases} aliases, more than the limit of ${maxAliases}.`, maxAliases, aliases, operation));
      }
      return false;
    },
  });
}

export function maxRootFieldsRule(maxRootFields: number): ValidationRule {
  assertLimit('maxRootFields', maxRootFields);
  return (context) => ({
    OperationDefinition(operation) {
      const count = rootKeysOf(operation.selectionSet, context, new Set(), new Set()).size;
      if (count > maxRootFields) {
        context.reportError(
          limitExceededError('ERR_LIMIT_ROOT_FIELDS', `${describe(operation)} selects ${count} root fields, more than the limit of ${maxRootFields}.`, maxRootFields, count, operation),
        );
      }
      return false;
    },
  });
}

/**
 * `maxCost`, estimated statically: variables are not known at validation, so a slicing argument
 * passed as a variable counts as its `assumedSize` (or `defaultListSize`, or the variable's default
 * if larger). Check again with the request's variables (`estimateCost(schema, document, variables)`
 * and {@link costLimitError}) once they are known.
 */
export function maxCostRule(maxCost: number, defaultListSize: number, options: OperationLimitRuleOptions = {}): ValidationRule {
  assertLimit('maxCost', maxCost);
  assertLimit('defaultListSize', defaultListSize);
  return (context) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const costDirectives = typeof options.costDirectives === 'function' ? options.costDirectives(schema) : options.costDirectives;
      const estimator = new CostEstimator(schema, (name) => context.getFragment(name) ?? undefined, undefined, { defaultListSize, ...(costDirectives !== undefined ? { costDirectives } : {}) });
      const cost = estimator.operationCost(operation);
      if (cost > maxCost) {
        context.reportError(limitExceededError('ERR_LIMIT_COST', `${describe(operation)} estimated cost ${cost} exceeds the limit of ${maxCost}.`, maxCost, cost, operation));
      }
      return false;
    },
  });
}

/**
 * The validation rules for depth, aliases, root fields and cost, for Apollo Server's
 * `validationRules` (tokens are limited by `parseOptions: { maxTokens }`).
 */
export function operationLimitRules(limits: OperationLimits, options: OperationLimitRuleOptions = {}): ValidationRule[] {
  return [maxDepthRule(limits.maxDepth), maxAliasesRule(limits.maxAliases), maxRootFieldsRule(limits.maxRootFields), maxCostRule(limits.maxCost, limits.defaultListSize, options)];
}

/** The GraphQLErrors an error wraps (Apollo Server wraps validation and parse errors once). */
function* graphQLErrorChain(error: unknown): Generator<GraphQLError> {
  let current: unknown = error;
  for (let i = 0; i < 5 && current instanceof Error; i++) {
    if (current instanceof GraphQLError) yield current;
    current = current instanceof GraphQLError ? current.originalError : current.cause;
  }
}

/**
 * Recognises the error of a limit rule, also after Apollo Server wrapped it (its ValidationError
 * replaces `extensions.code` with GRAPHQL_VALIDATION_FAILED but keeps the rule's error as
 * `originalError`), as a GatewayError with the limit's code and `details: { limit, actual }`.
 */
export function operationLimitError(error: unknown): GatewayError | undefined {
  for (const candidate of graphQLErrorChain(error)) {
    const { code, limit, actual } = candidate.extensions as { code?: unknown; limit?: unknown; actual?: unknown };
    if (typeof code === 'string' && RULE_CODES.has(code) && typeof limit === 'number' && typeof actual === 'number') {
      return new GatewayError(code as LimitErrorCode, { message: candidate.message, details: { limit, actual } });
    }
  }
  return undefined;
}

// graphql-js 16 says "more that", 17 "more than" (language/parser.ts, advanceLexer).
const TOKEN_LIMIT_MESSAGE = /Document contains more tha[nt] (\d+) tokens\. Parsing aborted\./;

/**
 * Recognises graphql-js's parse error for a document over `parseOptions.maxTokens` (as Apollo
 * Server reports it, GRAPHQL_PARSE_FAILED) and gives the ERR_LIMIT_TOKENS error for it.
 */
export function tokenLimitError(error: unknown): GatewayError | undefined {
  for (const candidate of graphQLErrorChain(error)) {
    const match = TOKEN_LIMIT_MESSAGE.exec(candidate.message);
    if (match?.[1] !== undefined) {
      const limit = Number(match[1]);
      return new GatewayError('ERR_LIMIT_TOKENS', { message: `The GraphQL document has more than ${limit} tokens, the limit.`, details: { limit } });
    }
  }
  return undefined;
}
