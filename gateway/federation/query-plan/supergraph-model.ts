import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type SelectionSetNode } from 'graphql';

/**
 * What the query planner needs to know from a supergraph's join directives (Apollo join spec v0.3+,
 * as written by Federation v2 composition): which subgraph can resolve which field of which type,
 * and by which keys an entity can be fetched from a subgraph.
 *
 *   type Product @join__type(graph: PRODUCTS, key: "upc") @join__type(graph: REVIEWS, key: "upc") {
 *     name: String! @join__field(graph: PRODUCTS) @join__field(graph: REVIEWS, external: true)
 *     reviews: [Review!]! @join__field(graph: REVIEWS)
 *     upc: String!            # no @join__field: defined in every subgraph that has the type
 *   }
 *
 * Anything the planner does not handle (progressive @override labels, @fromContext, interface
 * objects, fields without a graph) is marked so the planner leaves such operations to the general engine.
 */
export interface SupergraphModel {
  /** Subgraph graph ids (`join__Graph` values) in declaration order. */
  readonly graphs: readonly string[];
  readonly types: ReadonlyMap<string, TypeModel>;
}

export interface EntityKey {
  readonly graph: string;
  /** The key's field set, parsed (`upc`, `code region { code }`). */
  readonly selectionSet: SelectionSetNode;
}

export interface TypeModel {
  readonly name: string;
  /** Subgraphs that define the type (`@join__type(graph:)`). */
  readonly graphs: ReadonlySet<string>;
  /** Keys by which each subgraph can fetch the entity (`resolvable: false` keys left out). */
  readonly keys: readonly EntityKey[];
  /** The type is an `@interfaceObject` somewhere: the planner does not handle it. */
  readonly interfaceObject: boolean;
  readonly fields: ReadonlyMap<string, FieldModel>;
}

export interface FieldModel {
  readonly name: string;
  /** Subgraphs that resolve the field themselves. */
  readonly resolvableIn: ReadonlySet<string>;
  /** Subgraphs where the field is `@external` (resolvable there only where a parent `@provides` it). */
  readonly externalIn: ReadonlySet<string>;
  /** Per subgraph, the `@provides` field set of this field, parsed. */
  readonly provides: ReadonlyMap<string, SelectionSetNode>;
  /** Subgraphs that resolve the field from an entity representation carrying these fields (`@requires`), parsed. */
  readonly requires: ReadonlyMap<string, SelectionSetNode>;
  /** Set when a subgraph resolves the field in a way the planner does not handle (e.g. `@requires`). */
  readonly unsupportedIn: ReadonlySet<string>;
}

/** Reads the join directives of a supergraph SDL (parsed once per supergraph generation). */
export function readSupergraphModel(supergraph: string | DocumentNode): SupergraphModel {
  const document = typeof supergraph === 'string' ? parse(supergraph, { noLocation: true }) : supergraph;
  const graphs: string[] = [];
  const types = new Map<string, TypeModel>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) graphs.push(value.name.value);
      continue;
    }
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.UNION_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const typeGraphs = new Set<string>();
    const keys: EntityKey[] = [];
    let interfaceObject = false;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const graph = enumArgument(directive, 'graph');
      if (graph === undefined) continue;
      typeGraphs.add(graph);
      if (booleanArgument(directive, 'isInterfaceObject') === true) interfaceObject = true;
      const key = stringArgument(directive, 'key');
      if (key !== undefined && booleanArgument(directive, 'resolvable') !== false) keys.push({ graph, selectionSet: parseFieldSet(key) });
    }
    const fields = new Map<string, FieldModel>();
    if (definition.kind !== Kind.UNION_TYPE_DEFINITION) {
      for (const field of definition.fields ?? []) fields.set(field.name.value, readField(field.name.value, field.directives ?? [], typeGraphs));
    }
    types.set(definition.name.value, { name: definition.name.value, graphs: typeGraphs, keys, interfaceObject, fields });
  }
  return { graphs, types };
}

function readField(name: string, directives: readonly ConstDirectiveNode[], typeGraphs: ReadonlySet<string>): FieldModel {
  const joinFields = directives.filter((d) => d.name.value === 'join__field');
  // No @join__field: the field is part of the type in every subgraph that defines the type.
  if (joinFields.length === 0) return { name, resolvableIn: typeGraphs, externalIn: EMPTY, provides: new Map(), requires: new Map(), unsupportedIn: EMPTY };
  const resolvableIn = new Set<string>();
  const externalIn = new Set<string>();
  const unsupportedIn = new Set<string>();
  const provides = new Map<string, SelectionSetNode>();
  const requires = new Map<string, SelectionSetNode>();
  for (const directive of joinFields) {
    const graph = enumArgument(directive, 'graph');
    // A bare @join__field (fields an @interfaceObject adds to implementations): no subgraph
    // resolves it on this type directly, so the planner cannot route it.
    if (graph === undefined) {
      unsupportedIn.add('*');
      continue;
    }
    if (booleanArgument(directive, 'external') === true) {
      externalIn.add(graph);
      continue;
    }
    if (booleanArgument(directive, 'usedOverridden') === true) continue;
    if (stringArgument(directive, 'overrideLabel') !== undefined || argumentOf(directive, 'contextArguments') !== undefined) {
      unsupportedIn.add(graph);
      continue;
    }
    const required = stringArgument(directive, 'requires');
    if (required !== undefined) {
      requires.set(graph, parseFieldSet(required));
      continue;
    }
    resolvableIn.add(graph);
    const provided = stringArgument(directive, 'provides');
    if (provided !== undefined) provides.set(graph, parseFieldSet(provided));
  }
  return { name, resolvableIn, externalIn, provides, requires, unsupportedIn };
}

const EMPTY: ReadonlySet<string> = new Set();

function parseFieldSet(fieldSet: string): SelectionSetNode {
  const document = parse(`{${fieldSet}}`, { noLocation: true });
  const operation = document.definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`bad field set "${fieldSet}"`);
  return operation.selectionSet;
}

function argumentOf(directive: ConstDirectiveNode, name: string) {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

function enumArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argumentOf(directive, name);
  return value?.kind === Kind.ENUM ? value.value : undefined;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argumentOf(directive, name);
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function booleanArgument(directive: ConstDirectiveNode, name: string): boolean | undefined {
  const value = argumentOf(directive, name);
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
}
