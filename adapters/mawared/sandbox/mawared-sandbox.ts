import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { FaultInjector, startJsonHttpServer, type JsonRequest, type JsonResponse, type RunningServer, type SandboxOptions } from '../../kit/index.js';
import { applyODataQuery, parseODataQuery, ODataQueryError, type ODataIndex } from './odata-query.js';
import { generateSeedData, SEED_AS_OF, type EmployeeRow, type EntityRow, type SeedData } from './seed.js';

/**
 * A stand-in for Mawared's OData v4 JSON API (OData JSON Format v4.01).
 *
 *   GET  /odata/v4/                          service document
 *   GET  /odata/v4/<EntitySet>?$filter=..&$select=..&$orderby=..&$top=..&$skip=..&$count=true
 *   GET  /odata/v4/<EntitySet>('<key>')      one entity, 404 when absent
 *   POST /odata/v4/SecondmentRequests        create; `Repeatability-Request-ID` makes it idempotent
 *                                            (OData v4.01 Part 1 §8.2.8 repeatable requests)
 *   GET  /odata/v4/EmploymentChanges?$filter=Sequence gt N&$orderby=Sequence
 *                                            the change feed: employments started and ended, in order
 *   POST /__sandbox/employment-changes       (sandbox control) start or end an employment, as HR
 *                                            staff would in Mawared: the employee's status changes
 *                                            and a row is appended to the change feed
 *
 * Answers carry `@odata.context`, `@odata.count`, `@odata.nextLink` (server-driven paging) and OData
 * error bodies `{ "error": { "code", "message" } }`. Seeded at start, deterministically, in memory.
 */
export const ODATA_ROOT = '/odata/v4';
const MAX_TOP = 1000;
const SERVER_PAGE_SIZE = 100;

export interface SecondmentRow {
  readonly Id: string;
  readonly RequestKey: string;
  readonly EmployeeNumber: string;
  readonly HomeState: string;
  readonly HomeCode: string;
  readonly HostState: string;
  readonly HostCode: string;
  readonly StartDate: string;
  readonly EndDate: string;
  readonly Reason: string | null;
  readonly Status: 'Submitted' | 'Approved' | 'Rejected';
  readonly SubmittedAt: string;
}

/** One row of the change feed: an employment started or ended. */
export interface EmploymentChangeRow {
  /** Position in the feed, from 1, without gaps. */
  readonly Sequence: number;
  readonly Id: string;
  readonly Kind: 'Started' | 'Ended';
  readonly EmployeeNumber: string;
  readonly NationalId: string;
  readonly IssuingState: string;
  readonly Nationality: string;
  readonly EntityState: string;
  readonly EntityCode: string;
  /** First day (Started) or last day (Ended). */
  readonly Date: string;
  /** Why it ended: Resignation, Retirement, EndOfContract, Termination, Death, Transfer, Other. */
  readonly Reason: string | null;
  readonly Grade: string;
  readonly RecordedAt: string;
}

/** The sandbox control endpoint that records an employment change. */
export const EMPLOYMENT_CHANGES_PATH = '/__sandbox/employment-changes';
const END_REASONS = ['Resignation', 'Retirement', 'EndOfContract', 'Termination', 'Death', 'Transfer', 'Other'];

interface EntitySet {
  /** The rows, or a function that produces them on first need. */
  readonly rows: readonly object[] | (() => readonly object[]);
  readonly key: string;
  readonly fields: ReadonlySet<string>;
  readonly indexes: ReadonlyMap<string, ODataIndex<object>>;
}

/** Rows by the value of each of `fields`, each index built on first use so the sandbox starts fast. */
function indexBy(rows: readonly object[], fields: readonly string[]): Map<string, ODataIndex<object>> {
  const indexes = new Map<string, ODataIndex<object>>();
  for (const field of fields) {
    let index: Map<unknown, object[]> | undefined;
    indexes.set(field, {
      get: (value) => {
        if (index === undefined) {
          index = new Map();
          for (const row of rows) {
            const key = (row as Record<string, unknown>)[field];
            const bucket = index.get(key);
            if (bucket === undefined) index.set(key, [row]);
            else bucket.push(row);
          }
        }
        return index.get(value);
      },
    });
  }
  return indexes;
}

function entitySet(rows: readonly object[], key: string, indexed: readonly string[], sample: object): EntitySet {
  return { rows, key, fields: new Set(Object.keys(sample)), indexes: indexBy(rows, [key, ...indexed]) };
}

