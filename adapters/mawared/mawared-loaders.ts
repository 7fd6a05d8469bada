import DataLoader from 'dataloader';
import { perRequest } from '../kit/index.js';
import type { MawaredClient } from './mawared-client.js';
import type { BudgetLineRow, EmployeeRow, EmploymentRecordRow, EntityRow, PayrollRow, PositionRow, UnitRow } from './sandbox/seed.js';

/**
 * Per-request DataLoaders: every lookup of the same kind made while resolving one request goes to
 * Mawared as one `in (...)` query (no N+1), and each record is fetched once per request. Keys that
 * combine several properties are joined with `|`.
 */
export interface MawaredLoaders {
  /** `STATE|CODE` -> entity */
  readonly entity: DataLoader<string, EntityRow | null>;
  readonly unit: DataLoader<string, UnitRow | null>;
  /** `STATE|CODE` -> units, root first */
  readonly unitsByEntity: DataLoader<string, UnitRow[]>;
  readonly unitsByParent: DataLoader<string, UnitRow[]>;
  readonly position: DataLoader<string, PositionRow | null>;
  readonly positionsByUnit: DataLoader<string, PositionRow[]>;
  readonly employee: DataLoader<string, EmployeeRow | null>;
  readonly recordsByEmployee: DataLoader<string, EmploymentRecordRow[]>;
  /** `EMPLOYEE|FROM|TO` -> payroll rows, oldest first */
  readonly payroll: DataLoader<string, PayrollRow[]>;
  /** `STATE|CODE|YEAR` -> budget lines */
  readonly budgetLines: DataLoader<string, BudgetLineRow[]>;
}

export const entityKey = (state: string, code: string): string => `${state}|${code}`;

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [row]);
    else group.push(row);
  }
  return groups;
}

const split = (key: string): string[] => key.split('|');

export function createLoaderFactory(client: MawaredClient): (context: unknown) => MawaredLoaders {
  return perRequest(() => {
    const byKey = <T>(set: string, field: string, keyOf: (row: T) => string) =>
      new DataLoader<string, T | null>(async (keys) => {
        const found = new Map((await client.lookupMany<T>(set, field, keys)).map((row) => [keyOf(row), row]));
        return keys.map((key) => found.get(key) ?? null);
      });
    const listBy = <T>(set: string, field: string, keyOf: (row: T) => string, orderBy: readonly string[]) =>
      new DataLoader<string, T[]>(async (keys) => {
        const groups = groupBy(await client.lookupMany<T>(set, field, keys, { orderBy }), keyOf);
        return keys.map((key) => groups.get(key) ?? []);
      });
    return {
      entity: new DataLoader<string, EntityRow | null>(async (keys) => {
        const states = [...new Set(keys.map((key) => split(key)[0] ?? ''))];
        // `State in (...) and Code in (...)` may also match other combinations; those are dropped here.
        const rows = await client.lookupMany<EntityRow>('GovernmentEntities', 'Code', keys.map((key) => split(key)[1] ?? ''), { filter: [{ field: 'State', op: 'in', value: states }] });
        const found = new Map(rows.map((row) => [entityKey(row.State, row.Code), row]));
        return keys.map((key) => found.get(key) ?? null);
      }),
      unit: byKey<UnitRow>('OrganizationUnits', 'Id', (row) => row.Id),
      unitsByEntity: new DataLoader<string, UnitRow[]>(async (keys) => {
        const states = [...new Set(keys.map((key) => split(key)[0] ?? ''))];
        const rows = await client.lookupMany<UnitRow>('OrganizationUnits', 'EntityCode', keys.map((key) => split(key)[1] ?? ''), { filter: [{ field: 'EntityState', op: 'in', value: states }], orderBy: ['Id asc'] });
        const groups = groupBy(rows, (row) => entityKey(row.EntityState, row.EntityCode));
        return keys.map((key) => groups.get(key) ?? []);
      }),
      unitsByParent: listBy<UnitRow>('OrganizationUnits', 'ParentId', (row) => row.ParentId ?? '', ['Id asc']),
      position: byKey<PositionRow>('Positions', 'Id', (row) => row.Id),
      positionsByUnit: listBy<PositionRow>('Positions', 'UnitId', (row) => row.UnitId, ['Id asc']),
      employee: byKey<EmployeeRow>('Employees', 'EmployeeNumber', (row) => row.EmployeeNumber),
      recordsByEmployee: listBy<EmploymentRecordRow>('EmploymentRecords', 'EmployeeNumber', (row) => row.EmployeeNumber, ['StartDate asc']),
      payroll: new DataLoader<string, PayrollRow[]>(async (keys) => {
        // One query per distinct month range, each for all the employees asking it.
        const ranges = groupBy(keys, (key) => split(key).slice(1).join('|'));
        const results = new Map<string, PayrollRow[]>();
        await Promise.all(
          [...ranges.entries()].map(async ([range, rangeKeys]) => {
            const [from = '', to = ''] = split(range);
            const rows = await client.lookupMany<PayrollRow>('PayrollSummaries', 'EmployeeNumber', rangeKeys.map((key) => split(key)[0] ?? ''), {
              filter: [
                { field: 'Month', op: 'ge', value: from },
                { field: 'Month', op: 'le', value: to },
              ],
              orderBy: ['EmployeeNumber asc', 'Month asc'],
            });
            for (const [employee, group] of groupBy(rows, (row) => row.EmployeeNumber)) results.set(`${employee}|${range}`, group);
          }),
        );
        return keys.map((key) => results.get(key) ?? []);
      }),
      budgetLines: new DataLoader<string, BudgetLineRow[]>(async (keys) => {
        const parts = keys.map(split);
        const rows = await client.lookupMany<BudgetLineRow>('BudgetLines', 'EntityCode', parts.map((p) => p[1] ?? ''), {
          filter: [
            { field: 'EntityState', op: 'in', value: [...new Set(parts.map((p) => p[0] ?? ''))] },
            { field: 'FiscalYear', op: 'in', value: [...new Set(parts.map((p) => Number(p[2])))] },
          ],
          orderBy: ['LineCode asc'],
        });
        const groups = groupBy(rows, (row) => `${row.EntityState}|${row.EntityCode}|${row.FiscalYear}`);
        return keys.map((key) => groups.get(key) ?? []);
      }),
    };
  });
}
