import { AdapterError } from '../kit/index.js';
import type { ODataFilterTerm, ODataQueryOptions } from './odata-request.js';

/** Mawared is Qatar's government resource planning system: Qatar's own clients see every record. */
export const MAWARED_HOME_STATE = 'QA';

const MEMBER_STATES: ReadonlySet<string> = new Set(['BH', 'KW', 'OM', 'QA', 'SA', 'AE']);

/**
 * Which person-level records (employees, their employment history and payroll, anything that
 * identifies a person) a caller may see. The gateway's access policy decides which *fields* a client
 * may use; this decides which *rows*: a client of another member state sees Mawared's records only
 * of its own nationals (a state verifies employment and pension rights of its citizens working for
 * Qatar's government, not of anyone else). Aggregates that are not person-level (entities, units,
 * positions, headcounts, budgets) are not filtered.
 *
 * The caller is the ClientId the gateway forwards (`SubgraphRequestContext.clientId`: the context
 * value in-process, the `x-gccgw-client-id` header over HTTP). The gateway always sets it after
 * authenticating the client; a request without one comes straight to the subgraph (adapter tests,
 * or a standalone subgraph reached without the gateway) and is not filtered, which is why a remote
 * subgraph must only be reachable by the gateway (mutual TLS between gateway and subgraph).
 * A ClientId that cannot be read is refused for person-level data (fail closed).
 */
export type RowScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'nationals'; readonly nationality: string; readonly clientId: string }
  | { readonly kind: 'none'; readonly clientId: string };

const ALL: RowScope = { kind: 'all' };

/** The row scope of the request whose GraphQL context is `context`. */
export function rowScopeOf(context: unknown): RowScope {
  const clientId = typeof context === 'object' && context !== null ? (context as { clientId?: unknown }).clientId : undefined;
  if (clientId === undefined || clientId === null) return ALL;
  if (typeof clientId !== 'string') return { kind: 'none', clientId: String(clientId) };
  // GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]; only the state matters here.
  const parts = clientId.split(':');
  const state = parts[1];
  if (parts[0] !== 'GCC' || parts.length < 4 || parts.length > 5 || state === undefined || !MEMBER_STATES.has(state)) return { kind: 'none', clientId };
  return state === MAWARED_HOME_STATE ? ALL : { kind: 'nationals', nationality: state, clientId };
}

function rowDenied(scope: Exclude<RowScope, { kind: 'all' }>, what: string): AdapterError {
  const message =
    scope.kind === 'none'
      ? `Mawared cannot tell which records ${scope.clientId} may see, so it shows it no ${what}`
      : `This ${what} is outside what ${scope.clientId} may see in Mawared: a client of ${scope.nationality} sees person-level records of ${scope.nationality} nationals only`;
  return new AdapterError('ERR_POLICY_ROW_DENIED', message, { adapter: 'mawared' });
}

/** Whether the scope restricts rows at all (so that callers fetch `Nationality` only when needed). */
export function isRestricted(scope: RowScope): boolean {
  return scope.kind !== 'all';
}

/**
 * An `Employees` query limited to the rows the scope may see, with the condition in `$filter` so
 * that `$count` (totalCount) and paging stay correct.
 */
export function restrictEmployeeQuery(scope: RowScope, query: ODataQueryOptions): ODataQueryOptions {
  if (scope.kind === 'all') return query;
  if (scope.kind === 'none') throw rowDenied(scope, 'employee list');
  const term: ODataFilterTerm = { field: 'Nationality', op: 'eq', value: scope.nationality };
  return { ...query, filter: [...(query.filter ?? []), term] };
}

/**
 * Throws `ERR_POLICY_ROW_DENIED` unless the scope may see the person of this employee row.
 * The row must carry `Nationality` whenever the scope is restricted (see `isRestricted`); a row
 * without it is refused rather than guessed about.
 */
export function assertEmployeeVisible(scope: RowScope, row: { readonly Nationality?: string | undefined }, what = 'employee record'): void {
  if (scope.kind === 'all') return;
  if (scope.kind === 'none' || row.Nationality !== scope.nationality) throw rowDenied(scope, what);
}
