import { AdapterError } from '../kit/index.js';

/**
 * Checks of caller input, made before any upstream call: a value known to be invalid is refused
 * here with ERR_BAD_USER_INPUT and a message that says what is expected.
 */
const bad = (message: string): AdapterError => new AdapterError('ERR_BAD_USER_INPUT', message, { adapter: 'mawared' });

/** Input echoed in messages is cut short, so an error never carries a large or odd payload back. */
const echo = (value: string): string => JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);

export const MEMBER_STATES = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** National ID formats by issuing state (digits only; no separators). */
const NATIONAL_ID_FORMATS: Readonly<Record<MemberState, { readonly pattern: RegExp; readonly description: string }>> = {
  QA: { pattern: /^[23]\d{10}$/, description: 'a Qatari ID (QID) is 11 digits starting with 2 or 3' },
  SA: { pattern: /^[12]\d{9}$/, description: 'a Saudi national ID or Iqama is 10 digits starting with 1 or 2' },
  AE: { pattern: /^784\d{12}$/, description: 'an Emirates ID is 15 digits starting with 784' },
  KW: { pattern: /^[23]\d{11}$/, description: 'a Kuwaiti civil ID is 12 digits starting with 2 or 3' },
  BH: { pattern: /^\d{9}$/, description: 'a Bahraini CPR number is 9 digits' },
  OM: { pattern: /^\d{7,9}$/, description: 'an Omani civil number is 7 to 9 digits' },
};

export function assertMemberState(value: string, name = 'issuingState'): MemberState {
  if (!(MEMBER_STATES as readonly string[]).includes(value)) throw bad(`"${name}" must be a GCC member state (${MEMBER_STATES.join(', ')}), got ${echo(value)}`);
  return value as MemberState;
}

export function assertNationalId(nationalId: string, issuingState: string): string {
  const state = assertMemberState(issuingState);
  const format = NATIONAL_ID_FORMATS[state];
  if (!format.pattern.test(nationalId)) throw bad(`"nationalId" ${echo(nationalId)} is not a valid national ID of ${state}: ${format.description}`);
  return nationalId;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const EARLIEST_DATE = '1950-01-01';

/** A real calendar date, YYYY-MM-DD, from 1950 to 2100 and, when `notAfter` is given, not after it. */
export function assertDate(value: string, name: string, options: { notAfter?: string } = {}): string {
  const match = DATE.exec(value);
  const valid = match !== null && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!valid) throw bad(`"${name}" must be a calendar date as YYYY-MM-DD, got ${echo(value)}`);
  if (value < EARLIEST_DATE || value > '2100-12-31') throw bad(`"${name}" must be between ${EARLIEST_DATE} and 2100-12-31, got ${echo(value)}`);
  if (options.notAfter !== undefined && value > options.notAfter) throw bad(`"${name}" must not be in the future (after ${options.notAfter}), got ${echo(value)}`);
  return value;
}

export function assertMonth(value: string, name: string): string {
  const match = MONTH.exec(value);
  if (match === null) throw bad(`"${name}" must be a calendar month as YYYY-MM, got ${echo(value)}`);
  if (value < '1950-01' || value > '2100-12') throw bad(`"${name}" must be between 1950-01 and 2100-12, got ${echo(value)}`);
  return value;
}

export const MAX_PAYROLL_MONTHS = 36;

/** `from` and `to` as months, `from` not after `to`, at most 36 months apart (inclusive). */
export function assertMonthRange(from: string, to: string): { from: string; to: string } {
  assertMonth(from, 'from');
  assertMonth(to, 'to');
  if (from > to) throw bad(`"from" (${from}) must not be after "to" (${to})`);
  const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5)) - Number(from.slice(5)) + 1;
  if (months > MAX_PAYROLL_MONTHS) throw bad(`the range from ${from} to ${to} spans ${months} months; at most ${MAX_PAYROLL_MONTHS} may be asked at once`);
  return { from, to };
}

export function assertFiscalYear(value: number): number {
  if (!Number.isInteger(value) || value < 2000 || value > 2100) throw bad(`"fiscalYear" must be a year from 2000 to 2100, got ${value}`);
  return value;
}

export function assertEntityCode(value: string, name = 'code'): string {
  if (!/^[A-Z][A-Z0-9]{1,15}$/.test(value)) throw bad(`"${name}" must be an entity code of 2 to 16 capital letters or digits (e.g. MOF), got ${echo(value)}`);
  return value;
}

export function assertCountryCode(value: string, name = 'nationality'): string {
  if (!/^[A-Z]{2}$/.test(value)) throw bad(`"${name}" must be an ISO 3166-1 alpha-2 code (e.g. SA), got ${echo(value)}`);
  return value;
}

export function assertGrade(value: string): string {
  if (!/^G(0[1-9]|1[0-2])$/.test(value)) throw bad(`"grade" must be a civil-service grade G01 to G12, got ${echo(value)}`);
  return value;
}

export function assertUnitId(value: string, name = 'unitId'): string {
  if (!/^[A-Z]{2}-[A-Z0-9]{2,16}-U\d{2}$/.test(value)) throw bad(`"${name}" must be an organisation unit ID such as QA-MOF-U12, got ${echo(value)}`);
  return value;
}

export function assertClientKey(value: string): string {
  if (!/^[A-Za-z0-9._-]{8,64}$/.test(value)) throw bad(`"clientKey" must be 8 to 64 letters, digits, ".", "_" or "-", got ${echo(value)}`);
  return value;
}

export function assertText(value: string, name: string, maxLength: number): string {
  if (value.length > maxLength) throw bad(`"${name}" must be at most ${maxLength} characters`);
  return value;
}

/** Today in UTC, YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export { bad as badUserInput };
