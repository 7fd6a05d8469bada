import { assertCountryCode, assertDate, assertEntityCode, assertGrade, assertMemberState, assertUnitId, badUserInput } from './mawared-input.js';
import type { ODataFilterTerm, ODataQueryOptions } from './odata-request.js';

/**
 * How the GraphQL schema maps onto Mawared's OData entity sets: which properties each GraphQL field
 * needs (for `$select`), and how arguments become `$filter`, `$orderby`, `$top`, `$skip`, `$count`.
 * Pure functions, tested against a table of inputs and expected query options.
 */
type FieldMap = Readonly<Record<string, readonly string[]>>;

export const ENTITY_PROPERTIES: FieldMap = {
  state: ['State'],
  code: ['Code'],
  name: ['NameEn', 'NameAr'],
  kind: ['Kind'],
  headcount: ['Headcount'],
  parent: ['ParentState', 'ParentCode'],
};
export const ENTITY_KEY = ['State', 'Code'] as const;

export const EMPLOYEE_PROPERTIES: FieldMap = {
  employeeNumber: ['EmployeeNumber'],
  nationalId: ['NationalId'],
  issuingState: ['IssuingState'],
  nationality: ['Nationality'],
  name: ['NameEn', 'NameAr'],
  gender: ['Gender'],
  dateOfBirth: ['DateOfBirth'],
  entity: ['EntityState', 'EntityCode'],
  unit: ['UnitId'],
  position: ['PositionId'],
  grade: ['Grade'],
  hireDate: ['HireDate'],
  status: ['Status'],
  workArrangement: ['WorkArrangement'],
};
export const EMPLOYEE_KEY = ['EmployeeNumber'] as const;

/** Key properties first, then those of the selected fields; fields that need no property (relations, other subgraphs' fields) add none. */
export function selectProperties(map: FieldMap, key: readonly string[], fields: Iterable<string>): string[] {
  const properties = new Set<string>(key);
  for (const field of fields) for (const property of map[field] ?? []) properties.add(property);
  return [...properties];
}

export const EMPLOYMENT_STATUS_TO_ODATA: Readonly<Record<string, string>> = { ACTIVE: 'Active', ON_LEAVE: 'OnLeave', SECONDED: 'Seconded', ENDED: 'Ended' };
export const ENTITY_KIND_TO_ODATA: Readonly<Record<string, string>> = { MINISTRY: 'Ministry', AUTHORITY: 'Authority', COUNCIL: 'Council', AGENCY: 'Agency', CORPORATION: 'Corporation' };

export interface EntityListArgs {
  readonly state?: string | null;
  readonly kind?: string | null;
}

export function entityListQuery(args: EntityListArgs, page: { skip: number; top: number }, fields: Iterable<string>): ODataQueryOptions {
  const filter: ODataFilterTerm[] = [];
  if (args.state != null) filter.push({ field: 'State', op: 'eq', value: assertMemberState(args.state, 'state') });
  if (args.kind != null) {
    const kind = ENTITY_KIND_TO_ODATA[args.kind];
    if (kind === undefined) throw badUserInput(`"kind" is not an entity kind: ${args.kind}`);
    filter.push({ field: 'Kind', op: 'eq', value: kind });
  }
  return { filter, select: selectProperties(ENTITY_PROPERTIES, ENTITY_KEY, fields), orderBy: ['State asc', 'Code asc'], top: page.top, skip: page.skip, count: true };
}

export function entityByKeyQuery(state: string, code: string, fields: Iterable<string>): ODataQueryOptions {
  return {
    filter: [
      { field: 'State', op: 'eq', value: state },
      { field: 'Code', op: 'eq', value: code },
    ],
    select: selectProperties(ENTITY_PROPERTIES, ENTITY_KEY, fields),
    top: 1,
  };
}

export interface EmployeeFilterInput {
  readonly entity?: { readonly state: string; readonly code: string } | null;
  readonly unitId?: string | null;
  readonly status?: string | null;
  readonly nationality?: string | null;
  readonly grade?: string | null;
  readonly hiredFrom?: string | null;
  readonly hiredTo?: string | null;
  readonly nameContains?: string | null;
}

const ARABIC_LETTER = /[\u0600-\u06FF]/;
const LATIN_LETTER = /[A-Za-z]/;

/**
 * `nameContains` -> `contains(NameEn,...)` or `contains(NameAr,...)`. Mawared's `$filter` has no `or`,
 * so one search cannot look in both names: the script of the text picks the property, and text in
 * both scripts is refused, as are wildcards, which `contains` would match literally.
 */
