import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Static cost analysis in the style of the IBM GraphQL Cost Directives specification
 * (https://ibm.github.io/graphql-specs/cost-spec.html) as Apollo's demand control applies it
 * (Federation v2.9 `@cost` / `@listSize`):
 *
 * - a field of object, interface or union type costs 1, a scalar or enum field 0, unless the field
 *   (or its return type) carries `@cost(weight:)`;
 * - a field also costs what its selection set costs;
 * - a list field multiplies that by its size: the value of its `@listSize(slicingArguments:)`
 *   argument (e.g. `first`), else `@listSize(assumedSize:)`, else the configured default;
 *   with `sizedFields` (Relay connections) the size applies to those child fields (`edges`) instead;
 * - an argument (or input field) with `@cost` adds its weight when it is given.
 *
 * Introspection (`__schema`, `__type`) is not costed: whether a client may introspect at all is
 * decided per client, and its size is bounded by the depth rule's introspection nesting limit.
 */

/** `@cost` and `@listSize` of one schema coordinate (`Type`, `Type.field` or `Type.field(arg:)`). */
export interface CostDirectives {
  /** `@cost(weight:)`. */
  readonly weight?: number;
  /** `@listSize(assumedSize:)`. */
  readonly assumedSize?: number;
  /** `@listSize(slicingArguments:)`: arguments whose value is the list's size (e.g. `first`). */
  readonly slicingArguments?: readonly string[];
  /** `@listSize(sizedFields:)`: child fields the size applies to (e.g. a connection's `edges`). */
  readonly sizedFields?: readonly string[];
  /** `@listSize(requireOneSlicingArgument:)`; the spec's default is true. Recorded, not enforced: the estimate takes the largest slicing value given. */
  readonly requireOneSlicingArgument?: boolean;
}

/** Cost directives by schema coordinate, e.g. `Query.employees` or `Query.employees(first:)`. */
export type CostDirectiveMap = ReadonlyMap<string, CostDirectives>;

export interface CostEstimateOptions {
  /**
   * Size assumed for a list field without a slicing argument value or `assumedSize`.
   * @default 20
   */
  readonly defaultListSize?: number;
  /**
   * Directives read from the supergraph SDL with {@link readCostDirectives}; they take precedence
   * over directives found on the schema's own AST nodes (a stitched schema may not keep them).
   */
  readonly costDirectives?: CostDirectiveMap;
  /** Which operation of the document to estimate; needed when it has several. */
  readonly operationName?: string | null;
}

export const DEFAULT_LIST_SIZE = 20;

const COST_SPEC_URL = /^https:\/\/specs\.apollo\.dev\/cost\/v\d+\.\d+$/;
const FEDERATION_SPEC_URL = /^https:\/\/specs\.apollo\.dev\/federation\/v\d+\.\d+$/;

interface DirectiveNames {
  readonly cost: ReadonlySet<string>;
  readonly listSize: ReadonlySet<string>;
}

/**
 * The local names of `@cost` and `@listSize` in a schema, from its `@link`s (core schemas: a spec
 * can be linked under another namespace with `as:` and its directives imported under other names;
 * a directive not imported is `@<namespace>__<name>`, and a spec's own directive (`@cost` of the
 * cost spec) is `@<namespace>`). Without a link, the plain names.
 */
function directiveNames(definitions: readonly DefinitionNode[]): DirectiveNames {
  const cost = new Set<string>();
  const listSize = new Set<string>();
  let linked = false;
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = argumentValues(link);
      const url = typeof args['url'] === 'string' ? args['url'] : '';
      const isCostSpec = COST_SPEC_URL.test(url);
      if (!isCostSpec && !FEDERATION_SPEC_URL.test(url)) continue;
      linked = true;
      const namespace = typeof args['as'] === 'string' ? args['as'] : isCostSpec ? 'cost' : 'federation';
      const imports = importedNames(args['import']);
      if (isCostSpec) cost.add(namespace);
      cost.add(imports.get('@cost') ?? `${namespace}__cost`);
      listSize.add(imports.get('@listSize') ?? `${namespace}__listSize`);
    }
  }
  if (!linked) {
    cost.add('cost');
    listSize.add('listSize');
  }
  return { cost, listSize };
}

