import { createHash } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import type { Logger } from 'pino';
import { AdapterError, pageWindow, toConnection, type AdapterEventSink, type SubgraphResolvers } from '../kit/index.js';
import type { MawaredClient } from './mawared-client.js';
import { createLoaderFactory, entityKey, type MawaredLoaders } from './mawared-loaders.js';
import { assertEmployeeVisible, isRestricted, restrictEmployeeQuery, rowScopeOf } from './mawared-row-scope.js';
import {
  assertClientKey,
  assertDate,
  assertEntityCode,
  assertFiscalYear,
  assertMemberState,
  assertMonthRange,
  assertNationalId,
  assertText,
  assertUnitId,
  badUserInput,
  daysBetween,
  todayUtc,
} from './mawared-input.js';
import { employeeByNationalIdQuery, entityByKeyQuery, employeeListQuery, entityListQuery, payrollAsOfQuery, type EmployeeFilterInput } from './mawared-odata-mapping.js';
import type { SecondmentRow } from './sandbox/mawared-sandbox.js';
import type { BudgetLineRow, EmployeeRow, EmploymentRecordRow, EntityRow, PayrollRow, PositionRow, UnitRow } from './sandbox/seed.js';
import { selectedFields } from './selected-fields.js';

/** Page sizes of the connections: `first` defaults to 20 and may not exceed 100. */
export const PAGE_DEFAULTS = { first: 20, maxFirst: 100 } as const;

const KIND: Record<EntityRow['Kind'], string> = { Ministry: 'MINISTRY', Authority: 'AUTHORITY', Council: 'COUNCIL', Agency: 'AGENCY', Corporation: 'CORPORATION' };
const STATUS: Record<EmployeeRow['Status'], string> = { Active: 'ACTIVE', OnLeave: 'ON_LEAVE', Seconded: 'SECONDED', Ended: 'ENDED' };
const ARRANGEMENT: Record<EmployeeRow['WorkArrangement'], string> = { FullTime: 'FULL_TIME', PartTime: 'PART_TIME', Remote: 'REMOTE' };
const RECORD_KIND: Record<EmploymentRecordRow['Kind'], string> = { Appointment: 'APPOINTMENT', Promotion: 'PROMOTION', Transfer: 'TRANSFER', Secondment: 'SECONDMENT' };
const SECONDMENT_STATUS: Record<SecondmentRow['Status'], string> = { Submitted: 'SUBMITTED', Approved: 'APPROVED', Rejected: 'REJECTED' };

/** GCC currencies per US dollar (the five pegs; the Kuwaiti dinar follows a basket, a recent rate is used). */
const UNITS_PER_USD: Readonly<Record<string, number>> = { QAR: 3.64, SAR: 3.75, AED: 3.6725, BHD: 0.376, OMR: 0.3845, KWD: 0.307 };

