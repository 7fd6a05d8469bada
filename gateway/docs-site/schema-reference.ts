import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  buildASTSchema,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { readFieldSensitivities, type SensitivityLevel } from '../../adapters/kit/sensitivity.js';
import { apiDocumentFromSupergraph } from './api-schema.js';
import { splitBilingual, type BilingualText } from './bilingual-text.js';

/**
 * The schema reference as data: every type, field, argument and enum value of the API schema, with
 * its bilingual description, its `@sensitivity` level and an example. Rendering is elsewhere.
 */
export type TypeKind = 'object' | 'interface' | 'union' | 'enum' | 'input' | 'scalar';

export interface ArgumentDoc {
  readonly name: string;
  readonly type: string;
  readonly defaultValue: string | undefined;
  readonly description: BilingualText;
}

export interface FieldDoc {
  readonly name: string;
  readonly type: string;
  /** Name of the named type at the end of the field's type (for links). */
  readonly namedType: string;
  readonly description: BilingualText;
  readonly arguments: readonly ArgumentDoc[];
  /** From `@sensitivity`; undefined when the field carries none (the policy treats it as the strictest level). */
  readonly sensitivity: SensitivityLevel | undefined;
  readonly deprecationReason: string | undefined;
  /** An operation that reaches this field (object and interface fields), or an input literal. */
  readonly example: string | undefined;
}

export interface EnumValueDoc {
  readonly name: string;
  readonly description: BilingualText;
  readonly deprecationReason: string | undefined;
}

export interface TypeDoc {
  readonly name: string;
  readonly kind: TypeKind;
  readonly description: BilingualText;
  readonly fields: readonly FieldDoc[];
  readonly enumValues: readonly EnumValueDoc[];
  readonly possibleTypes: readonly string[];
  /** Example for the type as a whole (an input literal, an enum value) when fields have none. */
  readonly example: string | undefined;
}

export interface SchemaReference {
  /** Root types first (Query, Mutation, Subscription), then the rest by name. */
  readonly types: readonly TypeDoc[];
  readonly rootTypeNames: readonly string[];
}

/** Illustrative argument values, keyed by argument name, that match the sandboxes' demo data. */
const EXAMPLE_STRINGS: Readonly<Record<string, string>> = {
  code: 'MOF',
  month: '2026-10',
  from: '2026-01',
  to: '2026-10',
  fromMonth: '2026-01',
  toMonth: '2026-10',
  fiscalYear: '2026',
  nationalId: '28763400123',
  employeeNumber: 'QA-MOF-000123',
  idempotencyKey: 'req-2026-10-31-0001',
  tenantId: 'tnt-qa-mof-prod',
  after: 'cursor-from-pageInfo.endCursor',
};

export function buildSchemaReference(supergraphSdl: string): SchemaReference {
  const document = apiDocumentFromSupergraph(supergraphSdl);
  const schema = buildASTSchema(document);
  const sensitivities = readFieldSensitivities(document);
  const definedNames = definedTypeNames(document);
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t): t is GraphQLObjectType => t !== null && t !== undefined);
  const rootNames = roots.map((t) => t.name);
  const paths = pathsFromRoots(schema, roots);
  const others = [...definedNames].filter((name) => !rootNames.includes(name)).sort((a, b) => a.localeCompare(b));
  const types: TypeDoc[] = [];
  for (const name of [...rootNames, ...others]) {
    const type = schema.getType(name);
    if (type === undefined || type === null) continue;
    types.push(typeDoc(schema, type, sensitivities, paths));
  }
  return { types, rootTypeNames: rootNames };
}

function definedTypeNames(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  for (const definition of document.definitions) {
    if ('name' in definition && definition.name !== undefined && definition.kind !== 'DirectiveDefinition') names.add(definition.name.value);
  }
  return names;
}

function kindOf(type: GraphQLNamedType): TypeKind {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input';
  return 'scalar';
}

function typeDoc(schema: GraphQLSchema, type: GraphQLNamedType, sensitivities: Map<string, SensitivityLevel>, paths: Map<string, PathStep[]>): TypeDoc {
  const description = splitBilingual(type.description);
  if (isObjectType(type) || isInterfaceType(type)) {
    const fields = Object.values(type.getFields()).map((field): FieldDoc => ({
      name: field.name,
      type: String(field.type),
      namedType: getNamedType(field.type).name,
      description: splitBilingual(field.description),
      arguments: field.args.map(argumentDoc),
      sensitivity: sensitivities.get(`${type.name}.${field.name}`),
      deprecationReason: field.deprecationReason ?? undefined,
      example: exampleOperation(schema, type, field, paths),
    }));
    return { name: type.name, kind: kindOf(type), description, fields, enumValues: [], possibleTypes: [], example: undefined };
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).map((field): FieldDoc => ({
      name: field.name,
      type: String(field.type),
      namedType: getNamedType(field.type).name,
      description: splitBilingual(field.description),
      arguments: [],
      sensitivity: undefined,
      deprecationReason: field.deprecationReason ?? undefined,
      example: `${field.name}: ${exampleValue(field.type, field.name, 0)}`,
    }));
    return { name: type.name, kind: 'input', description, fields, enumValues: [], possibleTypes: [], example: exampleValue(type, type.name, 0, true) };
  }
  if (isEnumType(type)) {
    const enumValues = type.getValues().map((v) => ({ name: v.name, description: splitBilingual(v.description), deprecationReason: v.deprecationReason ?? undefined }));
    return { name: type.name, kind: 'enum', description, fields: [], enumValues, possibleTypes: [], example: enumValues[0]?.name };
  }
  if (isUnionType(type)) {
    return { name: type.name, kind: 'union', description, fields: [], enumValues: [], possibleTypes: type.getTypes().map((t) => t.name), example: undefined };
  }
  return { name: type.name, kind: 'scalar', description, fields: [], enumValues: [], possibleTypes: [], example: undefined };
}