/** `import: ["@a", { name: "@b", as: "@c" }]` as original name -> local name, without the `@`. */
function importedNames(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(value)) return out;
  for (const entry of value as unknown[]) {
    if (typeof entry === 'string') out.set(entry, entry.replace(/^@/, ''));
    else if (typeof entry === 'object' && entry !== null) {
      const { name, as } = entry as { name?: unknown; as?: unknown };
      if (typeof name === 'string') out.set(name, (typeof as === 'string' ? as : name).replace(/^@/, ''));
    }
  }
  return out;
}

function argumentValues(directive: ConstDirectiveNode | DirectiveNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of directive.arguments ?? []) out[arg.name.value] = valueFromASTUntyped(arg.value);
  return out;
}

/** The IBM spec declares `weight` as a String, Apollo's as an Int: accept both. */
function asNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function asStrings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? (value as unknown[]).filter((v): v is string => typeof v === 'string') : undefined;
}

function readDirectives(directives: readonly ConstDirectiveNode[] | undefined, names: DirectiveNames): CostDirectives | undefined {
  let out: { -readonly [K in keyof CostDirectives]: CostDirectives[K] } | undefined;
  for (const directive of directives ?? []) {
    const name = directive.name?.value;
    if (name === undefined) continue;
    if (names.cost.has(name)) {
      const weight = asNumber(argumentValues(directive)['weight']);
      if (weight !== undefined) out = { ...out, weight };
    } else if (names.listSize.has(name)) {
      const args = argumentValues(directive);
      const assumedSize = asNumber(args['assumedSize']);
      const slicingArguments = asStrings(args['slicingArguments']);
      const sizedFields = asStrings(args['sizedFields']);
      const requireOne = args['requireOneSlicingArgument'];
      out = {
        ...out,
        ...(assumedSize !== undefined ? { assumedSize } : {}),
        ...(slicingArguments !== undefined ? { slicingArguments } : {}),
        ...(sizedFields !== undefined ? { sizedFields } : {}),
        ...(typeof requireOne === 'boolean' ? { requireOneSlicingArgument: requireOne } : {}),
      };
    }
  }
  return out;
}

function collectFromDefinitions(definitions: readonly DefinitionNode[]): Map<string, CostDirectives> {
  const names = directiveNames(definitions);
  const out = new Map<string, CostDirectives>();
  const put = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): void => {
    const found = readDirectives(directives, names);
    if (found !== undefined) out.set(coordinate, { ...out.get(coordinate), ...found });
  };
  for (const definition of definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        put(definition.name.value, definition.directives);
        for (const field of definition.fields ?? []) {
          put(`${definition.name.value}.${field.name.value}`, field.directives);
          for (const arg of field.arguments ?? []) put(`${definition.name.value}.${field.name.value}(${arg.name.value}:)`, arg.directives);
        }
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        for (const field of definition.fields ?? []) put(`${definition.name.value}.${field.name.value}`, field.directives);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
        put(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Reads `@cost` / `@listSize` from an SDL (a supergraph, a subgraph or a plain schema), keyed by
 * schema coordinate: `Type` (type-level `@cost`), `Type.field`, `Type.field(arg:)`, `Input.field`.
 * Composition writes them into the supergraph with a `@link` to the cost spec; this map lets the
 * estimate work on a schema whose AST nodes lost them (e.g. after stitching).
 */
export function readCostDirectives(sdl: string | DocumentNode): Map<string, CostDirectives> {
  const document = typeof sdl === 'string' ? parse(sdl, { noLocation: true }) : sdl;
  return collectFromDefinitions(document.definitions);
}

const fromSchemaCache = new WeakMap<GraphQLSchema, Map<string, CostDirectives>>();

/**
 * The directives on a schema's own AST nodes, cached per schema. Walks the schema's types and
 * fields, not their AST definitions: a stitched schema has AST nodes made in code, some without
 * the names a parsed definition has.
 */
function costDirectivesOfSchema(schema: GraphQLSchema): Map<string, CostDirectives> {
  const cached = fromSchemaCache.get(schema);
  if (cached !== undefined) return cached;
  const schemaNodes: DefinitionNode[] = [...(schema.astNode ? [schema.astNode] : []), ...schema.extensionASTNodes];
  const names = directiveNames(schemaNodes);
  const out = new Map<string, CostDirectives>();
  const put = (coordinate: string, nodes: ReadonlyArray<{ readonly directives?: readonly ConstDirectiveNode[] | undefined } | null | undefined>): void => {
    const directives = nodes.flatMap((node) => node?.directives ?? []);
    const found = directives.length === 0 ? undefined : readDirectives(directives, names);
    if (found !== undefined) out.set(coordinate, found);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    put(type.name, [type.astNode, ...type.extensionASTNodes]);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        put(`${type.name}.${field.name}`, [field.astNode]);
        for (const arg of field.args) put(`${type.name}.${field.name}(${arg.name}:)`, [arg.astNode]);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) put(`${type.name}.${field.name}`, [field.astNode]);
    }
  }
  fromSchemaCache.set(schema, out);
  return out;
}

