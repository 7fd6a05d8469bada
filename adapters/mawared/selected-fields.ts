import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields a query selects below the current field, following `path` (e.g.
 * `['edges', 'node']` inside a connection), through inline fragments and fragment spreads. Used to
 * ask the upstream only for the properties the client wants (`$select`).
 */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[] = []): Set<string> {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => collect(node.selectionSet, info.fragments).filter((field) => field.name.value === name));
  }
  return new Set(level.flatMap((node) => collect(node.selectionSet, info.fragments)).map((field) => field.name.value));
}

function collect(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  if (selectionSet === undefined) return [];
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...collect(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      fields.push(...collect(fragments[selection.name.value]?.selectionSet, fragments, seen));
    }
  }
  return fields;
}
