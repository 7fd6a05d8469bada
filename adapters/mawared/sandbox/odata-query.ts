/**
 * The subset of OData v4 system query options the Mawared sandbox understands
 * (OData v4.01 Part 2, URL Conventions §5.1): $filter with `eq`, `ne`, `gt`, `ge`, `lt`, `le`
 * and `in` (§5.1.1.1.12, a parenthesised list), and `contains(Field,'text')`, joined by `and`, string literals in single quotes
 * ('' escapes a quote), numbers, true/false, null; $select, $orderby (`Field [asc|desc]`,
 * comma-separated), $top, $skip, $count=true.
 */
export type ODataLiteral = string | number | boolean | null;

export type ODataComparison =
  | { readonly field: string; readonly op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; readonly value: ODataLiteral }
  | { readonly field: string; readonly op: 'in'; readonly value: readonly ODataLiteral[] }
  | { readonly field: string; readonly op: 'contains'; readonly value: string };

export interface ODataQuery {
  readonly filter: readonly ODataComparison[];
  readonly select: readonly string[] | undefined;
  readonly orderBy: ReadonlyArray<{ field: string; descending: boolean }>;
  readonly top: number | undefined;
  readonly skip: number;
  readonly count: boolean;
}

export class ODataQueryError extends Error {
  override readonly name = 'ODataQueryError';
}

const FIELD = /^[A-Za-z][A-Za-z0-9]*$/;

export function parseODataQuery(params: URLSearchParams, fields: ReadonlySet<string>, maxTop: number): ODataQuery {
  const known = new Set(['$filter', '$select', '$orderby', '$top', '$skip', '$count']);
  for (const key of params.keys()) {
    if (key.startsWith('$') && !known.has(key)) throw new ODataQueryError(`The query option '${key}' is not supported.`);
  }
  const checkField = (field: string): string => {
    if (!FIELD.test(field) || !fields.has(field)) throw new ODataQueryError(`Could not find a property named '${field}'.`);
    return field;
  };
  const filterText = params.get('$filter');
  const filter = filterText === null ? [] : parseFilter(filterText).map((c) => ({ ...c, field: checkField(c.field) }));
  const selectText = params.get('$select');
  const select = selectText === null ? undefined : selectText.split(',').map((f) => checkField(f.trim()));
  const orderText = params.get('$orderby');
  const orderBy =
    orderText === null
      ? []
      : orderText.split(',').map((part) => {
          const [field = '', direction = 'asc', ...rest] = part.trim().split(/\s+/);
          if (rest.length > 0 || (direction !== 'asc' && direction !== 'desc')) throw new ODataQueryError(`Invalid $orderby '${part}'.`);
          return { field: checkField(field), descending: direction === 'desc' };
        });
  const top = parseNonNegative(params.get('$top'), '$top');
  if (top !== undefined && top > maxTop) throw new ODataQueryError(`$top must not exceed ${maxTop}.`);
  const skip = parseNonNegative(params.get('$skip'), '$skip') ?? 0;
  const countText = params.get('$count');
  if (countText !== null && countText !== 'true' && countText !== 'false') throw new ODataQueryError(`$count must be true or false.`);
  return { filter, select, orderBy, top, skip, count: countText === 'true' };
}

function parseNonNegative(text: string | null, name: string): number | undefined {
  if (text === null) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new ODataQueryError(`${name} must be a non-negative integer.`);
  return Number(text);
}

