import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getOperationAST, isInterfaceType, isObjectType, parse, validate, type GraphQLSchema } from 'graphql';
import { readFieldSensitivities, type SensitivityLevel } from '../../../adapters/kit/index.js';
import { packageRoot, supergraphPath } from '../../../schemas/schema-files.js';
import { apiSchemaFromSupergraph } from '../../docs-site/api-schema.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import { EXAMPLE_OPERATIONS } from '../../http/explorer/example-operations.js';
import { AccessPolicy, type PolicyField, type PolicyRequest } from './access-policy.js';
import { parsePolicyText } from './policy-document.js';
import { touchedFields } from './touched-fields.js';

const field = (coordinate: string, sensitivity: SensitivityLevel | undefined, returnType = 'String'): PolicyField => ({
  coordinate,
  parentType: coordinate.slice(0, coordinate.indexOf('.')),
  returnType,
  sensitivity,
});

const QA_PORTAL = 'GCC:QA:GOV:CSGDB:hr-portal';
const SA_VERIFY = 'GCC:SA:GOV:MHRSD:hr-verify';

/** A small policy exercising every kind of rule. */
const policy = AccessPolicy.fromDocument({
  version: 1,
  purposes: [
    { code: 'PENSION_PROTECTION', legalBasis: 'GCC unified insurance-protection extension', description: { en: 'Pensions', ar: 'المعاشات' } },
    { code: 'BUDGET_REVIEW', legalBasis: 'State budget law', description: { en: 'Budgets', ar: 'الميزانيات' } },
  ],
  defaults: { allowSensitivities: ['PUBLIC', 'INTERNAL'], limits: { requestsPerMinute: 60, burst: 10, maxConcurrent: 5, introspection: false } },
  public: ['Query.entity', 'Entity.code', 'Entity.*', 'Employee.name'],
  clients: [
    { clients: ['GCC:QA:GOV:CSGDB:hr-portal'], limits: { introspection: true } },
    { clients: ['GCC:QA:**'], limits: { requestsPerMinute: 600, introspection: false } },
  ],
  rules: [
    { id: 'sa-pensions', clients: ['GCC:SA:GOV:MHRSD:**'], purposes: ['PENSION_PROTECTION'], operations: ['query'], types: ['Employee'] },
    { id: 'sa-no-salaries', effect: 'deny', clients: ['GCC:SA:**'], fields: ['Employee.salary'] },
    { id: 'qa-budgets', clients: ['GCC:QA:GOV:CSGDB'], purposes: ['BUDGET_REVIEW'], sensitivities: ['FINANCIAL'] },
    { id: 'named-only', clients: ['GCC:KW:GOV:CSC:*'], operationNames: ['VerifyPension'], fields: ['Query.employee', 'Employee.*'] },
    { id: 'no-secrets', effect: 'deny', clients: ['GCC:**'], fields: ['Entity.secret', 'Query.entity'], operations: ['mutation'] },
  ],
});

const ask = (overrides: Partial<PolicyRequest>): ReturnType<AccessPolicy['decide']> =>
  policy.decide({ clientId: SA_VERIFY, purpose: undefined, operationType: 'query', operationName: undefined, fields: [], ...overrides });

