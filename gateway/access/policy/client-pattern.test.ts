import { describe, expect, it } from '@jest/globals';
import { clientIdParts, clientPatternProblem, compileClientPattern } from './client-pattern.js';

const matches = (pattern: string, clientId: string): boolean => {
  const parts = clientIdParts(clientId);
  if (parts === undefined) throw new Error(`not a ClientId: ${clientId}`);
  return compileClientPattern(pattern).matches(parts);
};

describe('client patterns', () => {
  it('matches an exact ClientId and nothing longer or shorter', () => {
    expect(matches('GCC:QA:GOV:CSGDB:hr-portal', 'GCC:QA:GOV:CSGDB:hr-portal')).toBe(true);
    expect(matches('GCC:QA:GOV:CSGDB:hr-portal', 'GCC:QA:GOV:CSGDB:payroll')).toBe(false);
    expect(matches('GCC:QA:GOV:CSGDB:hr-portal', 'GCC:QA:GOV:CSGDB')).toBe(false);
    expect(matches('GCC:QA:GOV:CSGDB', 'GCC:QA:GOV:CSGDB:hr-portal')).toBe(false);
  });

  it('lets * stand for exactly one whole part: GCC:*:GOV:* matches members of any state but not their subsystems', () => {
    expect(matches('GCC:*:GOV:*', 'GCC:SA:GOV:MHRSD')).toBe(true);
    expect(matches('GCC:*:GOV:*', 'GCC:KW:GOV:CSC')).toBe(true);
    expect(matches('GCC:*:GOV:*', 'GCC:KW:GOV:CSC:hr-portal')).toBe(false);
    expect(matches('GCC:*:GOV:*', 'GCC:KW:COM:CSC')).toBe(false);
    expect(matches('GCC:*:GOV:*:*', 'GCC:KW:GOV:CSC:hr-portal')).toBe(true);
    expect(matches('GCC:*:GOV:*:*', 'GCC:KW:GOV:CSC')).toBe(false);
  });

  it('lets a trailing ** match the member itself and every subsystem', () => {
    expect(matches('GCC:QA:GOV:CSGDB:**', 'GCC:QA:GOV:CSGDB')).toBe(true);
    expect(matches('GCC:QA:GOV:CSGDB:**', 'GCC:QA:GOV:CSGDB:hr-portal')).toBe(true);
    expect(matches('GCC:QA:GOV:CSGDB:**', 'GCC:QA:GOV:CSGDBX:hr-portal')).toBe(false);
    expect(matches('GCC:QA:GOV:CSGDB:**', 'GCC:SA:GOV:CSGDB:hr-portal')).toBe(false);
    expect(matches('GCC:SA:**', 'GCC:SA:GOV:MHRSD:hr-verify')).toBe(true);
    expect(matches('GCC:SA:**', 'GCC:AE:GOV:FAHR')).toBe(false);
    expect(matches('GCC:**', 'GCC:OM:GOV:MOL:hr-portal')).toBe(true);
  });

  it('compares literals exactly (ClientIds are case-sensitive)', () => {
    expect(matches('GCC:QA:GOV:csgdb:**', 'GCC:QA:GOV:CSGDB:hr-portal')).toBe(false);
  });

  it.each([
    ['QA:GOV:CSGDB', /must start with "GCC:"/],
    ['GCC:QA:GOV', /must name state, class and member/],
    ['GCC:QA', /must name state, class and member/],
    ['GCC:XX:GOV:CSGDB', /not a GCC member state/],
    ['GCC:qa:GOV:CSGDB', /not a GCC member state/],
    ['GCC:QA:**:CSGDB', /"\*\*" may only be the last part/],
    ['GCC:QA:GOV:CS*', /"\*" must be a whole part/],
    ['GCC:QA:GOV:CSGDB:hr-portal:**', /nothing can follow a subsystem/],
    ['GCC:QA:GOV:CSGDB:hr:extra', /more parts than a ClientId/],
    ['GCC:QA:GOV::hr', /not a valid member code/],
    ['GCC:QA:GOV:CSGDB:hr portal', /not a valid subsystem code/],
  ])('refuses %s and says why', (pattern, why) => {
    expect(clientPatternProblem(pattern)).toMatch(why);
    expect(() => compileClientPattern(pattern)).toThrow(why);
  });

  it('gives malformed ClientIds no parts, so that no pattern can match them', () => {
    expect(clientIdParts('GCC:QA:GOV:CSGDB:hr-portal')).toEqual(['QA', 'GOV', 'CSGDB', 'hr-portal']);
    expect(clientIdParts('GCC:XX:GOV:CSGDB')).toBeUndefined();
    expect(clientIdParts('GCC:QA:GOV')).toBeUndefined();
    expect(clientIdParts('urn:gcc:client:QA:GOV:CSGDB')).toBeUndefined();
    expect(clientIdParts(undefined)).toBeUndefined();
  });
});
