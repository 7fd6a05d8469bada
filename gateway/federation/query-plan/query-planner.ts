import {
  Kind,
  OperationTypeNode,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { collectObjectFields, included, PlanUnsupported, subSelections, type CollectedField, type FragmentMap } from './collect-fields.js';
import { shapeOfObject, type ObjectShape } from './result-shaper.js';
import type { FieldModel, SupergraphModel, TypeModel } from './supergraph-model.js';

/**
 * A query plan: which subgraph fetches answer an operation and how their answers join.
 *
 * Root fields are grouped into one fetch per subgraph (a query's root fields may run in parallel,
 * GraphQL spec §6.2.1). Below a root field, every field a subgraph can resolve stays in that
 * subgraph's fetch, `@provides` included; a field it cannot resolve on an entity becomes a
 * dependent `_entities` fetch to a subgraph that can (Apollo Federation subgraph spec), batched
 * for all objects at that position, with the entity's key added to the parent fetch under a
 * reserved alias. The plan is computed once per document and reused.
 */
export interface QueryPlan {
  readonly fetches: readonly PlanFetch[];
  readonly shape: ObjectShape;
  /** Number of fetches in the plan (root and dependent), for logs and tests. */
  readonly fetchCount: number;
}

export interface PlanFetch {
  /** The subgraph's `join__Graph` id. */
  readonly graph: string;
  readonly document: DocumentNode;
  /** Operation variables the fetch's document uses. */
  readonly variableNames: readonly string[];
  /** For an `_entities` fetch: where its entities are in the response and how to build their representations. */
  readonly entity: EntityTarget | undefined;
  /** For a root fetch: the response key of its first field (where an error without a path is reported). */
  readonly rootKey: string | undefined;
  /** Fetches that need this one's answer first. */
  readonly dependents: readonly PlanFetch[];
}

export interface EntityTarget {
  /** Response keys from the root of `data` (lists on the way are flattened), with type conditions below interfaces and unions. */
  readonly path: readonly PathStep[];
  readonly typeName: string;
  readonly key: readonly KeyField[];
}

/** A response key, or (below an interface or union) only the objects of one concrete type, by their `__typename`. */
export type PathStep = string | { readonly typeCondition: string };

export interface KeyField {
  /** Where the parent fetch put the value (a reserved alias at the top level). */
  readonly responseKey: string;
  readonly name: string;
  /** A `@requires` field may be null in the representation; a key field may not. */
  readonly nullable: boolean;
  readonly selections: readonly KeyField[] | undefined;
}

/** Response keys the planner adds start with this; an operation may not use it. */
export const RESERVED_ALIAS_PREFIX = '_gccgw_';
/** Entity keys the planner adds to a fetch. */
export const KEY_ALIAS_PREFIX = '_gccgw_k_';
/** `@requires` fields the planner adds to a fetch. */
export const REQUIRES_ALIAS_PREFIX = '_gccgw_r_';
const NONE: ReadonlySet<string> = new Set();

interface JumpGroup {
  readonly fields: CollectedField[];
  /** The `@requires` field sets of the fields that need them in the target subgraph. */
  readonly requires: SelectionSetNode[];
  readonly requiresMet: Set<string>;
  /** The subgraph that gives the target's key when the current one cannot. */
  readonly via: string | undefined;
}
const REPRESENTATIONS = 'representations';

export type PlanOutcome = { readonly plan: QueryPlan } | { readonly unsupported: string };

/** Plans one operation of a validated document against the API schema and the supergraph model. */
export function planOperation(schema: GraphQLSchema, model: SupergraphModel, document: DocumentNode, operation: OperationDefinitionNode): PlanOutcome {
  try {
    return { plan: new Planner(schema, model, document, operation).plan() };
  } catch (error) {
    if (error instanceof PlanUnsupported) return { unsupported: error.message };
    throw error;
  }
}

type Provided = ReadonlyMap<string, Provided | undefined>;

interface FetchBuilder {
  readonly graph: string;
  readonly entity: EntityTarget | undefined;
  readonly dependents: FetchBuilder[];
  selections: readonly SelectionNode[];
}

class Planner {
  readonly #fragments: FragmentMap;
  readonly #variables: ReadonlyMap<string, VariableDefinitionNode>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly model: SupergraphModel,
    document: DocumentNode,
    private readonly operation: OperationDefinitionNode,
  ) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    this.#fragments = fragments;
    this.#variables = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
    if (this.#variables.has(REPRESENTATIONS)) throw new PlanUnsupported('an operation variable is named $representations');
    if ((operation.directives?.length ?? 0) > 0) throw new PlanUnsupported('directives on the operation');
  }

  plan(): QueryPlan {
    if (this.operation.operation !== OperationTypeNode.QUERY) throw new PlanUnsupported(`${this.operation.operation} operations`);
    const rootType = this.schema.getQueryType();
    if (rootType === undefined || rootType === null) throw new PlanUnsupported('no query type');
    const rootModel = this.#typeModel(rootType.name);
    const fields = collectObjectFields(this.schema, rootType, [this.operation.selectionSet], this.#fragments);
    const byGraph = new Map<string, CollectedField[]>();
    for (const field of fields) {
      if (field.name === '__typename') continue;
      if (field.name.startsWith('__')) throw new PlanUnsupported(`introspection field ${field.name}`);
      const fieldModel = this.#fieldModel(rootModel, field.name);
      const graph = this.model.graphs.find((g) => byGraph.has(g) && fieldModel.resolvableIn.has(g)) ?? this.model.graphs.find((g) => fieldModel.resolvableIn.has(g));
      if (graph === undefined) throw new PlanUnsupported(`no subgraph resolves Query.${field.name}`);
      const group = byGraph.get(graph);
      if (group === undefined) byGraph.set(graph, [field]);
      else group.push(field);
    }
    const roots: FetchBuilder[] = [];
    for (const [graph, group] of byGraph) {
      const builder: FetchBuilder = { graph, entity: undefined, dependents: [], selections: [] };
      builder.selections = this.#planObject(rootType, group, graph, undefined, [], builder, true);
      roots.push(builder);
    }
    const shape = shapeOfObject(this.schema, rootType, [this.operation.selectionSet], this.#fragments);
    let fetchCount = 0;
    const finish = (builder: FetchBuilder): PlanFetch => {
      fetchCount++;
      return this.#finish(builder, builder.dependents.map(finish));
    };
    const fetches = roots.map(finish);
    return { fetches, shape, fetchCount };
  }

  /**
   * The selections of one subgraph fetch at an object position, registering the dependent entity
   * fetches for fields the subgraph cannot resolve there.
   */
  #planObject(
    type: GraphQLObjectType,
    fields: readonly CollectedField[],
    graph: string,
    provided: Provided | undefined,
    path: readonly PathStep[],
    builder: FetchBuilder,
    jumpsAllowed: boolean,
    requiresMet: ReadonlySet<string> = NONE,
  ): SelectionNode[] {
    const typeModel = this.#typeModel(type.name);
    const local: SelectionNode[] = [];
    const jumps = new Map<string, JumpGroup>();
    for (const field of fields) {
      if (field.responseKey.startsWith(RESERVED_ALIAS_PREFIX)) throw new PlanUnsupported(`response key ${field.responseKey} is reserved`);
      if (field.name === '__typename') continue;
      const fieldModel = this.#fieldModel(typeModel, field.name);
      if (resolvableHere(fieldModel, graph, provided) || (fieldModel.requires.has(graph) && requiresMet.has(field.name))) {
        local.push(this.#planField(type, field, graph, provided, path, builder, jumpsAllowed));
        continue;
      }
      if (!jumpsAllowed) throw new PlanUnsupported(`${type.name}.${field.name} needs another subgraph below an abstract type`);
      const { target, via } = this.#jumpTarget(typeModel, fieldModel, graph, provided, jumps);
      let group = jumps.get(target);
      if (group === undefined) {
        group = { fields: [], requires: [], requiresMet: new Set(), via };
        jumps.set(target, group);
      } else if (group.via !== via) {
        throw new PlanUnsupported(`${type.name} reached in ${target} two ways`);
      }
      group.fields.push(field);
      const required = fieldModel.requires.get(target);
      if (required !== undefined && !fieldModel.resolvableIn.has(target)) {
        group.requires.push(required);
        group.requiresMet.add(field.name);
      }
    }
    const added = new Set<string>();
    const addLocal = (nodes: readonly FieldNode[]): void => {
      for (const node of nodes) {
        const alias = node.alias?.value ?? node.name.value;
        if (added.has(alias)) continue;
        added.add(alias);
        local.push(node);
      }
    };
    for (const [target, group] of jumps) {
      let parent = builder;
      let keyFields: KeyField[];
      if (group.via === undefined) {
        keyFields = this.#entityKey(type, typeModel, target, graph, provided);
        addLocal(keyFieldNodes(keyFields));
      } else {
        // A second hop: the current subgraph cannot give any key `target` takes, `via` can, and
        // the current subgraph can give a key of `via` (e.g. products knows users by email,
        // accounts maps email to id, reviews takes id).
        if (group.requires.length > 0) throw new PlanUnsupported(`@requires through a second hop to ${target}`);
        const viaKey = this.#entityKey(type, typeModel, group.via, graph, provided);
        addLocal(keyFieldNodes(viaKey));
        keyFields = this.#entityKey(type, typeModel, target, group.via, undefined);
        parent = { graph: group.via, entity: { path, typeName: type.name, key: viaKey }, dependents: [], selections: keyFieldNodes(keyFields) };
        builder.dependents.push(parent);
      }
      let requiredFields: KeyField[] = [];
      if (group.requires.length > 0) {
        // @requires (Federation subgraph spec): the representation sent to `target` carries the
        // required fields, fetched first from this subgraph or, if it cannot give them, from one
        // that can; `target`'s fetch then waits for that one.
        const required: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: group.requires.flatMap((r) => r.selections) };
        requiredFields = this.#keyFields(required, REQUIRES_ALIAS_PREFIX, true);
        if (this.#keyResolvable(type, required, graph, provided)) {
          addLocal(keyFieldNodes(requiredFields));
        } else {
          const source = this.model.graphs.find((g) => g !== graph && this.#keyResolvable(type, required, g, undefined) && typeModel.keys.some((k) => k.graph === g && this.#keyResolvable(type, k.selectionSet, graph, provided)));
          if (source === undefined) throw new PlanUnsupported(`no subgraph gives the fields ${type.name}.${target} requires`);
          const sourceKey = this.#entityKey(type, typeModel, source, graph, provided);
          addLocal(keyFieldNodes(sourceKey));
          parent = { graph: source, entity: { path, typeName: type.name, key: sourceKey }, dependents: [], selections: keyFieldNodes(requiredFields) };
          builder.dependents.push(parent);
        }
      }
      const dependent: FetchBuilder = { graph: target, entity: { path, typeName: type.name, key: [...keyFields, ...requiredFields] }, dependents: [], selections: [] };
      dependent.selections = this.#planObject(type, group.fields, target, undefined, path, dependent, true, group.requiresMet);
      parent.dependents.push(dependent);
    }
    if (local.length === 0) local.push(fieldNode('__typename'));
    return local;
  }

  /** The key by which `target` fetches the entity, with fields the current subgraph can give. */
  #entityKey(type: GraphQLObjectType, typeModel: TypeModel, target: string, graph: string, provided: Provided | undefined): KeyField[] {
    const key = typeModel.keys.find((k) => k.graph === target && this.#keyResolvable(type, k.selectionSet, graph, provided));
    if (key === undefined) throw new PlanUnsupported(`no key of ${type.name} for ${target}`);
    return this.#keyFields(key.selectionSet, KEY_ALIAS_PREFIX, false);
  }

  #planField(
    parent: GraphQLObjectType | GraphQLInterfaceType,
    field: CollectedField,
    graph: string,
    provided: Provided | undefined,
    path: readonly PathStep[],
    builder: FetchBuilder,
    jumpsAllowed: boolean,
  ): FieldNode {
    const definition = parent.getFields()[field.name];
    if (definition === undefined) throw new PlanUnsupported(`field ${parent.name}.${field.name} is not in the API schema`);
    const first = field.nodes[0];
    if (first === undefined) throw new PlanUnsupported('a field without nodes');
    const alias = field.responseKey !== field.name ? { kind: Kind.NAME, value: field.responseKey } as const : undefined;
    const base = { kind: Kind.FIELD, alias, name: first.name, arguments: first.arguments } as const;
    const named = getNamedType(definition.type);
    if (isLeafType(named)) return base;
    const fieldModel = this.#fieldModel(this.#typeModel(parent.name), field.name);
    const providesHere = fieldModel.provides.get(graph);
    const childProvided = providesHere !== undefined ? toProvided(providesHere) : provided?.get(field.name);
    const childPath = [...path, field.responseKey];
    let selections: SelectionNode[];
    if (isObjectType(named)) {
      const childFields = collectObjectFields(this.schema, named, subSelections(field.nodes), this.#fragments);
      selections = this.#planObject(named, childFields, graph, childProvided, childPath, builder, jumpsAllowed);
    } else {
      selections = this.#planAbstract(named, subSelections(field.nodes), graph, childProvided, builder, childPath, jumpsAllowed);
    }
    return { ...base, selectionSet: { kind: Kind.SELECTION_SET, selections } };
  }

  /**
   * An interface or union position: the subgraph answers the whole selection (plus `__typename`,
   * which the result shaper needs to pick the concrete type). Fragments on types the subgraph does
   * not define are left out of its fetch: it cannot return such objects.
   */
  #planAbstract(
    type: GraphQLAbstractType,
    selectionSets: readonly SelectionSetNode[],
    graph: string,
    provided: Provided | undefined,
    builder: FetchBuilder,
    path: readonly PathStep[],
    jumpsAllowed: boolean,
  ): SelectionNode[] {
    const typeModel = this.#typeModel(type.name);
    if (!typeModel.graphs.has(graph)) throw new PlanUnsupported(`${type.name} is not defined in ${graph}`);
    const out: SelectionNode[] = [fieldNode('__typename')];
    const visitSet = (selectionSet: SelectionSetNode): void => {
      for (const selection of selectionSet.selections) {
        if (!included(selection.directives)) continue;
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === '__typename') {
            if (selection.alias !== undefined) out.push({ kind: Kind.FIELD, alias: selection.alias, name: selection.name });
            continue;
          }
          if (!isInterfaceType(type)) throw new PlanUnsupported(`field on union ${type.name}`);
          const field: CollectedField = { responseKey: selection.alias?.value ?? selection.name.value, name: selection.name.value, nodes: [selection] };
          if (!resolvableHere(this.#fieldModel(typeModel, field.name), graph, provided)) throw new PlanUnsupported(`${type.name}.${field.name} is not resolvable in ${graph}`);
          out.push(this.#planField(type, field, graph, provided, [], builder, false));
          continue;
        }
        const fragmentSelection = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : this.#fragments.get(selection.name.value)?.selectionSet;
        const conditionName = selection.kind === Kind.INLINE_FRAGMENT ? (selection.typeCondition?.name.value ?? type.name) : this.#fragments.get(selection.name.value)?.typeCondition.name.value;
        if (fragmentSelection === undefined || conditionName === undefined) throw new PlanUnsupported('unknown fragment');
        if (conditionName === type.name) {
          visitSet(fragmentSelection);
          continue;
        }
        const condition = this.schema.getType(conditionName);
        const conditionModel = this.model.types.get(conditionName);
        if (condition === undefined || conditionModel === undefined || !conditionModel.graphs.has(graph)) continue;
        let selections: SelectionNode[];
        if (isObjectType(condition)) {
          // A fragment on a concrete type may send its objects to other subgraphs: the dependent
          // fetch takes only the objects of that type here (by the `__typename` asked for above).
          const typedPath = [...path, { typeCondition: conditionName }];
          selections = this.#planObject(condition, collectObjectFields(this.schema, condition, [fragmentSelection], this.#fragments), graph, undefined, typedPath, builder, jumpsAllowed);
        } else if (isAbstractType(condition)) {
          selections = this.#planAbstract(condition, [fragmentSelection], graph, undefined, builder, path, false);
        } else {
          throw new PlanUnsupported(`fragment on ${conditionName}`);
        }
        out.push({
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: conditionName } },
          selectionSet: { kind: Kind.SELECTION_SET, selections },
        });
      }
    };
    for (const selectionSet of selectionSets) visitSet(selectionSet);
    return out;
  }

  /**
   * A subgraph that resolves the field (itself, or from required fields in the representation) and
   * can fetch the entity by a key the current subgraph can give. A field that needs `@requires` in
   * the current subgraph goes back to it through an entity fetch.
   */
  #jumpTarget(typeModel: TypeModel, fieldModel: FieldModel, graph: string, provided: Provided | undefined, chosen: ReadonlyMap<string, unknown>): { target: string; via: string | undefined } {
    const type = this.schema.getType(typeModel.name) as GraphQLObjectType;
    const reachable = (target: string): boolean => typeModel.keys.some((key) => key.graph === target && this.#keyResolvable(type, key.selectionSet, graph, provided));
    const plain = this.model.graphs.filter((target) => target !== graph && fieldModel.resolvableIn.has(target) && !fieldModel.unsupportedIn.has(target) && reachable(target));
    const withRequires = this.model.graphs.filter((target) => fieldModel.requires.has(target) && !fieldModel.unsupportedIn.has(target) && reachable(target));
    const target = plain.find((c) => chosen.has(c)) ?? plain[0] ?? withRequires.find((c) => chosen.has(c)) ?? withRequires[0];
    if (target !== undefined) return { target, via: undefined };
    // A second hop: a subgraph the current one can reach that can give a key of one that resolves the field.
    for (const candidate of this.model.graphs) {
      if (candidate === graph || !fieldModel.resolvableIn.has(candidate) || fieldModel.unsupportedIn.has(candidate)) continue;
      const via = this.model.graphs.find(
        (v) => v !== graph && v !== candidate && reachable(v) && typeModel.keys.some((key) => key.graph === candidate && this.#keyResolvable(type, key.selectionSet, v, undefined)),
      );
      if (via !== undefined) return { target: candidate, via };
    }
    throw new PlanUnsupported(`no subgraph can resolve ${typeModel.name}.${fieldModel.name} from ${graph}`);
  }

  #keyResolvable(type: GraphQLObjectType, selectionSet: SelectionSetNode, graph: string, provided: Provided | undefined): boolean {
    const typeModel = this.model.types.get(type.name);
    if (typeModel === undefined) return false;
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) return false;
      const fieldModel = typeModel.fields.get(selection.name.value);
      if (fieldModel === undefined || !resolvableHere(fieldModel, graph, provided)) return false;
      if (selection.selectionSet !== undefined) {
        const named = getNamedType(type.getFields()[selection.name.value]?.type);
        if (!isObjectType(named) || !this.#keyResolvable(named, selection.selectionSet, graph, provided?.get(selection.name.value))) return false;
      }
    }
    return true;
  }

  /** Key or required fields as the representation needs them; the top level under a reserved alias. */
  #keyFields(selectionSet: SelectionSetNode, prefix: string | undefined, nullable: boolean): KeyField[] {
    const seen = new Map<string, boolean>();
    const unique = selectionSet.selections.filter((selection) => {
      if (selection.kind !== Kind.FIELD) throw new PlanUnsupported('a key or @requires field set with fragments');
      const hasSelections = selection.selectionSet !== undefined;
      const before = seen.get(selection.name.value);
      if (before === undefined) {
        seen.set(selection.name.value, hasSelections);
        return true;
      }
      if (before || hasSelections) throw new PlanUnsupported(`field ${selection.name.value} required twice with selections`);
      return false;
    });
    return unique.map((selection) => {
      if (selection.kind !== Kind.FIELD) throw new PlanUnsupported('a key or @requires field set with fragments');
      const name = selection.name.value;
      return {
        responseKey: prefix !== undefined ? `${prefix}${name}` : name,
        name,
        nullable,
        selections: selection.selectionSet !== undefined ? this.#keyFields(selection.selectionSet, undefined, nullable) : undefined,
      };
    });
  }

  #finish(builder: FetchBuilder, dependents: PlanFetch[]): PlanFetch {
    const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: builder.selections };
    const used = variablesUsedIn(selectionSet);
    const variableDefinitions: VariableDefinitionNode[] = [];
    for (const name of used) {
      const definition = this.#variables.get(name);
      if (definition === undefined) throw new PlanUnsupported(`variable $${name} is not defined`);
      variableDefinitions.push(definition);
    }
    let operationSelection = selectionSet;
    if (builder.entity !== undefined) {
      variableDefinitions.unshift({
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: REPRESENTATIONS } },
        type: {
          kind: Kind.NON_NULL_TYPE,
          type: { kind: Kind.LIST_TYPE, type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: '_Any' } } } },
        },
      });
      operationSelection = {
        kind: Kind.SELECTION_SET,
        selections: [
          {
            kind: Kind.FIELD,
            name: { kind: Kind.NAME, value: '_entities' },
            arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: REPRESENTATIONS }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: REPRESENTATIONS } } }],
            selectionSet: {
              kind: Kind.SELECTION_SET,
              selections: [{ kind: Kind.INLINE_FRAGMENT, typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: builder.entity.typeName } }, selectionSet }],
            },
          },
        ],
      };
    }
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [{ kind: Kind.OPERATION_DEFINITION, operation: OperationTypeNode.QUERY, variableDefinitions, selectionSet: operationSelection }],
    };
    const first = builder.selections[0];
    const rootKey = builder.entity === undefined && first?.kind === Kind.FIELD ? (first.alias?.value ?? first.name.value) : undefined;
    return { graph: builder.graph, document, variableNames: used, entity: builder.entity, rootKey, dependents };
  }

  #typeModel(name: string): TypeModel {
    const typeModel = this.model.types.get(name);
    if (typeModel === undefined) throw new PlanUnsupported(`type ${name} has no join information`);
    if (typeModel.interfaceObject) throw new PlanUnsupported(`${name} is an interface object`);
    return typeModel;
  }

  #fieldModel(typeModel: TypeModel, name: string): FieldModel {
    const fieldModel = typeModel.fields.get(name);
    if (fieldModel === undefined) throw new PlanUnsupported(`field ${typeModel.name}.${name} has no join information`);
    if (fieldModel.unsupportedIn.has('*')) throw new PlanUnsupported(`${typeModel.name}.${name} has no subgraph of its own`);
    return fieldModel;
  }
}

