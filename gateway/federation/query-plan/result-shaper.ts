import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { collectObjectFields, PlanUnsupported, subSelections, type FragmentMap } from './collect-fields.js';

/**
 * The shape of an operation's answer, computed once per document: for each position the response
 * keys in order, the field they come from and its type. The executor merges subgraph answers into
 * one tree (with extra key fields, and response keys from several fetches) and `shapeResult` walks
 * it along this shape to produce the response the client asked for: only the selected keys, in
 * selection order, leaf values serialised by their type, and nulls propagated per GraphQL spec
 * §6.4.4 ("Handling Field Errors"), as graphql-js would on the same data.
 */
export interface ObjectShape {
  readonly typeName: string;
  readonly fields: readonly ShapeField[];
}

export interface ShapeField {
  readonly responseKey: string;
  /** `Type.field`, for error messages. */
  readonly coordinate: string;
  /** `__typename`: answered from the shape, not from the data. */
  readonly isTypename: boolean;
  readonly type: ShapeType;
}

export type ShapeType =
  | { readonly kind: 'nonNull'; readonly of: ShapeType }
  | { readonly kind: 'list'; readonly of: ShapeType }
  | { readonly kind: 'leaf'; readonly type: GraphQLLeafType; readonly fast: FastLeaf }
  | { readonly kind: 'object'; readonly shape: ObjectShape }
  | { readonly kind: 'abstract'; readonly typeName: string; readonly shapes: ReadonlyMap<string, ObjectShape> };

/** Built-in scalars whose serialisation of an already-correct value is the value itself. */
type FastLeaf = 'string' | 'int' | 'float' | 'boolean' | undefined;

export function shapeOfObject(schema: GraphQLSchema, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], fragments: FragmentMap): ObjectShape {
  const fieldDefinitions = type.getFields();
  const fields: ShapeField[] = [];
  for (const field of collectObjectFields(schema, type, selectionSets, fragments)) {
    const coordinate = `${type.name}.${field.name}`;
    if (field.name === '__typename') {
      fields.push({ responseKey: field.responseKey, coordinate, isTypename: true, type: TYPENAME });
      continue;
    }
    const definition = fieldDefinitions[field.name];
    if (definition === undefined) throw new PlanUnsupported(`field ${coordinate} is not in the API schema`);
    fields.push({ responseKey: field.responseKey, coordinate, isTypename: false, type: shapeOfType(schema, definition.type, subSelections(field.nodes), fragments) });
  }
  return { typeName: type.name, fields };
}

const TYPENAME: ShapeType = { kind: 'leaf', type: GraphQLString, fast: 'string' };

function shapeOfType(schema: GraphQLSchema, type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[], fragments: FragmentMap): ShapeType {
  if (isNonNullType(type)) return { kind: 'nonNull', of: shapeOfType(schema, type.ofType, selectionSets, fragments) };
  if (isListType(type)) return { kind: 'list', of: shapeOfType(schema, type.ofType, selectionSets, fragments) };
  if (isLeafType(type)) return { kind: 'leaf', type, fast: fastLeaf(type) };
  if (isObjectType(type)) return { kind: 'object', shape: shapeOfObject(schema, type, selectionSets, fragments) };
  if (isAbstractType(type)) {
    const shapes = new Map<string, ObjectShape>();
    for (const possible of schema.getPossibleTypes(type)) shapes.set(possible.name, shapeOfObject(schema, possible, selectionSets, fragments));
    return { kind: 'abstract', typeName: type.name, shapes };
  }
  throw new PlanUnsupported(`output type ${String(type)}`);
}

function fastLeaf(type: GraphQLLeafType): FastLeaf {
  if (type === GraphQLString || type === GraphQLID) return 'string';
  if (type === GraphQLInt) return 'int';
  if (type === GraphQLFloat) return 'float';
  if (type === GraphQLBoolean) return 'boolean';
  return undefined;
}

/** The null of a position whose error is already reported and whose parent must become null too. */
const PROPAGATE: unique symbol = Symbol('propagate');
type Completed = unknown;

interface ShapeContext {
  readonly errors: GraphQLError[];
  /** A fetch failed: a value missing from the data is its gap, already reported with its error (naming the subgraph). */
  readonly missingIsReported: boolean;
}

/**
 * Walks merged subgraph data along the operation's shape. `errors` holds the errors met so far
 * (subgraph errors, mapped to response paths); errors found here are appended to it.
 * @returns the response's `data` (null when a non-null root field is null).
 */
export function shapeResult(shape: ObjectShape, data: Record<string, unknown> | null | undefined, errors: GraphQLError[], missingIsReported = false): Record<string, unknown> | null {
  if (data === null || data === undefined) return null;
  const path: Array<string | number> = [];
  const out = completeObject(shape, data, path, { errors, missingIsReported });
  return out === PROPAGATE ? null : (out as Record<string, unknown>);
}