describe('AccessPolicy.decide', () => {
  it('refuses a purpose that is not one of the policy purposes with ERR_PURPOSE_UNKNOWN, before anything else', () => {
    const decision = ask({ purpose: 'CURIOSITY', fields: [field('Query.entity', 'PUBLIC')] });
    expect(decision).toMatchObject({ allowed: false, code: 'ERR_PURPOSE_UNKNOWN', denied: [], matched: [] });
    expect(policy.isPurpose('CURIOSITY')).toBe(false);
    expect(policy.isPurpose('PENSION_PROTECTION')).toBe(true);
    expect(policy.purposes.get('PENSION_PROTECTION')?.description.ar).toBe('المعاشات');
  });

  it('asks for a purpose when PERSONAL or FINANCIAL fields are touched without one, listing exactly those fields', () => {
    const decision = ask({ fields: [field('Query.employee', 'PERSONAL', 'Employee'), field('Employee.salary', 'FINANCIAL'), field('Entity.code', 'PUBLIC')] });
    expect(decision.allowed).toBe(false);
    expect(decision.code).toBe('ERR_PURPOSE_REQUIRED');
    expect(decision.denied).toEqual([
      { coordinate: 'Employee.salary', sensitivity: 'FINANCIAL', reason: 'purpose-required' },
      { coordinate: 'Query.employee', sensitivity: 'PERSONAL', reason: 'purpose-required' },
    ]);
  });

  it('lets any authenticated member client read PUBLIC and INTERNAL fields without a purpose (defaults)', () => {
    const decision = ask({ clientId: 'GCC:OM:GOV:MOH', fields: [field('Query.units', 'PUBLIC', 'Unit'), field('Unit.size', 'INTERNAL', 'Int')] });
    expect(decision).toEqual({ allowed: true, denied: [], signatureRequired: true, matched: [{ coordinate: 'Query.units', ruleId: 'defaults' }, { coordinate: 'Unit.size', ruleId: 'defaults' }] });
  });

  it('denies everything to a request without a client identity, or with a malformed one (fail closed)', () => {
    for (const clientId of [undefined, 'GCC:XX:GOV:MOH', 'QA:GOV:CSGDB']) {
      const decision = ask({ clientId, fields: [field('Query.entity', 'PUBLIC', 'Entity')] });
      expect(decision).toMatchObject({ allowed: false, code: 'ERR_POLICY_DENIED', denied: [{ coordinate: 'Query.entity', reason: 'no-client-identity' }] });
    }
  });

  it('denies PERSONAL and FINANCIAL by default, even with a valid purpose, when no rule allows them', () => {
    const decision = ask({ clientId: 'GCC:OM:GOV:MOL', purpose: 'PENSION_PROTECTION', fields: [field('Query.employee', 'PERSONAL', 'Employee'), field('Entity.budget', 'FINANCIAL', 'Float')] });
    expect(decision.code).toBe('ERR_POLICY_DENIED');
    expect(decision.denied).toEqual([
      { coordinate: 'Entity.budget', sensitivity: 'FINANCIAL', reason: 'no-allow-rule' },
      { coordinate: 'Query.employee', sensitivity: 'PERSONAL', reason: 'no-allow-rule' },
    ]);
  });

  it('allows PERSONAL fields by a rule for its client, purpose and operation type only', () => {
    const fields = [field('Query.employee', 'PERSONAL', 'Employee'), field('Employee.name', 'PERSONAL')];
    expect(ask({ purpose: 'PENSION_PROTECTION', fields }).matched).toEqual([
      { coordinate: 'Query.employee', ruleId: 'sa-pensions' },
      { coordinate: 'Employee.name', ruleId: 'sa-pensions' },
    ]);
    expect(ask({ purpose: 'PENSION_PROTECTION', fields }).allowed).toBe(true);
    expect(ask({ purpose: 'BUDGET_REVIEW', fields }).code).toBe('ERR_POLICY_DENIED');
    expect(ask({ purpose: 'PENSION_PROTECTION', operationType: 'mutation', fields }).code).toBe('ERR_POLICY_DENIED');
    expect(ask({ clientId: 'GCC:SA:GOV:MOF', purpose: 'PENSION_PROTECTION', fields }).code).toBe('ERR_POLICY_DENIED');
  });

  it('lets a deny rule beat an allow rule, the defaults and the public list', () => {
    // Employee.salary matches the allow rule sa-pensions (type Employee) and the deny rule sa-no-salaries.
    const decision = ask({ purpose: 'PENSION_PROTECTION', fields: [field('Query.employee', 'PERSONAL', 'Employee'), field('Employee.salary', 'FINANCIAL', 'Float')] });
    expect(decision).toMatchObject({ allowed: false, code: 'ERR_POLICY_DENIED', denied: [{ coordinate: 'Employee.salary', sensitivity: 'FINANCIAL', reason: 'deny-rule', ruleId: 'sa-no-salaries' }] });
    // Query.entity is PUBLIC and public, but no-secrets denies it in mutations.
    expect(ask({ operationType: 'mutation', fields: [field('Query.entity', 'PUBLIC', 'Entity')] }).denied).toEqual([{ coordinate: 'Query.entity', sensitivity: 'PUBLIC', reason: 'deny-rule', ruleId: 'no-secrets' }]);
  });

  it('applies a rule without ** to the member only, and GCC:*:…:* style patterns to one level only', () => {
    const budget = [field('Entity.budget', 'FINANCIAL', 'Float')];
    expect(ask({ clientId: 'GCC:QA:GOV:CSGDB', purpose: 'BUDGET_REVIEW', fields: budget }).matched).toEqual([{ coordinate: 'Entity.budget', ruleId: 'qa-budgets' }]);
    expect(ask({ clientId: QA_PORTAL, purpose: 'BUDGET_REVIEW', fields: budget }).code).toBe('ERR_POLICY_DENIED');
    // named-only is for subsystems of KW CSC (GCC:KW:GOV:CSC:*), not for the member itself.
    const pension = [field('Query.employee', 'PERSONAL', 'Employee')];
    expect(ask({ clientId: 'GCC:KW:GOV:CSC:hr-portal', purpose: 'PENSION_PROTECTION', operationName: 'VerifyPension', fields: pension }).allowed).toBe(true);
    expect(ask({ clientId: 'GCC:KW:GOV:CSC', purpose: 'PENSION_PROTECTION', operationName: 'VerifyPension', fields: pension }).allowed).toBe(false);
  });

  it('matches operationNames only for operations of those names (never anonymous ones)', () => {
    const base = { clientId: 'GCC:KW:GOV:CSC:hr-portal', purpose: 'PENSION_PROTECTION', fields: [field('Query.employee', 'PERSONAL', 'Employee'), field('Employee.nationalId', 'PERSONAL')] };
    expect(ask({ ...base, operationName: 'VerifyPension' }).allowed).toBe(true);
    expect(ask({ ...base, operationName: 'SomethingElse' }).code).toBe('ERR_POLICY_DENIED');
    expect(ask({ ...base, operationName: undefined }).code).toBe('ERR_POLICY_DENIED');
    expect(ask({ ...base, operationName: null }).code).toBe('ERR_POLICY_DENIED');
  });

  it('matches a field by its return type as well as by its parent type', () => {
    // sa-pensions lists the type Employee: Query.employee returns Employee, Employee.name is on it.
    const decision = ask({ purpose: 'PENSION_PROTECTION', fields: [field('Position.holder', 'PERSONAL', 'Employee'), field('Record.start', 'PERSONAL')] });
    expect(decision.matched).toEqual([{ coordinate: 'Position.holder', ruleId: 'sa-pensions' }]);
    expect(decision.denied).toEqual([{ coordinate: 'Record.start', sensitivity: 'PERSONAL', reason: 'no-allow-rule' }]);
  });

  it('treats a field without a sensitivity as PERSONAL: it needs a purpose, is never public, and only PERSONAL rules allow it', () => {
    expect(ask({ fields: [field('Entity.unlabelled', undefined)] })).toMatchObject({ code: 'ERR_PURPOSE_REQUIRED', denied: [{ coordinate: 'Entity.unlabelled', sensitivity: 'UNCLASSIFIED', reason: 'purpose-required' }] });
    // Entity.* is public, but not for an unclassified field.
    expect(policy.isPublic(field('Entity.unlabelled', undefined))).toBe(false);
    expect(ask({ clientId: 'GCC:OM:GOV:MOL', purpose: 'PENSION_PROTECTION', fields: [field('Entity.unlabelled', undefined)] }).denied).toEqual([{ coordinate: 'Entity.unlabelled', sensitivity: 'UNCLASSIFIED', reason: 'no-allow-rule' }]);
  });

  it('requires no signature only when every field is public, and never counts PERSONAL fields as public', () => {
    expect(ask({ fields: [field('Query.entity', 'PUBLIC', 'Entity'), field('Entity.code', 'PUBLIC')] }).signatureRequired).toBe(false);
    expect(ask({ fields: [field('Query.entity', 'PUBLIC', 'Entity'), field('Entity.headcount', 'INTERNAL', 'Int')] }).signatureRequired).toBe(false);
    expect(ask({ fields: [field('Query.entity', 'PUBLIC', 'Entity'), field('Other.thing', 'PUBLIC')] }).signatureRequired).toBe(true);
    // Employee.name is listed public by mistake (no schema was given to refuse it at load): still not public.
    const personal = ask({ purpose: 'PENSION_PROTECTION', fields: [field('Query.employee', 'PERSONAL', 'Employee'), field('Employee.name', 'PERSONAL')] });
    expect(personal.signatureRequired).toBe(true);
    expect(personal.matched).toContainEqual({ coordinate: 'Employee.name', ruleId: 'sa-pensions' });
    expect(ask({ fields: [] }).signatureRequired).toBe(true);
  });

  it('grants public INTERNAL fields even when the defaults do not allow INTERNAL', () => {
    const strict = AccessPolicy.fromDocument({ ...policy.document, defaults: { ...policy.document.defaults, allowSensitivities: ['PUBLIC'] } });
    const decide = (coordinate: string): ReturnType<AccessPolicy['decide']> =>
      strict.decide({ clientId: 'GCC:OM:GOV:MOL', purpose: undefined, operationType: 'query', operationName: undefined, fields: [field(coordinate, 'INTERNAL', 'Int')] });
    expect(decide('Entity.headcount').matched).toEqual([{ coordinate: 'Entity.headcount', ruleId: 'public' }]);
    expect(decide('Unit.size').denied).toEqual([{ coordinate: 'Unit.size', sensitivity: 'INTERNAL', reason: 'no-allow-rule' }]);
  });

  it('lists every denied coordinate once, sorted', () => {
    const decision = ask({
      clientId: 'GCC:OM:GOV:MOL',
      purpose: 'PENSION_PROTECTION',
      fields: [field('Z.b', 'PERSONAL'), field('A.a', 'FINANCIAL'), field('Z.b', 'PERSONAL'), field('M.m', 'PUBLIC'), field('B.c', 'PERSONAL')],
    });
    expect(decision.denied.map((d) => d.coordinate)).toEqual(['A.a', 'B.c', 'Z.b']);
  });

  it('skips __typename and introspection fields instead of judging them', () => {
    const decision = ask({ fields: [field('Query.__typename', undefined), field('Query.__schema', undefined, '__Schema'), field('__Type.name', undefined), field('Query.entity', 'PUBLIC', 'Entity')] });
    expect(decision).toEqual({ allowed: true, denied: [], signatureRequired: false, matched: [{ coordinate: 'Query.entity', ruleId: 'defaults' }] });
  });
});

