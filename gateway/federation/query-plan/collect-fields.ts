import {
  Kind,
  isAbstractType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * Thrown while planning when an operation uses something the query planner does not handle; the
 * gateway then runs the operation on the general engine instead. Never reaches a client.
 */
export class PlanUnsupported extends Error {
  override readonly name = 'PlanUnsupported';
}

/** The fields of one response key, merged from every selection that asks for it (GraphQL spec §6.3.2 CollectFields). */
export interface CollectedField {
  readonly responseKey: string;
  readonly name: string;
  /** Every field node of this response key; validation guarantees the same field and arguments. */
  readonly nodes: readonly FieldNode[];
}

export type FragmentMap = ReadonlyMap<string, FragmentDefinitionNode>;

/**
 * CollectFields (GraphQL spec §6.3.2) for a concrete object type, evaluated once per document:
 * fragments whose type condition applies to the type are merged in, others left out. `@skip` and
 * `@include` with literal arguments are decided here; with a variable argument, or any other
 * executable directive, the plan would depend on the request, so planning stops.
 */
export function collectObjectFields(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  fragments: FragmentMap,
): CollectedField[] {
  const byKey = new Map<string, { name: string; nodes: FieldNode[] }>();
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (!included(selection.directives)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const entry = byKey.get(key);
          if (entry === undefined) byKey.set(key, { name: selection.name.value, nodes: [selection] });
          else entry.nodes.push(selection);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (selection.typeCondition === undefined || appliesTo(schema, selection.typeCondition.name.value, type)) visit(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visited.has(name)) break;
          visited.add(name);
          const fragment = fragments.get(name);
          if (fragment === undefined) throw new PlanUnsupported(`unknown fragment ${name}`);
          if (appliesTo(schema, fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
          break;
        }
      }
    }
  };
  for (const selectionSet of selectionSets) visit(selectionSet);
  return [...byKey].map(([responseKey, entry]) => ({ responseKey, name: entry.name, nodes: entry.nodes }));
}

/** Whether a fragment with this type condition applies to an object of `type` (GraphQL spec §6.3.2 DoesFragmentTypeApply). */
export function appliesTo(schema: GraphQLSchema, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true;
  const conditionType = schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
}

/** The merged sub-selections of a field's nodes. */
export function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  const out: SelectionSetNode[] = [];
  for (const node of nodes) if (node.selectionSet !== undefined) out.push(node.selectionSet);
  return out;
}

export function included(directives: FieldNode['directives']): boolean {
  if (directives === undefined || directives.length === 0) return true;
  let keep = true;
  for (const directive of directives) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') throw new PlanUnsupported(`directive @${name} in the operation`);
    const argument = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (argument?.kind !== Kind.BOOLEAN) throw new PlanUnsupported(`@${name} with a variable`);
    if (name === 'skip' && argument.value) keep = false;
    if (name === 'include' && !argument.value) keep = false;
  }
  return keep;
}

