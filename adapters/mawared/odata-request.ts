/**
 * Builds OData v4 query strings (OData v4.01 Part 2, URL Conventions §5.1): `$filter` from typed
 * comparisons and `contains` joined by `and`, `$select`, `$orderby`, `$top`, `$skip`, `$count`. Every value is
 * written as a typed literal by `odataLiteral` (strings quoted, `'` doubled, §5.1.1.6.1), so caller
 * input never changes the shape of the query.
 */
export type ODataLiteralValue = string | number | boolean | null;

export type ODataFilterTerm =
  | { readonly field: string; readonly op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; readonly value: ODataLiteralValue }
  | { readonly field: string; readonly op: 'in'; readonly value: readonly ODataLiteralValue[] }
  /** `contains(Field,'text')` (URL Conventions §5.1.1.7.1). */
  | { readonly field: string; readonly op: 'contains'; readonly value: string };

export interface ODataQueryOptions {
  readonly filter?: readonly ODataFilterTerm[];
  readonly select?: readonly string[];
  readonly orderBy?: readonly string[];
  readonly top?: number;
  readonly skip?: number;
  readonly count?: boolean;
}

const PROPERTY = /^[A-Z][A-Za-z0-9]*$/;

/** Quotes a string as an OData literal: single quotes, with `'` doubled (URL Conventions §5.1.1.6.1). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function odataLiteral(value: ODataLiteralValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return odataString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new TypeError('OData numbers must be finite');
  return String(value);
}

function property(name: string): string {
  // Property names come from our own mapping tables, never from callers; refuse anything else loudly.
  if (!PROPERTY.test(name)) throw new TypeError(`not an OData property name: ${name}`);
  return name;
}

export function odataFilter(terms: readonly ODataFilterTerm[]): string {
  return terms
    .map((term) => {
      if (term.op === 'in') return `${property(term.field)} in (${term.value.map(odataLiteral).join(',')})`;
      if (term.op === 'contains') return `contains(${property(term.field)},${odataString(term.value)})`;
      return `${property(term.field)} ${term.op} ${odataLiteral(term.value)}`;
    })
    .join(' and ');
}

/** The query options in a fixed order ($filter, $select, $orderby, $top, $skip, $count), as URL parameters. */
export function odataQueryParams(options: ODataQueryOptions): URLSearchParams {
  const params = new URLSearchParams();
  if (options.filter !== undefined && options.filter.length > 0) params.set('$filter', odataFilter(options.filter));
  if (options.select !== undefined && options.select.length > 0) params.set('$select', [...new Set(options.select)].map(property).join(','));
  if (options.orderBy !== undefined && options.orderBy.length > 0) {
    params.set('$orderby', options.orderBy.map((item) => {
      const [name = '', direction] = item.split(' ');
      if (direction !== undefined && direction !== 'asc' && direction !== 'desc') throw new TypeError(`bad $orderby direction: ${item}`);
      return direction === undefined ? property(name) : `${property(name)} ${direction}`;
    }).join(','));
  }
  if (options.top !== undefined) params.set('$top', String(options.top));
  if (options.skip !== undefined && options.skip > 0) params.set('$skip', String(options.skip));
  if (options.count === true) params.set('$count', 'true');
  return params;
}
