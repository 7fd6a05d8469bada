import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { packageRoot } from '../../../schemas/schema-files.js';
import { EXIT_DENIED, registerPolicyCommand } from './policy-command.js';
import { commandRunner } from '../testing/run-commands.js';

let dir: string;
const demoPolicy = join(packageRoot(), 'config', 'access-policy.yaml');

/** `gccgw <args>`, in-process. */
const gccgw = commandRunner(registerPolicyCommand);

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gccgw-policy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gccgw policy check', () => {
  it('accepts the demo policy against the committed supergraph', async () => {
    const result = await gccgw('policy', 'check', demoPolicy);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK {2}.*access-policy\.yaml: 6 purposes, 8 rules, 18 public field patterns, 2 client limit entries; 0 error\(s\), 0 warning\(s\)\n$/);
  });

  it('names every problem by its path in the document and exits 1', async () => {
    const broken = parseYaml(await readFile(demoPolicy, 'utf8')) as { defaults: { allowSensitivities: string[] }; public: string[]; rules: Array<Record<string, unknown>> };
    broken.defaults.allowSensitivities.push('PERSONAL');
    broken.public.push('GovernmentEntity.budget');
    (broken.rules[3] as { clients: string[] }).clients[0] = 'GCC:SA:GOV';
    (broken.rules[1] as { fields: string[] }).fields.push('Employee.salary');
    const path = await file('broken.yaml', stringifyYaml(broken));

    // Schema errors first: the document is not checked against the supergraph until it is well-formed.
    const first = await gccgw('policy', 'check', path);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('ERROR    defaults.allowSensitivities[2]: "PERSONAL" cannot be allowed by default');
    expect(first.stdout).toContain('ERROR    rules[3].clients[0]: "GCC:SA:GOV" must name state, class and member');
    expect(first.stdout).toContain('INVALID');

    broken.defaults.allowSensitivities.pop();
    (broken.rules[3] as { clients: string[] }).clients[0] = 'GCC:SA:GOV:*';
    const second = JSON.parse((await gccgw('policy', 'check', await file('broken2.yaml', stringifyYaml(broken)), '--json')).stdout) as { ok: boolean; problems: Array<{ path: string; message: string }> };
    expect(second.ok).toBe(false);
    expect(second.problems.map((p) => p.path)).toEqual(['public[18]', 'rules[1].fields[4]']);
    expect(second.problems[0]?.message).toMatch(/GovernmentEntity\.budget \(FINANCIAL\)/);
    expect(second.problems[1]?.message).toBe('"Employee.salary" matches no field: Employee has no field salary');
  });

  it('warns about a rule that can never match but still exits 0', async () => {
    const doc = parseYaml(await readFile(demoPolicy, 'utf8')) as { rules: unknown[] };
    doc.rules.push({ id: 'mutations-of-queries', clients: ['GCC:**'], operations: ['mutation'], fields: ['Query.employee'] });
    const result = await gccgw('policy', 'check', await file('warn.yaml', stringifyYaml(doc)));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARNING  rules[8]: rule "mutations-of-queries" can never match');
  });

  it('refuses a file that is not YAML', async () => {
    const result = await gccgw('policy', 'check', await file('bad.yaml', 'version: 1\n  purposes: [\n'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ERROR {4}\(document\): .*bad\.yaml is not valid YAML or JSON at line/);
  });
});