function completeObject(shape: ObjectShape, raw: Record<string, unknown>, path: Array<string | number>, ctx: ShapeContext): Completed {
  const out: Record<string, unknown> = {};
  for (const field of shape.fields) {
    if (field.isTypename) {
      out[field.responseKey] = shape.typeName;
      continue;
    }
    path.push(field.responseKey);
    const value = completeValue(field.type, raw[field.responseKey], field.coordinate, path, ctx);
    path.pop();
    if (value === PROPAGATE) return PROPAGATE;
    out[field.responseKey] = value;
  }
  return out;
}

/**
 * Completes one value (GraphQL spec §6.4.3 CompleteValue). Returns PROPAGATE only for a non-null
 * position that ended up null; a nullable position turns it into null.
 */
function completeValue(type: ShapeType, value: unknown, coordinate: string, path: Array<string | number>, ctx: ShapeContext): Completed {
  if (type.kind === 'nonNull') {
    const inner = completeNullable(type.of, value, coordinate, path, ctx);
    if (inner === PROPAGATE) return PROPAGATE;
    if (inner === null) {
      const reported = (value === undefined && ctx.missingIsReported) || hasErrorAt(ctx.errors, path);
      if (!reported) ctx.errors.push(new GraphQLError(`Cannot return null for non-nullable field ${coordinate}.`, { path: [...path] }));
      return PROPAGATE;
    }
    return inner;
  }
  const completed = completeNullable(type, value, coordinate, path, ctx);
  return completed === PROPAGATE ? null : completed;
}

function completeNullable(type: ShapeType, value: unknown, coordinate: string, path: Array<string | number>, ctx: ShapeContext): Completed {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'leaf':
      return completeLeaf(type.type, type.fast, value, path, ctx);
    case 'list': {
      if (!Array.isArray(value)) {
        ctx.errors.push(new GraphQLError(`Expected Iterable, but did not find one for field "${coordinate}".`, { path: [...path] }));
        return null;
      }
      const out = new Array<unknown>(value.length);
      for (let index = 0; index < value.length; index++) {
        path.push(index);
        const item = completeValue(type.of, value[index], coordinate, path, ctx);
        path.pop();
        if (item === PROPAGATE) return PROPAGATE;
        out[index] = item;
      }
      return out;
    }
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) return invalidObject(coordinate, path, ctx);
      return completeObject(type.shape, value as Record<string, unknown>, path, ctx);
    case 'abstract': {
      if (typeof value !== 'object' || Array.isArray(value)) return invalidObject(coordinate, path, ctx);
      const typename = (value as { __typename?: unknown }).__typename;
      const shape = typeof typename === 'string' ? type.shapes.get(typename) : undefined;
      if (shape === undefined) {
        ctx.errors.push(new GraphQLError(`Abstract type "${type.typeName}" must resolve to an object type at runtime for field "${coordinate}". Received "${String(typename)}".`, { path: [...path] }));
        return null;
      }
      return completeObject(shape, value as Record<string, unknown>, path, ctx);
    }
    case 'nonNull':
      // A non-null inside a non-null does not occur in GraphQL types.
      return completeValue(type, value, coordinate, path, ctx);
  }
}

function completeLeaf(type: GraphQLLeafType, fast: FastLeaf, value: unknown, path: Array<string | number>, ctx: ShapeContext): Completed {
  switch (fast) {
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value) && value <= 2147483647 && value >= -2147483648) return value;
      break;
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
  }
  try {
    const serialized: unknown = type.serialize(value);
    if (serialized === undefined) throw new Error(`Expected \`${type.name}.serialize(${String(value)})\` to return non-nullable value, returned: undefined`);
    return serialized;
  } catch (error) {
    ctx.errors.push(new GraphQLError((error as Error).message, { path: [...path] }));
    return null;
  }
}

function invalidObject(coordinate: string, path: Array<string | number>, ctx: ShapeContext): null {
  ctx.errors.push(new GraphQLError(`Expected an object for field "${coordinate}".`, { path: [...path] }));
  return null;
}

/** Whether an error was already reported at this path or below it (the cause of the null). */
function hasErrorAt(errors: readonly GraphQLError[], path: ReadonlyArray<string | number>): boolean {
  for (const error of errors) {
    const errorPath = error.path;
    if (errorPath === undefined || errorPath.length < path.length) continue;
    let prefix = true;
    for (let index = 0; index < path.length && prefix; index++) prefix = errorPath[index] === path[index];
    if (prefix) return true;
  }
  return false;
}