/** Child fields (e.g. `edges`) that take their size from a connection field's slicing argument. */
interface SizedFields {
  readonly names: ReadonlySet<string>;
  readonly size: number;
  readonly key: string;
}

/**
 * Estimates operations of one document against one schema. `variables` undefined means a static
 * estimate (at validation, before variables are known): a slicing argument given as a variable
 * then counts as the larger of the variable's default in the operation and the field's
 * `assumedSize` (or the default list size). With variables, their values count, as at execution.
 */
export class CostEstimator {
  readonly #schema: GraphQLSchema;
  readonly #fragment: (name: string) => FragmentDefinitionNode | undefined;
  readonly #variables: Readonly<Record<string, unknown>> | undefined;
  readonly #defaultListSize: number;
  readonly #fromSchema: Map<string, CostDirectives>;
  readonly #given: CostDirectiveMap | undefined;
  readonly #memo = new Map<string, number>();
  readonly #active = new Set<string>();
  #variableDefaults = new Map<string, ConstValueNode>();

  constructor(
    schema: GraphQLSchema,
    fragment: (name: string) => FragmentDefinitionNode | undefined,
    variables: Readonly<Record<string, unknown>> | undefined,
    options: Pick<CostEstimateOptions, 'defaultListSize' | 'costDirectives'> = {},
  ) {
    const defaultListSize = options.defaultListSize ?? DEFAULT_LIST_SIZE;
    if (!Number.isInteger(defaultListSize) || defaultListSize < 0) throw new TypeError(`defaultListSize must be a non-negative integer, got ${defaultListSize}`);
    this.#schema = schema;
    this.#fragment = fragment;
    this.#variables = variables;
    this.#defaultListSize = defaultListSize;
    this.#fromSchema = costDirectivesOfSchema(schema);
    this.#given = options.costDirectives;
  }

  /** The estimated cost of one operation, an integer (capped at Number.MAX_SAFE_INTEGER). */
  operationCost(operation: OperationDefinitionNode): number {
    const root = this.#schema.getRootType(operation.operation);
    if (root === undefined || root === null) return 0;
    // Fragment costs depend on the operation's variables (and their defaults): start afresh.
    this.#memo.clear();
    this.#variableDefaults = new Map();
    for (const definition of operation.variableDefinitions ?? []) {
      if (definition.defaultValue !== undefined) this.#variableDefaults.set(definition.variable.name.value, definition.defaultValue);
    }
    const cost = this.#selectionSet(root, operation.selectionSet, undefined);
    return Number.isFinite(cost) ? Math.min(Math.ceil(cost), Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
  }

  #directives(coordinate: string): CostDirectives | undefined {
    return this.#given?.get(coordinate) ?? this.#fromSchema.get(coordinate);
  }