describe('gccgw policy explain', () => {
  const pensionQuery = `query PensionFacts($id: String!) {
  employee(nationalId: $id, issuingState: SA) {
    ...Person
    payrollSummaries(from: "2026-01", to: "2026-06") { month gross }
  }
}
fragment Person on Employee { name { en ar } employmentHistory { kind startDate endDate entity { code } } }`;

  it('explains a denial field by field, naming the payroll coordinates and the deny rule, and exits 3', async () => {
    const query = await file('pension.graphql', pensionQuery);
    const result = await gccgw('policy', 'explain', '--client', 'GCC:SA:GOV:MHRSD:hr-verify', '--purpose', 'PENSION_PROTECTION', '--query', query, '--policy', demoPolicy);
    expect(result.code).toBe(EXIT_DENIED);
    expect(result.stdout).toMatch(/^DENIED {2}ERR_POLICY_DENIED\n/);
    expect(result.stdout).toMatch(/[\u0600-\u06FF]/);
    expect(result.stdout).toContain('legal basis: GCC Unified System for Extending Insurance Protection');
    expect(result.stdout).toMatch(/Employee\.employmentHistory +PERSONAL +allowed by rule gcc-pension-and-employment-verification/);
    expect(result.stdout).toMatch(/Employee\.payrollSummaries +FINANCIAL +DENIED by rule no-salaries-or-budgets-across-borders/);
    expect(result.stdout).toMatch(/PayrollSummary\.month +PERSONAL +DENIED: no rule allows this PERSONAL field to this client for PENSION_PROTECTION \(default deny\)/);
    expect(result.stdout).toMatch(/LocalizedName\.en +PUBLIC +allowed: defaults allow PUBLIC fields/);
    expect(result.stdout).toContain('rule no-salaries-or-budgets-across-borders: Salaries, payroll, budgets and spend stay');
  });

  it('prints the decision as JSON and exits 0 when allowed', async () => {
    const query = await file('history.graphql', 'query History { employee(nationalId: "1012345678", issuingState: SA) { employmentHistory { kind grade } } }');
    const result = await gccgw('policy', 'explain', '--client', 'GCC:SA:GOV:MHRSD:hr-verify', '--purpose', 'PENSION_PROTECTION', '--query', query, '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { allowed: boolean; code: null; signatureRequired: boolean; operation: unknown; fields: Array<{ coordinate: string; outcome: string; ruleId: string }> };
    expect(json).toMatchObject({ allowed: true, code: null, signatureRequired: true, operation: { type: 'query', name: 'History' } });
    expect(json.fields).toContainEqual(expect.objectContaining({ coordinate: 'Query.employee', outcome: 'allowed', ruleId: 'gcc-pension-and-employment-verification' }));
  });

  it('says which fields need a purpose when none is given, and lists the known purposes for an unknown one', async () => {
    const query = await file('pension2.graphql', pensionQuery);
    const missing = await gccgw('policy', 'explain', '--client', 'GCC:QA:GOV:CSGDB:hr-portal', '--query', query);
    expect(missing.code).toBe(EXIT_DENIED);
    expect(missing.stdout).toMatch(/^DENIED {2}ERR_PURPOSE_REQUIRED/);
    expect(missing.stdout).toMatch(/Employee\.name +PERSONAL +DENIED: PERSONAL fields need a purpose of use/);
    expect(missing.stdout).toMatch(/LocalizedName\.en +PUBLIC +not evaluated/);
    const unknown = await gccgw('policy', 'explain', '--client', 'GCC:QA:GOV:CSGDB:hr-portal', '--purpose', 'CURIOSITY', '--query', query);
    expect(unknown.code).toBe(EXIT_DENIED);
    expect(unknown.stdout).toContain('purpose    CURIOSITY (not in the policy)');
    expect(unknown.stdout).toContain('known purposes: PENSION_PROTECTION, EMPLOYMENT_VERIFICATION, CIVIL_SERVICE_MOBILITY, BUDGET_REVIEW, CLOUD_OPERATIONS, AUDIT_OVERSIGHT');
  });

  it('says an operation of public fields needs no signature', async () => {
    const query = await file('health.graphql', '{ serviceHealthEvents(first: 2) { edges { node { id status title { en } } } } }');
    const result = await gccgw('policy', 'explain', '--client', 'GCC:OM:GOV:MOH', '--query', query);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('signature  not required (every field is public)');
  });

  it.each([
    [['--client', 'GCC:QA:GOV'], /--client GCC:QA:GOV is not a ClientId/],
    [['--client', 'GCC:QA:GOV:CSGDB:hr-portal', '--query-text'], /unknown option/],
  ])('refuses bad input %j with exit 1', async (args, why) => {
    const query = await file('ok.graphql', '{ cloudSkus { name } }');
    const result = await gccgw('policy', 'explain', '--query', query, ...args).catch((error: Error) => ({ code: 1, stderr: error.message, stdout: '' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(why);
  });

  it('refuses a query that is not valid against the schema, or several operations without a name, with exit 1', async () => {
    const invalid = await gccgw('policy', 'explain', '--client', 'GCC:QA:GOV:CSGDB:hr-portal', '--query', await file('bad.graphql', '{ employee(nationalId: "1") { salary } }'));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('Cannot query field "salary" on type "Employee"');
    const two = await gccgw('policy', 'explain', '--client', 'GCC:QA:GOV:CSGDB:hr-portal', '--query', await file('two.graphql', 'query A { cloudSkus { name } } query B { cloudSkus { kind } }'));
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('name one with --operation-name');
    const named = await gccgw('policy', 'explain', '--client', 'GCC:QA:GOV:CSGDB:hr-portal', '--query', await file('two2.graphql', 'query A { cloudSkus { name } } query B { cloudSkus { kind } }'), '--operation-name', 'B', '--json');
    expect(named.code).toBe(0);
    expect((JSON.parse(named.stdout) as { fields: Array<{ coordinate: string }> }).fields.map((f) => f.coordinate)).toEqual(['CloudSku.kind', 'Query.cloudSkus']);
  });
});
