import { describe, expect, test } from '@jest/globals';
import { AdapterError } from '../kit/index.js';
import { assertDate, assertMonthRange, assertNationalId } from './mawared-input.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof AdapterError ? error.code : 'not an AdapterError';
  }
}

describe('national IDs are checked against the issuing state\u2019s format', () => {
  test.each([
    ['QA', '28563400002'],
    ['QA', '30263400001'],
    ['SA', '1012345678'],
    ['SA', '2012345678'],
    ['AE', '784198512345671'],
    ['KW', '285092100001'],
    ['BH', '850900001'],
    ['OM', '10000037'],
  ])('accepts %s %s', (state, id) => {
    expect(codeOf(() => assertNationalId(id, state))).toBeUndefined();
  });

  test.each([
    ['QA', '18563400002', 'QID starting with 1'],
    ['QA', '2856340000', '10 digits'],
    ['SA', '3012345678', 'starting with 3'],
    ['AE', '785198512345671', 'not 784'],
    ['KW', '1850921000012', '13 digits'],
    ['BH', '85090000', '8 digits'],
    ['OM', '123456', '6 digits'],
    ['QA', '2856340000٢', 'an Arabic-Indic digit'],
    ['QA', ' 28563400002', 'a leading space'],
    ['XX', '28563400002', 'an unknown state'],
  ])('refuses %s %s (%s) with ERR_BAD_USER_INPUT', (state, id) => {
    expect(codeOf(() => assertNationalId(id, state))).toBe('ERR_BAD_USER_INPUT');
  });
});

describe('dates and months', () => {
  test('accept real dates in range and refuse impossible, out-of-range and future ones', () => {
    expect(codeOf(() => assertDate('2024-02-29', 'd'))).toBeUndefined();
    expect(codeOf(() => assertDate('2025-02-29', 'd'))).toBe('ERR_BAD_USER_INPUT');
    expect(codeOf(() => assertDate('2026-1-01', 'd'))).toBe('ERR_BAD_USER_INPUT');
    expect(codeOf(() => assertDate('1949-12-31', 'd'))).toBe('ERR_BAD_USER_INPUT');
    expect(codeOf(() => assertDate('2026-11-02', 'd', { notAfter: '2026-11-01' }))).toBe('ERR_BAD_USER_INPUT');
  });

  test('allow month ranges of up to 36 months, in order', () => {
    expect(assertMonthRange('2023-11', '2026-10')).toEqual({ from: '2023-11', to: '2026-10' });
    expect(codeOf(() => assertMonthRange('2023-10', '2026-10'))).toBe('ERR_BAD_USER_INPUT');
    expect(codeOf(() => assertMonthRange('2026-10', '2026-09'))).toBe('ERR_BAD_USER_INPUT');
    expect(codeOf(() => assertMonthRange('2026-00', '2026-09'))).toBe('ERR_BAD_USER_INPUT');
  });
});