/** Payroll rows are made per employee on first use; a query by employee never materialises the rest. */
function payrollSet(data: SeedData): EntitySet {
  let sample: object | undefined;
  for (const employee of data.employees) {
    sample = data.payrollFor(employee.EmployeeNumber)[0];
    if (sample !== undefined) break;
  }
  if (sample === undefined) throw new Error('no payroll in the seed');
  const byEmployee: ODataIndex<object> = { get: (value) => (typeof value === 'string' ? data.payrollFor(value) : undefined) };
  const byId: ODataIndex<object> = {
    get: (value) => {
      if (typeof value !== 'string') return undefined;
      const row = data.payrollFor(value.slice(0, value.lastIndexOf('-', value.length - 4))).find((r) => r.Id === value);
      return row === undefined ? undefined : [row];
    },
  };
  return { rows: () => data.allPayroll(), key: 'Id', fields: new Set(Object.keys(sample)), indexes: new Map([['EmployeeNumber', byEmployee], ['Id', byId]]) };
}

const SECONDMENT_FIELDS: SecondmentRow = {
  Id: '', RequestKey: '', EmployeeNumber: '', HomeState: '', HomeCode: '', HostState: '', HostCode: '', StartDate: '', EndDate: '', Reason: null, Status: 'Submitted', SubmittedAt: '',
};

const CHANGE_FIELDS: EmploymentChangeRow = {
  Sequence: 0, Id: '', Kind: 'Started', EmployeeNumber: '', NationalId: '', IssuingState: '', Nationality: '', EntityState: '', EntityCode: '', Date: '', Reason: null, Grade: '', RecordedAt: '',
};

/** The sandbox's in-memory database: seeded sets plus the secondment requests written at run time. */
class MawaredStore {
  readonly sets: Map<string, EntitySet>;
  readonly #employees: ReadonlyMap<string, EmployeeRow>;
  readonly #entities: ReadonlySet<string>;
  readonly #secondments: SecondmentRow[] = [];
  readonly #changes: EmploymentChangeRow[] = [];
  /** Repeatable requests: key -> the request body first sent with it and the row it created. */
  readonly #byRequestKey = new Map<string, { body: unknown; row: SecondmentRow }>();
  #sequence = 0;

  constructor(data: SeedData) {
    const first = <T extends object>(rows: readonly T[]): T => {
      if (rows[0] === undefined) throw new Error('empty seed set');
      return rows[0];
    };
    this.sets = new Map<string, EntitySet>([
      ['GovernmentEntities', entitySet(data.entities, 'Code', ['State'], first(data.entities))],
      ['OrganizationUnits', entitySet(data.units, 'Id', ['EntityCode', 'ParentId'], first(data.units))],
      ['Positions', entitySet(data.positions, 'Id', ['UnitId'], first(data.positions))],
      ['Employees', entitySet(data.employees, 'EmployeeNumber', ['NationalId', 'EntityCode'], first(data.employees))],
      ['EmploymentRecords', entitySet(data.employmentRecords, 'Id', ['EmployeeNumber'], first(data.employmentRecords))],
      ['PayrollSummaries', payrollSet(data)],
      ['BudgetLines', entitySet(data.budgetLines, 'Id', ['EntityCode'], first(data.budgetLines))],
    ]);
    this.#employees = new Map(data.employees.map((e) => [e.EmployeeNumber, e]));
    this.#entities = new Set(data.entities.map((e: EntityRow) => `${e.State}:${e.Code}`));
    this.#refreshSecondments();
    this.#refreshChanges();
  }

  #refreshChanges(): void {
    this.sets.set('EmploymentChanges', {
      rows: this.#changes,
      key: 'Id',
      fields: new Set(Object.keys(CHANGE_FIELDS)),
      indexes: indexBy(this.#changes, ['Id', 'EmployeeNumber']),
    });
  }