describe('AccessPolicy.limitsFor', () => {
  it('takes the first matching clients entry over the defaults, property by property', () => {
    expect(policy.limitsFor(QA_PORTAL)).toEqual({ requestsPerMinute: 60, burst: 10, maxConcurrent: 5, introspection: true });
    expect(policy.limitsFor('GCC:QA:GOV:MOF')).toEqual({ requestsPerMinute: 600, burst: 10, maxConcurrent: 5, introspection: false });
    expect(policy.limitsFor(SA_VERIFY)).toEqual(policy.document.defaults.limits);
    expect(policy.limitsFor(undefined)).toEqual(policy.document.defaults.limits);
  });
});

const sdl = readFileSync(supergraphPath(), 'utf8');
const schema: GraphQLSchema = apiSchemaFromSupergraph(sdl);
const sensitivities = readFieldSensitivities(sdl);
const against = { schema, sensitivities };

describe('a policy checked against the supergraph', () => {
  const base = { ...policy.document, public: [], clients: [], rules: [] };

  it('is refused at load when a public pattern matches a PERSONAL or FINANCIAL field', () => {
    let error: unknown;
    try {
      AccessPolicy.fromDocument({ ...base, public: ['Query.governmentEntity', 'GovernmentEntity.*'] }, { against, source: 'p.yaml' });
    } catch (e) {
      error = e;
    }
    expect(isGatewayError(error) && error.code).toBe('ERR_CONFIG_INVALID');
    expect((error as Error).message).toMatch(/^p\.yaml is invalid: public\[1\]: "GovernmentEntity\.\*" matches fields that are PERSONAL, FINANCIAL or unclassified.*GovernmentEntity\.budget \(FINANCIAL\)/);
  });

  it('reports field patterns and types that match nothing as errors, with their paths', () => {
    const { policy: loaded, problems } = AccessPolicy.check(
      { ...base, rules: [{ id: 'r', clients: ['GCC:**'], fields: ['Query.employee', 'Query.nope', 'Nope.*'], types: ['Employe'] }], public: ['Query.memberStates'] },
      against,
    );
    expect(loaded).toBeUndefined();
    expect(problems.map((p) => [p.severity, p.path])).toEqual([
      ['error', 'public[0]'],
      ['error', 'rules[0].fields[1]'],
      ['error', 'rules[0].fields[2]'],
      ['error', 'rules[0].types[0]'],
    ]);
    expect(problems[1]?.message).toBe('"Query.nope" matches no field: Query has no field nope');
    expect(problems[2]?.message).toBe('"Nope.*" matches no field: the schema has no type Nope');
  });

  it('warns about rules that can never match or add nothing, and still loads', () => {
    const { policy: loaded, problems } = AccessPolicy.check(
      {
        ...base,
        rules: [
          { id: 'mutation-only', clients: ['GCC:**'], operations: ['mutation'], fields: ['Query.employee'] },
          { id: 'redundant', clients: ['GCC:**'], fields: ['GovernmentEntity.headcount', 'Query.governmentEntity'] },
          { id: 'fine', clients: ['GCC:**'], purposes: ['PENSION_PROTECTION'], fields: ['Query.employee'] },
        ],
      },
      against,
    );
    expect(loaded).toBeDefined();
    expect(problems).toEqual([
      { severity: 'warning', path: 'rules[0]', message: 'rule "mutation-only" can never match: none of its fields can be selected in a mutation operation' },
      { severity: 'warning', path: 'rules[1]', message: 'rule "redundant" adds nothing: every field it covers is PUBLIC or INTERNAL, which defaults.allowSensitivities already allows' },
    ]);
  });
});