function argumentDoc(arg: GraphQLArgument): ArgumentDoc {
  return {
    name: arg.name,
    type: String(arg.type),
    defaultValue: arg.defaultValue === undefined ? undefined : JSON.stringify(arg.defaultValue),
    description: splitBilingual(arg.description),
  };
}

interface PathStep {
  readonly parent: GraphQLObjectType | GraphQLInterfaceType;
  readonly field: GraphQLField<unknown, unknown>;
}

/** Shortest path of fields from a root type to every reachable object or interface type (BFS). */
function pathsFromRoots(schema: GraphQLSchema, roots: readonly GraphQLObjectType[]): Map<string, PathStep[]> {
  const paths = new Map<string, PathStep[]>();
  const queue: string[] = [];
  for (const root of roots) {
    paths.set(root.name, []);
    queue.push(root.name);
  }
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const type = schema.getType(name);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const base = paths.get(name) ?? [];
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      const candidates = isUnionType(target) ? target.getTypes() : [target];
      for (const candidate of candidates) {
        if ((!isObjectType(candidate) && !isInterfaceType(candidate)) || paths.has(candidate.name)) continue;
        paths.set(candidate.name, [...base, { parent: type, field }]);
        queue.push(candidate.name);
      }
    }
  }
  return paths;
}

function exampleOperation(
  schema: GraphQLSchema,
  type: GraphQLObjectType | GraphQLInterfaceType,
  field: GraphQLField<unknown, unknown>,
  paths: Map<string, PathStep[]>,
): string | undefined {
  const path = paths.get(type.name);
  if (path === undefined) return undefined;
  const rootName = path[0]?.parent.name ?? type.name;
  const operation = rootName === schema.getMutationType()?.name ? 'mutation' : rootName === schema.getSubscriptionType()?.name ? 'subscription' : 'query';
  const steps = [...path.map((s) => s.field), field];
  const lines: string[] = [];
  steps.forEach((step, depth) => {
    const indent = '  '.repeat(depth + 1);
    const args = fieldArguments(step);
    const named = getNamedType(step.type);
    const last = depth === steps.length - 1;
    if (!last) {
      lines.push(`${indent}${step.name}${args} {`);
      if (isUnionType(getNamedType(step.type))) {
        const next = steps[depth + 1];
        const member = path[depth + 1]?.parent.name ?? type.name;
        if (next !== undefined) lines.push(`${indent}  ... on ${member} {`);
      }
      return;
    }
    const selection = leafSelection(named);
    lines.push(`${indent}${step.name}${args}${selection === '' ? '' : ` { ${selection} }`}`);
  });
  for (let depth = steps.length - 2; depth >= 0; depth -= 1) {
    const step = steps[depth];
    const indent = '  '.repeat(depth + 1);
    if (step !== undefined && isUnionType(getNamedType(step.type))) lines.push(`${indent}  }`);
    lines.push(`${indent}}`);
  }
  return `${operation} {\n${lines.join('\n')}\n}`;
}

function fieldArguments(field: GraphQLField<unknown, unknown>): string {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  if (required.length === 0) return '';
  return `(${required.map((a) => `${a.name}: ${exampleValue(a.type, a.name, 0)}`).join(', ')})`;
}

function leafSelection(type: GraphQLNamedType): string {
  if (isObjectType(type) || isInterfaceType(type)) {
    const leaves = Object.values(type.getFields())
      .filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined))
      .filter((f) => {
        const named = getNamedType(f.type);
        return isScalarType(named) || isEnumType(named);
      })
      .slice(0, 3)
      .map((f) => f.name);
    return leaves.length > 0 ? leaves.join(' ') : '__typename';
  }
  if (isUnionType(type)) return '__typename';
  return '';
}

/** A GraphQL literal for an input type; object inputs show their required fields (or all, at the top). */
function exampleValue(type: GraphQLInputType, name: string, depth: number, allFields = false): string {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return `[${exampleValue(nullable.ofType as GraphQLInputType, name, depth)}]`;
  if (isEnumType(nullable)) {
    const values = nullable.getValues().map((v) => v.name);
    return values.includes('QA') ? 'QA' : (values[0] ?? 'null');
  }
  if (isInputObjectType(nullable)) {
    if (depth > 3) return '{}';
    const fields = Object.values(nullable.getFields()).filter((f) => allFields || (isNonNullType(f.type) && f.defaultValue === undefined));
    const shown = fields.length > 0 ? fields : Object.values(nullable.getFields()).slice(0, 1);
    return `{ ${shown.map((f) => `${f.name}: ${exampleValue(f.type, f.name, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
        return name === 'first' || name === 'last' ? '10' : '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'true';
      case 'ID':
        return JSON.stringify(EXAMPLE_STRINGS[name] ?? `${name}-example`);
      default:
        return JSON.stringify(EXAMPLE_STRINGS[name] ?? `example-${name}`);
    }
  }
  return 'null';
}