/** Tokenises `A eq 'x' and B in ('y','z')`: fields, operators, quoted strings, numbers, punctuation. */
function parseFilter(text: string): ODataComparison[] {
  const tokens: string[] = [];
  const pattern = /\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?|[A-Za-z][A-Za-z0-9]*|\S)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(text)) !== null) {
    tokens.push(match[1] as string);
    consumed = pattern.lastIndex;
  }
  if (text.slice(consumed).trim() !== '') throw new ODataQueryError(`Syntax error in $filter at position ${consumed}.`);
  const comparisons: ODataComparison[] = [];
  for (let i = 0; i < tokens.length; ) {
    const field = tokens[i];
    const op = tokens[i + 1];
    if (field === undefined || op === undefined) throw new ODataQueryError(`Syntax error in $filter near '${tokens.slice(i).join(' ')}'.`);
    if (field === 'contains' && op === '(') {
      // contains(Field,'text') (URL Conventions §5.1.1.7.1)
      const [name, comma, literal, close] = tokens.slice(i + 2, i + 6);
      if (name === undefined || comma !== ',' || literal === undefined || !literal.startsWith("'") || close !== ')') throw new ODataQueryError(`contains() takes a property and a string literal.`);
      comparisons.push({ field: name, op: 'contains', value: parseLiteral(literal) as string });
      i += 6;
    } else if (op === 'in') {
      if (tokens[i + 2] !== '(') throw new ODataQueryError(`'in' must be followed by a parenthesised list in $filter.`);
      const values: ODataLiteral[] = [];
      let j = i + 3;
      for (;;) {
        const literal = tokens[j];
        if (literal === undefined) throw new ODataQueryError(`Unterminated list in $filter.`);
        values.push(parseLiteral(literal));
        const separator = tokens[j + 1];
        j += 2;
        if (separator === ')') break;
        if (separator !== ',') throw new ODataQueryError(`Expected ',' or ')' in the list of $filter.`);
      }
      comparisons.push({ field, op: 'in', value: values });
      i = j;
    } else {
      const literal = tokens[i + 2];
      if (literal === undefined || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) {
        throw new ODataQueryError(`Syntax error in $filter near '${tokens.slice(i, i + 3).join(' ')}'.`);
      }
      comparisons.push({ field, op: op as 'eq', value: parseLiteral(literal) });
      i += 3;
    }
    if (i < tokens.length) {
      if (tokens[i] !== 'and') throw new ODataQueryError(`Only 'and' may join comparisons in $filter; found '${tokens[i]}'.`);
      i += 1;
      if (i >= tokens.length) throw new ODataQueryError(`$filter ends after 'and'.`);
    }
  }
  return comparisons;
}

function parseLiteral(token: string): ODataLiteral {
  if (token.startsWith("'")) {
    if (token.length < 2 || !token.endsWith("'")) throw new ODataQueryError(`Unterminated string literal in $filter.`);
    return token.slice(1, -1).replace(/''/g, "'");
  }
  if (token === 'null') return null;
  if (token === 'true' || token === 'false') return token === 'true';
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  throw new ODataQueryError(`Unsupported literal '${token}' in $filter.`);
}

/** Uses an index on a field compared with `eq` or `in` to avoid scanning every row (the sandbox's stand-in for database indexes). */
function narrow<T>(rows: readonly T[] | (() => readonly T[]), query: ODataQuery, indexes: ReadonlyMap<string, ODataIndex<T>> | undefined): readonly T[] {
  const all = (): readonly T[] => (typeof rows === 'function' ? rows() : rows);
  if (indexes === undefined) return all();
  for (const comparison of query.filter) {
    const index = indexes.get(comparison.field);
    if (index === undefined) continue;
    if (comparison.op === 'eq') return index.get(comparison.value) ?? [];
    if (comparison.op === 'in') return [...new Set(comparison.value)].flatMap((value) => index.get(value) ?? []);
  }
  return all();
}

/** Rows by the value of one property; rows may also be produced on demand (see the sandbox's payroll). */
export interface ODataIndex<T> {
  get(value: unknown): readonly T[] | undefined;
}

/** Applies a parsed query to in-memory rows: the sandbox's stand-in for the database. */
export function applyODataQuery<T extends object>(rows: readonly T[] | (() => readonly T[]), query: ODataQuery, indexes?: ReadonlyMap<string, ODataIndex<T>>): { value: Array<Partial<T>>; count: number } {
  const get = (row: T, field: string): unknown => (row as Record<string, unknown>)[field];
  const matching = narrow(rows, query, indexes).filter((row) =>
    query.filter.every((comparison) => {
      const actual = get(row, comparison.field) as ODataLiteral;
      if (comparison.op === 'in') return comparison.value.includes(actual);
      // The sandbox compares like a case-insensitive database collation.
      if (comparison.op === 'contains') return typeof actual === 'string' && actual.toLowerCase().includes(comparison.value.toLowerCase());
      const { op, value } = comparison;
      switch (op) {
        case 'eq':
          return actual === value;
        case 'ne':
          return actual !== value;
        case 'gt':
          return value !== null && actual !== null && actual > value;
        case 'ge':
          return value !== null && actual !== null && actual >= value;
        case 'lt':
          return value !== null && actual !== null && actual < value;
        case 'le':
          return value !== null && actual !== null && actual <= value;
      }
    }),
  );
  const sorted = [...matching].sort((a, b) => {
    for (const { field, descending } of query.orderBy) {
      const x = get(a, field) as string | number;
      const y = get(b, field) as string | number;
      if (x < y) return descending ? 1 : -1;
      if (x > y) return descending ? -1 : 1;
    }
    return 0;
  });
  const page = sorted.slice(query.skip, query.top === undefined ? undefined : query.skip + query.top);
  const value = query.select === undefined ? page : page.map((row) => Object.fromEntries(query.select!.map((f) => [f, get(row, f)])) as Partial<T>);
  return { value, count: matching.length };
}