/** Whether the subgraph resolves the field at this position: its own field, or an external one a parent `@provides`. */
function resolvableHere(field: FieldModel, graph: string, provided: Provided | undefined): boolean {
  if (field.unsupportedIn.has(graph)) return false;
  return field.resolvableIn.has(graph) || (field.externalIn.has(graph) && provided?.has(field.name) === true);
}

function toProvided(selectionSet: SelectionSetNode): Provided {
  const out = new Map<string, Provided | undefined>();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    out.set(selection.name.value, selection.selectionSet !== undefined ? toProvided(selection.selectionSet) : undefined);
  }
  return out;
}

function keyFieldNodes(fields: readonly KeyField[]): FieldNode[] {
  return fields.map((field) => ({
    kind: Kind.FIELD,
    alias: field.responseKey !== field.name ? { kind: Kind.NAME, value: field.responseKey } : undefined,
    name: { kind: Kind.NAME, value: field.name },
    selectionSet: field.selections !== undefined ? { kind: Kind.SELECTION_SET, selections: keyFieldNodes(field.selections) } : undefined,
  }));
}

function fieldNode(name: string): FieldNode {
  return { kind: Kind.FIELD, name: { kind: Kind.NAME, value: name } };
}

function variablesUsedIn(selectionSet: SelectionSetNode): string[] {
  const names = new Set<string>();
  visit(selectionSet, {
    Variable(node) {
      names.add(node.name.value);
    },
  });
  return [...names];
}
