import {
  getNamedType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { SENSITIVITY_LEVELS, type SensitivityLevel } from '../../../adapters/kit/index.js';

/** One field an operation selects, as the access policy sees it. */
export interface TouchedField {
  /** Schema coordinate `Type.field` (https://spec.graphql.org/draft/#sec-Schema-Coordinates). */
  readonly coordinate: string;
  /** The type the field is selected on: an object or interface type. */
  readonly parentType: string;
  /** The field's type with lists and non-null unwrapped (`[Employee!]!` -> `Employee`). */
  readonly returnType: string;
  /** From `@sensitivity(level:)`; undefined when the field has none (the policy treats it as PERSONAL). */
  readonly sensitivity: SensitivityLevel | undefined;
}

/** `Type.field -> level` as `readFieldSensitivities` gives it; values that are not a level count as none. */
export type FieldSensitivities = ReadonlyMap<string, SensitivityLevel | string>;

const LEVELS: ReadonlySet<string> = new Set(SENSITIVITY_LEVELS);
const levelOf = (value: string | undefined): SensitivityLevel | undefined => (value !== undefined && LEVELS.has(value) ? (value as SensitivityLevel) : undefined);

interface CacheEntry {
  readonly schema: GraphQLSchema;
  readonly sensitivities: FieldSensitivities;
  /** By operation name (`''` when none was given). */
  readonly byOperation: Map<string, readonly TouchedField[]>;
}

/**
 * Apollo Server hands back the same DocumentNode for a repeated operation, so each document is walked
 * once per schema (a hot reload brings a new schema object, and the walk is redone).
 */
const cache = new WeakMap<DocumentNode, CacheEntry>();

/**
 * Every field the operation touches, once each, sorted by coordinate: through named fragments and
 * inline fragments, typed by graphql-js's `TypeInfo`. With `operationName`, only that operation and
 * the fragments it reaches are walked; without it, or when the name is not in the document, every
 * operation is (more fields, never fewer: execution then fails anyway). Introspection fields
 * (`__typename`, `__schema`, `__type` and everything under them) are not policy fields and are left
 * out; the caller decides about introspection separately.
 *
 * The returned array is shared by later calls for the same document: do not modify it.
 */
export function touchedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  sensitivities: FieldSensitivities,
  operationName?: string | null,
): readonly TouchedField[] {
  let entry = cache.get(document);
  if (entry === undefined || entry.schema !== schema || entry.sensitivities !== sensitivities) {
    entry = { schema, sensitivities, byOperation: new Map() };
    cache.set(document, entry);
  }
  const key = operationName ?? '';
  const cached = entry.byOperation.get(key);
  if (cached !== undefined) return cached;
  const fields = walk(schema, document, sensitivities, operationName);
  entry.byOperation.set(key, fields);
  return fields;
}

function walk(schema: GraphQLSchema, document: DocumentNode, sensitivities: FieldSensitivities, operationName: string | null | undefined): readonly TouchedField[] {
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
    else if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const named = typeof operationName !== 'string' ? [] : operations.filter((operation) => operation.name?.value === operationName);
  const selected = named.length > 0 ? named : operations;

  // The selected operations and the fragments they reach (transitively; a cycle is invalid
  // GraphQL, and is walked once here rather than forever).
  const reached = new Set<string>();
  const pending: SelectionSetNode[] = selected.map((operation) => operation.selectionSet);
  while (pending.length > 0) {
    const selectionSet = pending.pop() as SelectionSetNode;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined && !reached.has(fragment.name.value)) {
          reached.add(fragment.name.value);
          pending.push(fragment.selectionSet);
        }
      } else if (selection.selectionSet !== undefined) {
        pending.push(selection.selectionSet);
      }
    }
  }
  const definitions: DefinitionNode[] = [...selected, ...[...reached].map((name) => fragments.get(name) as FragmentDefinitionNode)];

  const found = new Map<string, TouchedField>();
  const typeInfo = new TypeInfo(schema);
  visit(
    { kind: Kind.DOCUMENT, definitions },
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        // Meta-fields (GraphQL spec §4.1): introspection is decided elsewhere, and nothing under
        // __schema / __type is data of ours.
        if (name.startsWith('__')) return false;
        const parent = typeInfo.getParentType();
        const parentType = parent?.name ?? '';
        const coordinate = `${parentType === '' ? '?' : parentType}.${name}`;
        if (found.has(coordinate)) return undefined;
        const definition = typeInfo.getFieldDef();
        found.set(coordinate, {
          coordinate,
          parentType,
          returnType: definition ? getNamedType(definition.type).name : '',
          // An unknown field (an unvalidated document) has no sensitivity: the strictest treatment.
          sensitivity: levelOf(sensitivities.get(coordinate)),
        });
        return undefined;
      },
    }),
  );
  return Object.freeze([...found.values()].sort((a, b) => (a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0)));
}
