import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { packageRoot } from '../../../schemas/schema-files.js';
import { clientPatternProblem } from './client-pattern.js';
import { documentPath, parsePolicyText, validatePolicyDocument } from './policy-document.js';

/** A small valid document; tests change one thing each. */
function minimal(): Record<string, unknown> {
  return {
    version: 1,
    purposes: [{ code: 'PENSION_PROTECTION', legalBasis: 'GCC unified insurance-protection extension', description: { en: 'Pensions', ar: 'المعاشات' } }],
    defaults: { allowSensitivities: ['PUBLIC', 'INTERNAL'], limits: { requestsPerMinute: 60, burst: 10, maxConcurrent: 5, introspection: false } },
    rules: [{ id: 'pensions', clients: ['GCC:SA:GOV:MHRSD:**'], purposes: ['PENSION_PROTECTION'], types: ['Employee'] }],
  };
}

const paths = (value: unknown): string[] => validatePolicyDocument(value).map((p) => p.path);

describe('policy documents', () => {
  it('accepts the demo policy config/access-policy.yaml as it is committed', () => {
    const demo = parsePolicyText(readFileSync(join(packageRoot(), 'config', 'access-policy.yaml'), 'utf8'));
    expect(validatePolicyDocument(demo)).toEqual([]);
  });

  it('refuses PERSONAL or FINANCIAL in defaults.allowSensitivities: default deny is not configurable', () => {
    const doc = minimal();
    (doc['defaults'] as { allowSensitivities: string[] }).allowSensitivities = ['PUBLIC', 'INTERNAL', 'PERSONAL', 'FINANCIAL'];
    const problems = validatePolicyDocument(doc);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['defaults.allowSensitivities[2]', 'defaults.allowSensitivities[3]']));
    expect(problems.find((p) => p.path === 'defaults.allowSensitivities[2]')?.message).toMatch(/"PERSONAL" cannot be allowed by default.*not configurable/);
  });

  it('refuses a bad client pattern and names where it is and what is wrong', () => {
    const doc = minimal();
    (doc['rules'] as Array<{ clients: string[] }>)[0]!.clients = ['GCC:SA:GOV:MHRSD:**', 'GCC:SA:GOV'];
    const problems = validatePolicyDocument(doc);
    expect(problems).toEqual([{ severity: 'error', path: 'rules[0].clients[1]', message: expect.stringMatching(/must name state, class and member/) }]);
  });

  it('refuses a rule that names no fields, types or sensitivities', () => {
    const doc = minimal();
    doc['rules'] = [{ id: 'everything', clients: ['GCC:**'] }];
    expect(validatePolicyDocument(doc)).toEqual([{ severity: 'error', path: 'rules[0]', message: expect.stringMatching(/at least one of "fields", "types" or "sensitivities"/) }]);
  });

  it('refuses rules naming undefined purposes, duplicate rule ids and duplicate purpose codes', () => {
    const doc = minimal();
    doc['purposes'] = [...(doc['purposes'] as unknown[]), ...(doc['purposes'] as unknown[])];
    doc['rules'] = [
      { id: 'a', clients: ['GCC:**'], purposes: ['BUDGET_REVIEW'], sensitivities: ['PERSONAL'] },
      { id: 'a', clients: ['GCC:**'], sensitivities: ['INTERNAL'] },
    ];
    expect(paths(doc)).toEqual(['purposes[1].code', 'rules[0].purposes[0]', 'rules[1].id']);
  });

  it('refuses the reserved rule ids, unknown properties, malformed field patterns and purpose codes', () => {
    const doc = minimal();
    doc['public'] = ['Query.governmentEntity', 'Query'];
    doc['rules'] = [{ id: 'defaults', clients: ['GCC:**'], fields: ['employee'], purposes: ['pension'], effect: 'permit', extra: true }];
    const problems = validatePolicyDocument(doc);
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    expect(byPath.get('public[1]')).toMatch(/not a field pattern/);
    expect(byPath.get('rules[0].id')).toMatch(/reserved/);
    expect(byPath.get('rules[0].fields[0]')).toMatch(/not a field pattern/);
    expect(byPath.get('rules[0].purposes[0]')).toMatch(/not a purpose code/);
    expect(byPath.get('rules[0].effect')).toMatch(/"allow", "deny"/);
    expect(byPath.get('rules[0]')).toMatch(/unknown property "extra"/);
  });

  it('refuses a document of another version or without defaults', () => {
    expect(paths({ ...minimal(), version: 2 })).toEqual(['version']);
    const { defaults: _defaults, ...rest } = minimal();
    expect(validatePolicyDocument(rest)).toEqual([{ severity: 'error', path: '(document)', message: '"defaults" is required' }]);
  });

  it('keeps the JSON Schema pattern for clients and the pattern compiler in agreement', () => {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'policy.schema.json'), 'utf8')) as { $defs: { clientPattern: { pattern: string } } };
    const regex = new RegExp(schema.$defs.clientPattern.pattern, 'u');
    const samples = [
      'GCC:**', 'GCC:SA:**', 'GCC:*:**', 'GCC:*:GOV:*', 'GCC:*:GOV:*:*', 'GCC:*:GOV:**', 'GCC:QA:GOV:CSGDB', 'GCC:QA:GOV:CSGDB:hr-portal', 'GCC:QA:GOV:CSGDB:**',
      'GCC:QA', 'GCC:QA:GOV', 'GCC:XX:GOV:A', 'GCC:QA:GOV:CSGDB:hr:x', 'GCC:QA:GOV:CSGDB:hr:**', 'GCC:QA:**:X', 'GCC:QA:GOV:C*', 'gcc:QA:GOV:A', 'GCC:', 'GCC:QA:GOV:A.b_c-d',
    ];
    for (const sample of samples) expect([sample, regex.test(sample)]).toEqual([sample, clientPatternProblem(sample) === undefined]);
  });

  it('reads JSON as well as YAML, and refuses duplicate keys with the line', () => {
    expect(validatePolicyDocument(parsePolicyText(JSON.stringify(minimal())))).toEqual([]);
    expect(() => parsePolicyText('version: 1\nrules: []\nrules: []\n', 'p.yaml')).toThrow(/p\.yaml is not valid YAML or JSON at line 3/);
  });

  it('turns JSON Pointers into document paths', () => {
    expect(documentPath('/rules/3/clients/0')).toBe('rules[3].clients[0]');
    expect(documentPath('/defaults/limits')).toBe('defaults.limits');
    expect(documentPath('')).toBe('(document)');
  });
});