  /**
   * Starts or ends an employment (sandbox control): changes the employee's status and appends to the
   * change feed, which the adapter follows to publish `gcc.hr.employment.*` events.
   */
  recordEmploymentChange(body: unknown): JsonResponse {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return odataError(400, 'BadRequest', 'The request body must be a JSON object.');
    const input = body as Record<string, unknown>;
    const employee = typeof input['employeeNumber'] === 'string' ? this.#employees.get(input['employeeNumber']) : undefined;
    if (employee === undefined) return odataError(404, 'NotFound', `No employee '${String(input['employeeNumber'])}'.`);
    const kind = input['kind'];
    if (kind !== 'Started' && kind !== 'Ended') return odataError(400, 'BadRequest', 'kind must be "Started" or "Ended".');
    const date = input['date'] ?? new Date().toISOString().slice(0, 10);
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return odataError(400, 'BadRequest', 'date must be YYYY-MM-DD.');
    const reason = kind === 'Ended' ? (input['reason'] ?? 'EndOfContract') : null;
    if (reason !== null && (typeof reason !== 'string' || !END_REASONS.includes(reason))) return odataError(400, 'BadRequest', `reason must be one of ${END_REASONS.join(', ')}.`);
    if (kind === 'Ended' && employee.Status === 'Ended') return odataError(409, 'Conflict', `Employee '${employee.EmployeeNumber}' is no longer in service.`);
    if (kind === 'Started' && employee.Status !== 'Ended') return odataError(409, 'Conflict', `Employee '${employee.EmployeeNumber}' is already in service.`);
    // The seed's rows are plain objects; the sandbox owns them and changes them like Mawared would.
    (employee as { Status: EmployeeRow['Status'] }).Status = kind === 'Ended' ? 'Ended' : 'Active';
    const sequence = this.#changes.length + 1;
    const row: EmploymentChangeRow = {
      Sequence: sequence,
      Id: `CHG-${String(sequence).padStart(6, '0')}`,
      Kind: kind,
      EmployeeNumber: employee.EmployeeNumber,
      NationalId: employee.NationalId,
      IssuingState: employee.IssuingState,
      Nationality: employee.Nationality,
      EntityState: employee.EntityState,
      EntityCode: employee.EntityCode,
      Date: date,
      Reason: reason as string | null,
      Grade: employee.Grade,
      RecordedAt: new Date().toISOString(),
    };
    this.#changes.push(row);
    this.#refreshChanges();
    return { status: 201, body: entityBody('EmploymentChanges', row), headers: { 'odata-version': '4.0' } };
  }

  #refreshSecondments(): void {
    this.sets.set('SecondmentRequests', {
      rows: this.#secondments,
      key: 'Id',
      fields: new Set(Object.keys(SECONDMENT_FIELDS)),
      indexes: indexBy(this.#secondments, ['Id', 'RequestKey', 'EmployeeNumber']),
    });
  }