  /**
   * Selections on an abstract type that only apply to one concrete type (`... on Employee`) are
   * alternatives for each object: the most expensive alternative counts, not their sum.
   */
  #selectionSet(parentType: GraphQLCompositeType, selectionSet: SelectionSetNode, sized: SizedFields | undefined): number {
    let common = 0;
    const alternatives = new Map<string, number>();
    const seenFragments = new Set<string>();
    const add = (condition: GraphQLCompositeType, cost: number): void => {
      if (isAbstractType(parentType) && isObjectType(condition)) alternatives.set(condition.name, (alternatives.get(condition.name) ?? 0) + cost);
      else common += cost;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        common += this.#field(parentType, selection, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition === undefined ? parentType : this.#schema.getType(selection.typeCondition.name.value);
        if (isCompositeType(condition)) add(condition, this.#selectionSet(condition, selection.selectionSet, sized));
      } else {
        const name = selection.name.value;
        // GraphQL spec §6.3.2 CollectFields: a fragment spread twice in one selection set runs once.
        if (seenFragments.has(name)) continue;
        seenFragments.add(name);
        const fragment = this.#fragment(name);
        const condition = fragment === undefined ? undefined : this.#schema.getType(fragment.typeCondition.name.value);
        if (fragment === undefined || !isCompositeType(condition)) continue;
        add(condition, this.#fragmentCost(fragment, condition, sized));
      }
    }
    let dearest = 0;
    for (const cost of alternatives.values()) dearest = Math.max(dearest, cost);
    return common + dearest;
  }

  /** Memoised per fragment (and sizing context), so fragments spread inside fragments cost linear time. */
  #fragmentCost(fragment: FragmentDefinitionNode, condition: GraphQLCompositeType, sized: SizedFields | undefined): number {
    const key = `${fragment.name.value}\u0000${sized?.key ?? ''}`;
    const known = this.#memo.get(key);
    if (known !== undefined) return known;
    // A fragment cycle is reported by NoFragmentCyclesRule; here it must only not loop forever.
    if (this.#active.has(key)) return 0;
    this.#active.add(key);
    try {
      const cost = this.#selectionSet(condition, fragment.selectionSet, sized);
      this.#memo.set(key, cost);
      return cost;
    } finally {
      this.#active.delete(key);
    }
  }

  #field(parentType: GraphQLCompositeType, node: FieldNode, sized: SizedFields | undefined): number {
    const name = node.name.value;
    if (name === '__typename' || name === '__schema' || name === '__type' || isUnionType(parentType)) return 0;
    const definition = parentType.getFields()[name];
    if (definition === undefined) return 0; // reported by FieldsOnCorrectTypeRule
    const coordinate = `${parentType.name}.${name}`;
    const own = this.#directives(coordinate);
    const namedType = getNamedType(definition.type);
    const typeWeight = this.#directives(namedType.name)?.weight;
    const weight = own?.weight ?? typeWeight ?? (isCompositeType(namedType) ? 1 : 0);

    const sliced = this.#slicingSize(definition, node, own);
    const size = sliced ?? own?.assumedSize ?? this.#defaultListSize;
    let childSized: SizedFields | undefined;
    if (own?.sizedFields !== undefined && own.sizedFields.length > 0) {
      childSized = { names: new Set(own.sizedFields), size, key: `${own.sizedFields.join(',')}=${size}` };
    }
    const children = node.selectionSet !== undefined && isCompositeType(namedType) ? this.#selectionSet(namedType, node.selectionSet, childSized) : 0;