/** Monthly gross in QAR equivalent -> band (see `SalaryBand` in the schema). */
export function salaryBand(gross: number, currency: string): string | null {
  const perUsd = UNITS_PER_USD[currency];
  if (perUsd === undefined) return null;
  const qar = (gross / perUsd) * 3.64;
  if (qar < 10_000) return 'BELOW_10K';
  if (qar < 20_000) return 'FROM_10K_TO_20K';
  if (qar < 35_000) return 'FROM_20K_TO_35K';
  if (qar < 50_000) return 'FROM_35K_TO_50K';
  return 'FROM_50K';
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const localized = (en: string | undefined, ar: string | undefined): { en: string; ar: string } => ({ en: en ?? '', ar: ar ?? '' });
/** Resolvers receive rows that may carry only the selected properties (`$select`). */
type Row<T> = Partial<T>;

interface VerificationValue {
  readonly nationalId: string;
  readonly issuingState: string;
  readonly asOf: string;
  readonly employed: boolean;
  readonly entityKey: string | null;
  readonly since: string | null;
  readonly grade: string | null;
  /** Fetched only when a salary field is asked for. */
  readonly salary: () => Promise<Pick<PayrollRow, 'Gross' | 'Currency'> | null>;
}

interface BudgetValue {
  readonly state: string;
  readonly code: string;
  readonly fiscalYear: number;
  readonly lines: readonly BudgetLineRow[];
}

export interface MawaredResolverOptions {
  readonly logger?: Logger;
  readonly events?: AdapterEventSink;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export function createMawaredResolvers(client: MawaredClient, options: MawaredResolverOptions = {}): SubgraphResolvers {
  const loadersFor = createLoaderFactory(client);
  const now = options.now ?? (() => new Date());

  const loadEntity = (loaders: MawaredLoaders, state: string | null | undefined, code: string | null | undefined): Promise<EntityRow | null> | null =>
    state == null || code == null ? null : loaders.entity.load(entityKey(state, code));

  /**
   * A person's employee number, or undefined when Mawared has none. Refused with ERR_POLICY_ROW_DENIED
   * when the person is outside what the caller may see (see mawared-row-scope.ts).
   */
  async function employeeNumberByNationalId(nationalId: string, issuingState: string, context: unknown, what: string): Promise<string | undefined> {
    const scope = rowScopeOf(context);
    const { rows } = await client.query<EmployeeRow>('Employees', employeeByNationalIdQuery(nationalId, issuingState, isRestricted(scope) ? ['nationality'] : []));
    const row = rows[0];
    if (row !== undefined) assertEmployeeVisible(scope, row, what);
    return row?.EmployeeNumber;
  }

  /** An employee reached from another record (a position's holder, a secondment's employee, a federated reference). */
  async function visibleEmployee(employeeNumber: string, context: unknown, what: string): Promise<EmployeeRow | null> {
    const row = await loadersFor(context).employee.load(employeeNumber);
    if (row !== null) assertEmployeeVisible(rowScopeOf(context), row, what);
    return row;
  }

  /** A secondment request is about a person: visible only when its employee is. */
  async function visibleSecondment(row: SecondmentRow | undefined, context: unknown): Promise<SecondmentRow | null> {
    if (row === undefined) return null;
    const scope = rowScopeOf(context);
    if (isRestricted(scope)) assertEmployeeVisible(scope, (await loadersFor(context).employee.load(row.EmployeeNumber)) ?? {}, 'secondment request');
    return row;
  }

  function toBudget(state: string, code: string, fiscalYear: number, lines: readonly BudgetLineRow[]): BudgetValue | null {
    return lines.length === 0 ? null : { state, code, fiscalYear, lines };
  }

  /** The idempotency key as Mawared sees it: scoped to the calling client, so two clients never share a key. */
  function scopedRequestKey(clientKey: string, context: unknown): string {
    const clientId = typeof context === 'object' && context !== null ? (context as { clientId?: unknown }).clientId : undefined;
    if (typeof clientId !== 'string' || clientId.length === 0) return clientKey;
    return `${createHash('sha256').update(clientId).digest('hex').slice(0, 16)}.${clientKey}`;
  }
  const unscopedKey = (requestKey: string): string => requestKey.replace(/^[0-9a-f]{16}\./, '');

  return {
    Query: {
      governmentEntity: async (_source: unknown, args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
        const { state, code } = args as { state: string; code: string };
        assertMemberState(state, 'state');
        assertEntityCode(code);
        const { rows } = await client.query<EntityRow>('GovernmentEntities', entityByKeyQuery(state, code, selectedFields(info)));
        return rows[0] ?? null;
      },
      governmentEntities: async (_source: unknown, args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
        const { state, kind, first, after } = args as { state?: string | null; kind?: string | null; first?: number | null; after?: string | null };
        const page = pageWindow({ first: first ?? null, after: after ?? null }, PAGE_DEFAULTS);
        const query = entityListQuery({ state: state ?? null, kind: kind ?? null }, page, selectedFields(info, ['edges', 'node']));
        const { rows, count } = await client.query<EntityRow>('GovernmentEntities', query);
        return toConnection(rows, page.skip, count ?? rows.length);
      },
      employee: async (_source: unknown, args: unknown, context: unknown, info: GraphQLResolveInfo) => {
        const { nationalId, issuingState } = args as { nationalId: string; issuingState: string };
        assertNationalId(nationalId, issuingState);
        const scope = rowScopeOf(context);
        const fields = selectedFields(info);
        if (isRestricted(scope)) fields.add('nationality');
        const row = (await client.query<EmployeeRow>('Employees', employeeByNationalIdQuery(nationalId, issuingState, fields))).rows[0];
        if (row === undefined) return null;
        assertEmployeeVisible(scope, row);
        return row;
      },
      employees: async (_source: unknown, args: unknown, context: unknown, info: GraphQLResolveInfo) => {
        const { filter, orderBy, first, after } = args as { filter?: EmployeeFilterInput | null; orderBy?: string | null; first?: number | null; after?: string | null };
        const page = pageWindow({ first: first ?? null, after: after ?? null }, PAGE_DEFAULTS);
        const query = restrictEmployeeQuery(rowScopeOf(context), employeeListQuery(filter, orderBy, page, selectedFields(info, ['edges', 'node'])));
        const { rows, count } = await client.query<EmployeeRow>('Employees', query);
        return toConnection(rows, page.skip, count ?? rows.length);
      },
      budget: async (_source: unknown, args: unknown, context: unknown) => {
        const { entity, fiscalYear } = args as { entity: { state: string; code: string }; fiscalYear: number };
        assertMemberState(entity.state, 'entity.state');
        assertEntityCode(entity.code, 'entity.code');
        assertFiscalYear(fiscalYear);
        const lines = await loadersFor(context).budgetLines.load(`${entity.state}|${entity.code}|${fiscalYear}`);
        return toBudget(entity.state, entity.code, fiscalYear, lines);
      },
      payrollSummaries: async (_source: unknown, args: unknown, context: unknown) => {
        const { employee, from, to } = args as { employee: { nationalId: string; issuingState: string }; from: string; to: string };
        assertNationalId(employee.nationalId, employee.issuingState);
        assertMonthRange(from, to);
        const employeeNumber = await employeeNumberByNationalId(employee.nationalId, employee.issuingState, context, 'payroll record');
        return employeeNumber === undefined ? [] : loadersFor(context).payroll.load(`${employeeNumber}|${from}|${to}`);
      },
      verifyEmployment: async (_source: unknown, args: unknown, context: unknown): Promise<VerificationValue> => {
        const { nationalId, issuingState, asOf: asOfArg } = args as { nationalId: string; issuingState: string; asOf?: string | null };
        assertNationalId(nationalId, issuingState);
        const today = todayUtc(now());
        const asOf = asOfArg == null ? today : assertDate(asOfArg, 'asOf', { notAfter: today });
        const none: VerificationValue = { nationalId, issuingState, asOf, employed: false, entityKey: null, since: null, grade: null, salary: () => Promise.resolve(null) };
        const employeeNumber = await employeeNumberByNationalId(nationalId, issuingState, context, 'employment record');
        if (employeeNumber === undefined) return none;
        const records = await loadersFor(context).recordsByEmployee.load(employeeNumber);
        let index = -1;
        records.forEach((record, i) => {
          if (record.StartDate <= asOf) index = i;
        });
        const record = records[index];
        if (record === undefined || (record.EndDate !== null && record.EndDate < asOf)) return none;
        // Continuous service with the same employer: walk back over adjoining records of that entity.
        let since = record.StartDate;
        for (let i = index - 1; i >= 0; i--) {
          const earlier = records[i];
          if (earlier === undefined || earlier.EntityState !== record.EntityState || earlier.EntityCode !== record.EntityCode) break;
          since = earlier.StartDate;
        }
        let salary: Promise<Pick<PayrollRow, 'Gross' | 'Currency'> | null> | undefined;
        return {
          nationalId,
          issuingState,
          asOf,
          employed: true,
          entityKey: entityKey(record.EntityState, record.EntityCode),
          since,
          grade: record.Grade,
          salary: () => {
            salary ??= client.query<PayrollRow>('PayrollSummaries', payrollAsOfQuery(employeeNumber, asOf.slice(0, 7))).then(({ rows }) => rows[0] ?? null);
            return salary;
          },
        };
      },
      secondmentRequest: async (_source: unknown, args: unknown, context: unknown) => {
        const { id } = args as { id: string };
        if (!/^SEC-\d{6}$/.test(id)) throw badUserInput(`"id" must be a secondment request ID such as SEC-000001`);
        return visibleSecondment(await client.getByKey<SecondmentRow>('SecondmentRequests', id), context);
      },
    },
    Mutation: {
      requestSecondment: async (_source: unknown, args: unknown, context: unknown) => {
        const { input } = args as { input: { clientKey: string; employee: { nationalId: string; issuingState: string }; hostEntity: { state: string; code: string }; startDate: string; endDate: string; reason?: string | null } };
        assertClientKey(input.clientKey);
        assertNationalId(input.employee.nationalId, input.employee.issuingState);
        assertMemberState(input.hostEntity.state, 'hostEntity.state');
        assertEntityCode(input.hostEntity.code, 'hostEntity.code');
        assertDate(input.startDate, 'startDate');
        assertDate(input.endDate, 'endDate');
        if (input.endDate < input.startDate) throw badUserInput(`"endDate" (${input.endDate}) must not be before "startDate" (${input.startDate})`);
        if (daysBetween(input.startDate, input.endDate) > 4 * 366) throw badUserInput('a secondment may last at most 4 years');
        if (input.reason != null) assertText(input.reason, 'reason', 500);
        const employeeNumber = await employeeNumberByNationalId(input.employee.nationalId, input.employee.issuingState, context, 'employee record');
        if (employeeNumber === undefined) {
          throw new AdapterError('ERR_ENTITY_NOT_FOUND', `Mawared has no employee with national ID ${input.employee.nationalId} issued by ${input.employee.issuingState}`, { adapter: 'mawared' });
        }
        const { created, row } = await client.createSecondment<SecondmentRow>(
          { EmployeeNumber: employeeNumber, HostState: input.hostEntity.state, HostCode: input.hostEntity.code, StartDate: input.startDate, EndDate: input.endDate, Reason: input.reason ?? null },
          scopedRequestKey(input.clientKey, context),
        );
        if (created && options.events !== undefined) {
          try {
            await options.events.publish({
              type: 'gcc.hr.secondment.requested.v1',
              subject: row.Id,
              time: row.SubmittedAt,
              data: { requestId: row.Id, homeEntity: { state: row.HomeState, code: row.HomeCode }, hostEntity: { state: row.HostState, code: row.HostCode }, startDate: row.StartDate, endDate: row.EndDate },
            });
          } catch (error) {
            // The request exists in Mawared; failing the mutation now would make the client retry a done thing.
            options.logger?.error({ err: error, requestId: row.Id }, 'could not publish the secondment event');
          }
        }
        return row;
      },
    },
    GovernmentEntity: {
      __resolveReference: (reference: unknown, context: unknown) => {
        const { state, code } = reference as { state: string; code: string };
        return loadersFor(context).entity.load(entityKey(state, code));
      },
      state: (row: Row<EntityRow>) => row.State,
      code: (row: Row<EntityRow>) => row.Code,
      name: (row: Row<EntityRow>) => localized(row.NameEn, row.NameAr),
      kind: (row: Row<EntityRow>) => (row.Kind !== undefined ? KIND[row.Kind] : null),
      headcount: (row: Row<EntityRow>) => row.Headcount,
      parent: (row: Row<EntityRow>, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.ParentState, row.ParentCode),
      organizationUnits: (row: Row<EntityRow>, _args: unknown, context: unknown) => loadersFor(context).unitsByEntity.load(entityKey(row.State ?? '', row.Code ?? '')),
      budget: async (row: Row<EntityRow>, args: unknown, context: unknown) => {
        const { fiscalYear } = args as { fiscalYear: number };
        assertFiscalYear(fiscalYear);
        const lines = await loadersFor(context).budgetLines.load(`${row.State}|${row.Code}|${fiscalYear}`);
        return toBudget(row.State ?? '', row.Code ?? '', fiscalYear, lines);
      },
    } as unknown as SubgraphResolvers[string],
    OrganizationUnit: {
      __resolveReference: (reference: unknown, context: unknown) => {
        const { id } = reference as { id: string };
        assertUnitId(id, 'id');
        return loadersFor(context).unit.load(id);
      },
      id: (row: UnitRow) => row.Id,
      name: (row: UnitRow) => localized(row.NameEn, row.NameAr),
      level: (row: UnitRow) => row.Level,
      entity: (row: UnitRow, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.EntityState, row.EntityCode),
      parent: (row: UnitRow, _args: unknown, context: unknown) => (row.ParentId === null ? null : loadersFor(context).unit.load(row.ParentId)),
      children: (row: UnitRow, _args: unknown, context: unknown) => loadersFor(context).unitsByParent.load(row.Id),
      positions: async (row: UnitRow, args: unknown, context: unknown) => {
        const { vacant } = args as { vacant?: boolean | null };
        const positions = await loadersFor(context).positionsByUnit.load(row.Id);
        return vacant == null ? positions : positions.filter((p) => p.Vacant === vacant);
      },
    } as unknown as SubgraphResolvers[string],
    Position: {
      __resolveReference: (reference: unknown, context: unknown) => loadersFor(context).position.load((reference as { id: string }).id),
      id: (row: PositionRow) => row.Id,
      title: (row: PositionRow) => localized(row.TitleEn, row.TitleAr),
      grade: (row: PositionRow) => row.Grade,
      unit: (row: PositionRow, _args: unknown, context: unknown) => loadersFor(context).unit.load(row.UnitId),
      vacant: (row: PositionRow) => row.Vacant,
      holder: (row: PositionRow, _args: unknown, context: unknown) => (row.HolderEmployeeNumber === null ? null : visibleEmployee(row.HolderEmployeeNumber, context, 'position holder')),
    } as unknown as SubgraphResolvers[string],
    Employee: {
      __resolveReference: (reference: unknown, context: unknown) => visibleEmployee((reference as { employeeNumber: string }).employeeNumber, context, 'employee record'),
      employeeNumber: (row: Row<EmployeeRow>) => row.EmployeeNumber,
      nationalId: (row: Row<EmployeeRow>) => row.NationalId,
      issuingState: (row: Row<EmployeeRow>) => row.IssuingState,
      nationality: (row: Row<EmployeeRow>) => row.Nationality,
      name: (row: Row<EmployeeRow>) => localized(row.NameEn, row.NameAr),
      gender: (row: Row<EmployeeRow>) => row.Gender?.toUpperCase(),
      dateOfBirth: (row: Row<EmployeeRow>) => row.DateOfBirth,
      entity: (row: Row<EmployeeRow>, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.EntityState, row.EntityCode),
      unit: (row: Row<EmployeeRow>, _args: unknown, context: unknown) => (row.UnitId == null ? null : loadersFor(context).unit.load(row.UnitId)),
      position: (row: Row<EmployeeRow>, _args: unknown, context: unknown) => (row.PositionId == null ? null : loadersFor(context).position.load(row.PositionId)),
      grade: (row: Row<EmployeeRow>) => row.Grade,
      hireDate: (row: Row<EmployeeRow>) => row.HireDate,
      status: (row: Row<EmployeeRow>) => (row.Status !== undefined ? STATUS[row.Status] : null),
      workArrangement: (row: Row<EmployeeRow>) => (row.WorkArrangement !== undefined ? ARRANGEMENT[row.WorkArrangement] : null),
      employmentHistory: (row: Row<EmployeeRow>, _args: unknown, context: unknown) => loadersFor(context).recordsByEmployee.load(row.EmployeeNumber ?? ''),
      payrollSummaries: (row: Row<EmployeeRow>, args: unknown, context: unknown) => {
        const { from, to } = args as { from: string; to: string };
        assertMonthRange(from, to);
        return loadersFor(context).payroll.load(`${row.EmployeeNumber}|${from}|${to}`);
      },
    } as unknown as SubgraphResolvers[string],
    EmploymentRecord: {
      kind: (row: EmploymentRecordRow) => RECORD_KIND[row.Kind],
      entity: (row: EmploymentRecordRow, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.EntityState, row.EntityCode),
      hostEntity: (row: EmploymentRecordRow, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.HostState, row.HostCode),
      title: (row: EmploymentRecordRow) => localized(row.TitleEn, row.TitleAr),
      grade: (row: EmploymentRecordRow) => row.Grade,
      startDate: (row: EmploymentRecordRow) => row.StartDate,
      endDate: (row: EmploymentRecordRow) => row.EndDate,
    } as unknown as SubgraphResolvers[string],
    PayrollSummary: {
      month: (row: PayrollRow) => row.Month,
      currency: (row: PayrollRow) => row.Currency,
      basic: (row: PayrollRow) => row.Basic,
      allowances: (row: PayrollRow) => row.Allowances,
      gross: (row: PayrollRow) => row.Gross,
      deductions: (row: PayrollRow) => row.Deductions,
      net: (row: PayrollRow) => row.Net,
    } as unknown as SubgraphResolvers[string],
    Budget: {
      entity: (budget: BudgetValue, _args: unknown, context: unknown) => loadEntity(loadersFor(context), budget.state, budget.code),
      fiscalYear: (budget: BudgetValue) => budget.fiscalYear,
      currency: (budget: BudgetValue) => budget.lines[0]?.Currency,
      appropriated: (budget: BudgetValue) => round3(budget.lines.reduce((sum, line) => sum + line.Appropriated, 0)),
      committed: (budget: BudgetValue) => round3(budget.lines.reduce((sum, line) => sum + line.Committed, 0)),
      spent: (budget: BudgetValue) => round3(budget.lines.reduce((sum, line) => sum + line.Spent, 0)),
      lines: (budget: BudgetValue) => budget.lines,
    } as unknown as SubgraphResolvers[string],
    BudgetLine: {
      code: (line: BudgetLineRow) => line.LineCode,
      name: (line: BudgetLineRow) => localized(line.NameEn, line.NameAr),
      appropriated: (line: BudgetLineRow) => line.Appropriated,
      committed: (line: BudgetLineRow) => line.Committed,
      spent: (line: BudgetLineRow) => line.Spent,
    } as unknown as SubgraphResolvers[string],
    EmploymentVerification: {
      entity: (value: VerificationValue, _args: unknown, context: unknown) => (value.entityKey === null ? null : loadersFor(context).entity.load(value.entityKey)),
      salaryBand: async (value: VerificationValue) => {
        const salary = await value.salary();
        return salary === null ? null : salaryBand(salary.Gross, salary.Currency);
      },
      grossMonthlySalary: async (value: VerificationValue) => (await value.salary())?.Gross ?? null,
      currency: async (value: VerificationValue) => (await value.salary())?.Currency ?? null,
    } as unknown as SubgraphResolvers[string],
    SecondmentRequest: {
      __resolveReference: async (reference: unknown, context: unknown) => visibleSecondment(await client.getByKey<SecondmentRow>('SecondmentRequests', (reference as { id: string }).id), context),
      id: (row: SecondmentRow) => row.Id,
      clientKey: (row: SecondmentRow) => unscopedKey(row.RequestKey),
      employee: (row: SecondmentRow, _args: unknown, context: unknown) => visibleEmployee(row.EmployeeNumber, context, 'employee record'),
      homeEntity: (row: SecondmentRow, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.HomeState, row.HomeCode),
      hostEntity: (row: SecondmentRow, _args: unknown, context: unknown) => loadEntity(loadersFor(context), row.HostState, row.HostCode),
      startDate: (row: SecondmentRow) => row.StartDate,
      endDate: (row: SecondmentRow) => row.EndDate,
      reason: (row: SecondmentRow) => row.Reason,
      status: (row: SecondmentRow) => SECONDMENT_STATUS[row.Status],
      submittedAt: (row: SecondmentRow) => row.SubmittedAt,
    } as unknown as SubgraphResolvers[string],
  } as SubgraphResolvers;
}
