/**
 * The subset of OData v4 system query options the Mawared sandbox understands
 * (OData v4.01 Part 2, URL Conventions §5.1): $filter with `eq`, `ne`, `gt`, `ge`, `lt`, `le`
 * joined by `and`, string literals in single quotes ('' escapes a quote), integers; $select,
 * $orderby (`Field [asc|desc]`, comma-separated), $top, $skip, $count=true.
 */
export interface ODataComparison {
  readonly field: string;
  readonly op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
  readonly value: string | number | null;
}

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

/** Tokenises `A eq 'x' and B gt 3`: fields, operators, quoted strings, numbers, null. */
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
    const literal = tokens[i + 2];
    if (field === undefined || op === undefined || literal === undefined || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) {
      throw new ODataQueryError(`Syntax error in $filter near '${tokens.slice(i, i + 3).join(' ')}'.`);
    }
    comparisons.push({ field, op: op as ODataComparison['op'], value: parseLiteral(literal) });
    i += 3;
    if (i < tokens.length) {
      if (tokens[i] !== 'and') throw new ODataQueryError(`Only 'and' may join comparisons in $filter; found '${tokens[i]}'.`);
      i += 1;
      if (i >= tokens.length) throw new ODataQueryError(`$filter ends after 'and'.`);
    }
  }
  return comparisons;
}

function parseLiteral(token: string): string | number | null {
  if (token.startsWith("'")) {
    if (token.length < 2 || !token.endsWith("'")) throw new ODataQueryError(`Unterminated string literal in $filter.`);
    return token.slice(1, -1).replace(/''/g, "'");
  }
  if (token === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  throw new ODataQueryError(`Unsupported literal '${token}' in $filter.`);
}

/** Applies a parsed query to in-memory rows: the sandbox's stand-in for the database. */
export function applyODataQuery<T extends object>(rows: readonly T[], query: ODataQuery): { value: Array<Partial<T>>; count: number } {
  const get = (row: T, field: string): unknown => (row as Record<string, unknown>)[field];
  const matching = rows.filter((row) =>
    query.filter.every(({ field, op, value }) => {
      const actual = get(row, field) as string | number | null;
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