  /** Creates a secondment request, or replays the one created earlier with the same request key. */
  createSecondment(body: unknown, requestKey: string | undefined): JsonResponse {
    if (requestKey !== undefined) {
      const earlier = this.#byRequestKey.get(requestKey);
      if (earlier !== undefined) {
        if (!isDeepStrictEqual(earlier.body, body)) {
          return odataError(422, 'RepeatabilityConflict', `Repeatability-Request-ID '${requestKey}' was already used with a different request body.`);
        }
        return { status: 200, body: entityBody('SecondmentRequests', earlier.row), headers: { 'odata-version': '4.0', 'repeatability-result': 'accepted' } };
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return odataError(400, 'BadRequest', 'The request body must be a JSON object.');
    const input = body as Record<string, unknown>;
    const text = (name: string, max = 64): string | undefined => (typeof input[name] === 'string' && (input[name] as string).length <= max ? (input[name] as string) : undefined);
    const employeeNumber = text('EmployeeNumber');
    const hostState = text('HostState');
    const hostCode = text('HostCode');
    const startDate = text('StartDate');
    const endDate = text('EndDate');
    const reason = input['Reason'] === undefined || input['Reason'] === null ? null : text('Reason', 500);
    if (employeeNumber === undefined || hostState === undefined || hostCode === undefined || startDate === undefined || endDate === undefined || reason === undefined) {
      return odataError(400, 'BadRequest', 'EmployeeNumber, HostState, HostCode, StartDate and EndDate are required strings; Reason is an optional string of at most 500 characters.');
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || !/^\d{4}-\d{2}-\d{2}$/.test(endDate) || endDate < startDate) {
      return odataError(400, 'BadRequest', 'StartDate and EndDate must be dates (YYYY-MM-DD), EndDate not before StartDate.');
    }
    const employee = this.#employees.get(employeeNumber);
    if (employee === undefined) return odataError(404, 'NotFound', `No employee '${employeeNumber}'.`);
    if (!this.#entities.has(`${hostState}:${hostCode}`)) return odataError(400, 'BadRequest', `No government entity '${hostState}:${hostCode}'.`);
    if (employee.EntityState === hostState && employee.EntityCode === hostCode) return odataError(400, 'BadRequest', 'The host entity is the employee\u2019s own entity.');
    if (employee.Status === 'Ended') return odataError(400, 'BadRequest', `Employee '${employeeNumber}' is no longer in service.`);
    this.#sequence += 1;
    const row: SecondmentRow = {
      Id: `SEC-${String(this.#sequence).padStart(6, '0')}`,
      RequestKey: requestKey ?? `auto-${this.#sequence}`,
      EmployeeNumber: employeeNumber,
      HomeState: employee.EntityState,
      HomeCode: employee.EntityCode,
      HostState: hostState,
      HostCode: hostCode,
      StartDate: startDate,
      EndDate: endDate,
      Reason: reason,
      Status: 'Submitted',
      SubmittedAt: new Date().toISOString(),
    };
    this.#secondments.push(row);
    if (requestKey !== undefined) this.#byRequestKey.set(requestKey, { body, row });
    this.#refreshSecondments();
    return { status: 201, body: entityBody('SecondmentRequests', row), headers: { 'odata-version': '4.0', location: `${ODATA_ROOT}/SecondmentRequests('${row.Id}')`, ...(requestKey !== undefined ? { 'repeatability-result': 'accepted' } : {}) } };
  }
}

export async function startMawaredSandbox(options: SandboxOptions = {}): Promise<RunningServer> {
  const logger: Logger | undefined = options.logger;
  const store = new MawaredStore(generateSeedData());
  const server = await startJsonHttpServer((request) => route(store, request), {
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    onError: (error) => logger?.error({ err: error }, 'mawared sandbox error'),
    faults: new FaultInjector(options.faults),
  });
  return { url: `${server.url}${ODATA_ROOT}`, close: () => server.close() };
}

const KEY_PATH = /^([A-Za-z]+)\('((?:[^']|'')*)'\)$/;

function route(store: MawaredStore, request: JsonRequest): JsonResponse {
  const path = request.url.pathname;
  if (path === EMPLOYMENT_CHANGES_PATH) {
    if (request.method !== 'POST') return odataError(405, 'MethodNotAllowed', `Use POST on ${path}.`);
    return store.recordEmploymentChange(request.body);
  }
  if (path === ODATA_ROOT || path === `${ODATA_ROOT}/`) {
    if (request.method !== 'GET') return odataError(405, 'MethodNotAllowed', `The ${request.method} method is not allowed on ${path}.`);
    return {
      status: 200,
      body: { '@odata.context': `${ODATA_ROOT}/$metadata`, 'Mawared.AsOf': SEED_AS_OF, value: [...store.sets.keys()].map((name) => ({ name, kind: 'EntitySet', url: name })) },
      headers: { 'odata-version': '4.0' },
    };
  }
  if (!path.startsWith(`${ODATA_ROOT}/`)) return odataError(404, 'NotFound', `No resource at ${path}.`);
  const resource = decodeURIComponent(path.slice(ODATA_ROOT.length + 1));
  if (resource === 'SecondmentRequests' && request.method === 'POST') {
    const key = request.headers['repeatability-request-id'];
    if (key !== undefined && (typeof key !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(key))) return odataError(400, 'BadRequest', 'Repeatability-Request-ID must be 1 to 64 letters, digits, ".", "_" or "-".');
    return store.createSecondment(request.body, key);
  }
  if (request.method !== 'GET') return odataError(405, 'MethodNotAllowed', `The ${request.method} method is not allowed on ${path}.`);
  const keyed = KEY_PATH.exec(resource);
  if (keyed !== null) {
    const set = store.sets.get(keyed[1] as string);
    if (set === undefined) return odataError(404, 'NotFound', `No entity set '${keyed[1]}'.`);
    const key = (keyed[2] as string).replace(/''/g, "'");
    const row = set.indexes.get(set.key)?.get(key)?.[0];
    return row === undefined ? odataError(404, 'NotFound', `No entity with key '${key}' in '${keyed[1]}'.`) : { status: 200, body: entityBody(keyed[1] as string, row), headers: { 'odata-version': '4.0' } };
  }
  const set = store.sets.get(resource);
  if (set === undefined) return odataError(404, 'NotFound', `No resource at ${path}.`);
  return collection(request, resource, set);
}

function entityBody(set: string, row: object): Record<string, unknown> {
  return { '@odata.context': `${ODATA_ROOT}/$metadata#${set}/$entity`, ...row };
}

function collection(request: JsonRequest, name: string, set: EntitySet): JsonResponse {
  let query;
  try {
    query = parseODataQuery(request.url.searchParams, set.fields, MAX_TOP);
  } catch (error) {
    if (error instanceof ODataQueryError) return odataError(400, 'BadRequest', error.message);
    throw error;
  }
  // Server-driven paging (OData JSON Format §4.5.5): at most 100 rows per response without $top.
  const pageSize = query.top ?? SERVER_PAGE_SIZE;
  const { value, count } = applyODataQuery(set.rows, { ...query, top: pageSize }, set.indexes);
  const body: Record<string, unknown> = { '@odata.context': `${ODATA_ROOT}/$metadata#${name}` };
  if (query.count) body['@odata.count'] = count;
  body['value'] = value;
  if (query.top === undefined && query.skip + value.length < count) {
    const next = new URLSearchParams(request.url.searchParams);
    next.set('$skip', String(query.skip + value.length));
    body['@odata.nextLink'] = `${ODATA_ROOT}/${name}?${next.toString()}`;
  }
  return { status: 200, body, headers: { 'odata-version': '4.0' } };
}

function odataError(status: number, code: string, message: string): JsonResponse {
  return { status, body: { error: { code, message } }, headers: { 'odata-version': '4.0' } };
}