describe('the demo policy (config/access-policy.yaml) against the committed supergraph', () => {
  const demoFile = join(packageRoot(), 'config', 'access-policy.yaml');
  const demo = AccessPolicy.fromFile(demoFile, { against });

  function decide(clientId: string, purpose: string | undefined, query: string): ReturnType<AccessPolicy['decide']> {
    const document = parse(query);
    expect(validate(schema, document)).toEqual([]);
    const operation = getOperationAST(document);
    if (operation === null || operation === undefined) throw new Error('one operation expected');
    return demo.decide({ clientId, purpose, operationType: operation.operation, operationName: operation.name?.value, fields: touchedFields(schema, document, sensitivities) });
  }

  const OTHER_STATES = ['GCC:SA:GOV:MHRSD:hr-verify', 'GCC:AE:GOV:FAHR:hr-portal', 'GCC:BH:GOV:CSB:hr-portal', 'GCC:KW:GOV:CSC:hr-portal', 'GCC:OM:GOV:MOL:hr-portal'];

  it('has no problems against the supergraph, not even warnings', () => {
    const { problems } = AccessPolicy.check(parsePolicyText(readFileSync(demoFile, 'utf8')), against);
    expect(problems).toEqual([]);
  });

  it("lets SA's pension verifier read an employee's employment for PENSION_PROTECTION, but denies the payroll coordinates by name", () => {
    const employment = `query Pension { employee(nationalId: "1012345678", issuingState: SA) { nationalId name { en ar } entity { code name { en } } grade hireDate employmentHistory { kind entity { code } grade startDate endDate } } }`;
    const allowed = decide(SA_VERIFY, 'PENSION_PROTECTION', employment);
    expect(allowed.allowed).toBe(true);
    expect(allowed.matched).toContainEqual({ coordinate: 'Employee.employmentHistory', ruleId: 'gcc-pension-and-employment-verification' });

    const payroll = `query Pension { employee(nationalId: "1012345678", issuingState: SA) { name { en } payrollSummaries(from: "2026-01", to: "2026-06") { month gross net } } }`;
    const denied = decide(SA_VERIFY, 'PENSION_PROTECTION', payroll);
    expect(denied.code).toBe('ERR_POLICY_DENIED');
    expect(denied.denied.map((d) => d.coordinate)).toEqual(['Employee.payrollSummaries', 'PayrollSummary.gross', 'PayrollSummary.month', 'PayrollSummary.net']);
    expect(denied.denied.find((d) => d.coordinate === 'PayrollSummary.gross')).toEqual({ coordinate: 'PayrollSummary.gross', sensitivity: 'FINANCIAL', reason: 'deny-rule', ruleId: 'no-salaries-or-budgets-across-borders' });
  });

  it.each(OTHER_STATES)('lets %s verify employment for EMPLOYMENT_VERIFICATION with a salary band, never the exact salary or a budget', (clientId) => {
    const band = `{ verifyEmployment(nationalId: "1012345678", issuingState: SA) { employed entity { code name { en ar } } since grade salaryBand } }`;
    expect(decide(clientId, 'EMPLOYMENT_VERIFICATION', band).allowed).toBe(true);
    expect(decide(clientId, 'PENSION_PROTECTION', band).allowed).toBe(true);
    expect(decide(clientId, 'CIVIL_SERVICE_MOBILITY', band).code).toBe('ERR_POLICY_DENIED');
    expect(decide(clientId, 'EMPLOYMENT_VERIFICATION', `{ verifyEmployment(nationalId: "1", issuingState: SA) { employed grossMonthlySalary currency } }`).denied.map((d) => d.coordinate)).toEqual([
      'EmploymentVerification.currency',
      'EmploymentVerification.grossMonthlySalary',
    ]);
    expect(decide(clientId, 'AUDIT_OVERSIGHT', `{ budget(entity: { state: QA, code: "MOF" }, fiscalYear: 2026) { appropriated } }`).code).toBe('ERR_POLICY_DENIED');
  });

  it('keeps PUBLIC and INTERNAL fields open to any authenticated member client, without a purpose', () => {
    const query = `{ governmentEntities(state: QA, first: 5) { totalCount edges { node { code name { en ar } kind headcount cloudTenants { id region status } } } } }`;
    for (const clientId of [...OTHER_STATES, 'GCC:OM:GOV:MOH', 'GCC:BH:COM:BAPCO:erp']) expect(decide(clientId, undefined, query)).toMatchObject({ allowed: true, signatureRequired: true });
    expect(decide('GCC:OM:GOV:MOH', undefined, `{ serviceHealthEvents(first: 3) { edges { node { id title { en ar } status } } } }`)).toMatchObject({ allowed: true, signatureRequired: false });
  });

  it('lets the demo HR portal run every explorer example with the purpose the example needs', () => {
    const purposes: Record<string, string | undefined> = { EntityWithCloudSpend: 'BUDGET_REVIEW', GovernmentEntities: undefined, CloudTenants: undefined };
    for (const example of EXAMPLE_OPERATIONS) {
      const name = getOperationAST(parse(example.query))?.name?.value ?? '';
      expect(Object.keys(purposes)).toContain(name);
      expect([name, decide(QA_PORTAL, purposes[name], example.query).allowed]).toEqual([name, true]);
    }
    expect(decide(QA_PORTAL, 'CLOUD_OPERATIONS', EXAMPLE_OPERATIONS[0]?.query ?? '').allowed).toBe(true);
    expect(decide(QA_PORTAL, undefined, EXAMPLE_OPERATIONS[0]?.query ?? '').code).toBe('ERR_PURPOSE_REQUIRED');
  });

  it('lets the demo HR portal use every field of the supergraph for some purpose', () => {
    const purposes = [undefined, ...demo.purposes.keys()];
    const unreachable: string[] = [];
    let checked = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const definition of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${definition.name}`;
        checked += 1;
        const sensitivity = sensitivities.get(coordinate);
        const returnType = String(definition.type).replace(/[[\]!]/g, '');
        const operationType = type.name === 'Mutation' ? 'mutation' : 'query';
        const ok = purposes.some((purpose) => demo.decide({ clientId: QA_PORTAL, purpose, operationType, operationName: undefined, fields: [{ coordinate, parentType: type.name, returnType, sensitivity }] }).allowed);
        if (!ok) unreachable.push(coordinate);
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(unreachable).toEqual([]);
  });

  it('gives the demo HR portal introspection (for the explorer) and other clients none', () => {
    expect(demo.limitsFor(QA_PORTAL).introspection).toBe(true);
    expect(demo.limitsFor(SA_VERIFY)).toEqual({ requestsPerMinute: 1800, burst: 200, maxConcurrent: 40, introspection: false });
    expect(demo.limitsFor('GCC:OM:GOV:MOL:hr-portal').introspection).toBe(false);
  });
});