    let multiplier = 1;
    if (isListType(getNullableType(definition.type))) {
      if (sized?.names.has(name) === true) multiplier = sized.size;
      else if (childSized !== undefined) multiplier = own?.assumedSize ?? this.#defaultListSize; // the slicing size went to the sized fields
      else multiplier = size;
    }
    return multiplier * (weight + children) + this.#argumentsCost(definition, coordinate, node);
  }

  /** The largest value given to a slicing argument, or undefined when none is known. */
  #slicingSize(definition: GraphQLField<unknown, unknown>, node: FieldNode, directives: CostDirectives | undefined): number | undefined {
    const slicing = directives?.slicingArguments;
    if (slicing === undefined || slicing.length === 0) return undefined;
    let largest: number | undefined;
    let unknownVariable = false;
    for (const argName of slicing) {
      const argDefinition = definition.args.find((arg) => arg.name === argName);
      if (argDefinition === undefined) continue;
      const argNode = node.arguments?.find((arg) => arg.name.value === argName);
      let value: unknown;
      if (argNode === undefined) {
        value = argDefinition.defaultValue;
      } else if (argNode.value.kind === Kind.VARIABLE) {
        const variable = argNode.value.name.value;
        const declaredDefault = this.#variableDefaults.get(variable);
        if (this.#variables !== undefined && Object.hasOwn(this.#variables, variable)) {
          value = this.#variables[variable];
        } else if (this.#variables !== undefined) {
          // GraphQL spec §6.4.1 CoerceArgumentValues: an absent variable leaves its default, else the argument's.
          value = declaredDefault !== undefined ? valueFromASTUntyped(declaredDefault) : argDefinition.defaultValue;
        } else {
          unknownVariable = true;
          value = declaredDefault !== undefined ? valueFromASTUntyped(declaredDefault) : undefined;
        }
      } else {
        value = valueFromASTUntyped(argNode.value);
      }
      const n = asNumber(value);
      if (n !== undefined) largest = Math.max(largest ?? 0, Math.max(0, n));
    }
    if (unknownVariable) return Math.max(largest ?? 0, directives?.assumedSize ?? this.#defaultListSize);
    return largest;
  }

  #argumentsCost(definition: GraphQLField<unknown, unknown>, coordinate: string, node: FieldNode): number {
    let cost = 0;
    for (const argNode of node.arguments ?? []) {
      const argDefinition = definition.args.find((arg) => arg.name === argNode.name.value);
      if (argDefinition === undefined) continue;
      cost += this.#directives(`${coordinate}(${argNode.name.value}:)`)?.weight ?? 0;
      cost += this.#inputCost(argDefinition.type, argNode.value);
    }
    return cost;
  }

  /** Weights of `@cost` input fields given in a literal (and, when known, in variable values). */
  #inputCost(type: GraphQLInputType, value: ValueNode, depth = 0): number {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || depth > 64) return 0;
    switch (value.kind) {
      case Kind.VARIABLE: {
        const variables = this.#variables;
        return variables !== undefined && Object.hasOwn(variables, value.name.value) ? this.#variableInputCost(type, variables[value.name.value], depth + 1) : 0;
      }
      case Kind.LIST:
        return value.values.reduce((sum, item) => sum + this.#inputCost(type, item, depth + 1), 0);
      case Kind.OBJECT: {
        let cost = 0;
        for (const field of value.fields) {
          const fieldDefinition = named.getFields()[field.name.value];
          if (fieldDefinition !== undefined) cost += (this.#directives(`${named.name}.${field.name.value}`)?.weight ?? 0) + this.#inputCost(fieldDefinition.type, field.value, depth + 1);
        }
        return cost;
      }
      default:
        return 0;
    }
  }

  #variableInputCost(type: GraphQLInputType, value: unknown, depth: number): number {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || depth > 64 || typeof value !== 'object' || value === null) return 0;
    if (Array.isArray(value)) return (value as unknown[]).reduce<number>((sum, item) => sum + this.#variableInputCost(type, item, depth + 1), 0);
    let cost = 0;
    for (const [key, fieldValue] of Object.entries(value)) {
      const fieldDefinition = named.getFields()[key];
      if (fieldDefinition !== undefined) cost += (this.#directives(`${named.name}.${key}`)?.weight ?? 0) + this.#variableInputCost(fieldDefinition.type, fieldValue, depth + 1);
    }
    return cost;
  }
}

/**
 * The estimated cost of the document's operation (`options.operationName`, or its only one).
 * Without `variables` the estimate is static (see {@link CostEstimator}): the validation rule uses
 * that, so a slicing argument passed as a variable must be checked again with the request's
 * variables once they are known (e.g. in Apollo Server's `didResolveOperation`).
 * @throws TypeError when the document has no such operation.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Readonly<Record<string, unknown>>,
  options: CostEstimateOptions = {},
): number {
  const operation = getOperationAST(document, options.operationName ?? undefined);
  if (operation === null || operation === undefined) {
    throw new TypeError(options.operationName ? `the document has no operation named "${options.operationName}"` : 'the document has no operation, or several and no operationName');
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const estimator = new CostEstimator(schema, (name) => fragments.get(name), variables, options);
  return estimator.operationCost(operation);
}