function nameTerm(text: string): ODataFilterTerm {
  const trimmed = text.trim();
  if (trimmed.length < 2 || trimmed.length > 50) throw badUserInput('"filter.nameContains" must be 2 to 50 characters');
  if (/[*%?_]/.test(trimmed)) throw badUserInput('"filter.nameContains" matches text as written; wildcards (* % ? _) are not supported');
  const arabic = ARABIC_LETTER.test(trimmed);
  const latin = LATIN_LETTER.test(trimmed);
  if (arabic && latin) throw badUserInput('"filter.nameContains" cannot mix Arabic and Latin script: Mawared searches the Arabic or the English name, not both at once');
  if (!arabic && !latin) throw badUserInput('"filter.nameContains" must contain letters');
  return { field: arabic ? 'NameAr' : 'NameEn', op: 'contains', value: trimmed };
}

const EMPLOYEE_ORDER: Readonly<Record<string, readonly string[]>> = {
  EMPLOYEE_NUMBER: ['EmployeeNumber asc'],
  HIRE_DATE_DESC: ['HireDate desc', 'EmployeeNumber asc'],
  NAME_EN: ['NameEn asc', 'EmployeeNumber asc'],
};

/** `employees(filter, orderBy, first, after)`; throws ERR_BAD_USER_INPUT for values the upstream could not match anyway. */
export function employeeListQuery(filter: EmployeeFilterInput | null | undefined, orderBy: string | null | undefined, page: { skip: number; top: number }, fields: Iterable<string>): ODataQueryOptions {
  const terms: ODataFilterTerm[] = [];
  if (filter?.entity != null) {
    terms.push({ field: 'EntityState', op: 'eq', value: assertMemberState(filter.entity.state, 'filter.entity.state') });
    terms.push({ field: 'EntityCode', op: 'eq', value: assertEntityCode(filter.entity.code, 'filter.entity.code') });
  }
  if (filter?.unitId != null) terms.push({ field: 'UnitId', op: 'eq', value: assertUnitId(filter.unitId, 'filter.unitId') });
  if (filter?.status != null) {
    const status = EMPLOYMENT_STATUS_TO_ODATA[filter.status];
    if (status === undefined) throw badUserInput(`"filter.status" is not an employment status: ${filter.status}`);
    terms.push({ field: 'Status', op: 'eq', value: status });
  }
  if (filter?.nationality != null) terms.push({ field: 'Nationality', op: 'eq', value: assertCountryCode(filter.nationality, 'filter.nationality') });
  if (filter?.grade != null) terms.push({ field: 'Grade', op: 'eq', value: assertGrade(filter.grade) });
  if (filter?.hiredFrom != null) terms.push({ field: 'HireDate', op: 'ge', value: assertDate(filter.hiredFrom, 'filter.hiredFrom') });
  if (filter?.hiredTo != null) terms.push({ field: 'HireDate', op: 'le', value: assertDate(filter.hiredTo, 'filter.hiredTo') });
  if (filter?.nameContains != null) terms.push(nameTerm(filter.nameContains));
  if (filter?.hiredFrom != null && filter.hiredTo != null && filter.hiredFrom > filter.hiredTo) {
    throw badUserInput(`"filter.hiredFrom" (${filter.hiredFrom}) must not be after "filter.hiredTo" (${filter.hiredTo})`);
  }
  const order = EMPLOYEE_ORDER[orderBy ?? 'EMPLOYEE_NUMBER'];
  if (order === undefined) throw badUserInput(`"orderBy" is not an employee order: ${orderBy}`);
  return { filter: terms, select: selectProperties(EMPLOYEE_PROPERTIES, EMPLOYEE_KEY, fields), orderBy: order, top: page.top, skip: page.skip, count: true };
}

export function employeeByNationalIdQuery(nationalId: string, issuingState: string, fields: Iterable<string>): ODataQueryOptions {
  return {
    filter: [
      { field: 'NationalId', op: 'eq', value: nationalId },
      { field: 'IssuingState', op: 'eq', value: issuingState },
    ],
    select: selectProperties(EMPLOYEE_PROPERTIES, EMPLOYEE_KEY, fields),
    top: 1,
  };
}

export function payrollQuery(employeeNumber: string, from: string, to: string): ODataQueryOptions {
  return {
    filter: [
      { field: 'EmployeeNumber', op: 'eq', value: employeeNumber },
      { field: 'Month', op: 'ge', value: from },
      { field: 'Month', op: 'le', value: to },
    ],
    orderBy: ['Month asc'],
    top: 1000,
  };
}

/** The latest payroll month on or before `month`: the salary in force at a date. */
export function payrollAsOfQuery(employeeNumber: string, month: string): ODataQueryOptions {
  return {
    filter: [
      { field: 'EmployeeNumber', op: 'eq', value: employeeNumber },
      { field: 'Month', op: 'le', value: month },
    ],
    select: ['Month', 'Currency', 'Gross'],
    orderBy: ['Month desc'],
    top: 1,
  };
}

export function budgetLinesQuery(state: string, code: string, fiscalYear: number): ODataQueryOptions {
  return {
    filter: [
      { field: 'EntityState', op: 'eq', value: state },
      { field: 'EntityCode', op: 'eq', value: code },
      { field: 'FiscalYear', op: 'eq', value: fiscalYear },
    ],
    orderBy: ['LineCode asc'],
    top: 100,
  };
}
