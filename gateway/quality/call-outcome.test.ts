import { describe, expect, it } from '@jest/globals';
import { classifyErrors, memberStateOf, normaliseErrorCode } from './call-outcome.js';

const error = (code?: unknown): { extensions: Record<string, unknown> } => ({ extensions: code === undefined ? {} : { code } });

describe('what counts against availability', () => {
  it('counts an answer without errors as a success', () => {
    expect(classifyErrors(undefined)).toEqual({ class: 'success', codes: [] });
    expect(classifyErrors([])).toEqual({ class: 'success', codes: [] });
  });

  it('does not count client errors (bad input, unknown record, rate limits) as failures', () => {
    expect(classifyErrors([error('ERR_BAD_USER_INPUT')])).toEqual({ class: 'client_error', codes: ['ERR_BAD_USER_INPUT'] });
    expect(classifyErrors([error('ERR_ENTITY_NOT_FOUND'), error('ERR_RATE_LIMITED')]).class).toBe('client_error');
  });

  it('counts upstream and gateway errors, timeouts and open circuits as failures', () => {
    for (const code of ['ERR_SUBGRAPH_TIMEOUT', 'ERR_SUBGRAPH_UNAVAILABLE', 'ERR_SUBGRAPH_CIRCUIT_OPEN', 'ERR_UPSTREAM_TIMEOUT', 'ERR_INTERNAL', 'ERR_REQUEST_TIMEOUT']) {
      expect(classifyErrors([error(code)]).class).toBe('failure');
    }
  });

  it('counts an error without a code, or with a code the registry does not know, as a failure', () => {
    expect(classifyErrors([error()])).toEqual({ class: 'failure', codes: ['UNKNOWN'] });
    expect(classifyErrors([error('INTERNAL_SERVER_ERROR')])).toEqual({ class: 'failure', codes: ['INTERNAL_SERVER_ERROR'] });
  });

  it('counts a partial answer with one failure among client errors as a failure', () => {
    expect(classifyErrors([error('ERR_ENTITY_NOT_FOUND'), error('ERR_UPSTREAM_UNAVAILABLE')]).class).toBe('failure');
  });

  it('stores only sane code strings', () => {
    expect(normaliseErrorCode('ERR_X')).toBe('ERR_X');
    expect(normaliseErrorCode('<script>')).toBe('UNKNOWN');
    expect(normaliseErrorCode(42)).toBe('UNKNOWN');
  });
});

describe('the caller\u2019s member state', () => {
  it('is read from the ClientId GCC:<STATE>:...', () => {
    expect(memberStateOf('GCC:QA:GOV:CSGDB:hr-portal')).toBe('QA');
    expect(memberStateOf('GCC:SA:GOV:GOSI')).toBe('SA');
  });

  it('is unknown without a ClientId or with one of another shape or state', () => {
    expect(memberStateOf(undefined)).toBe('unknown');
    expect(memberStateOf('GCC:XX:GOV:A')).toBe('unknown');
    expect(memberStateOf('QA:GOV')).toBe('unknown');
  });
});
