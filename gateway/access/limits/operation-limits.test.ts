import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { supergraphPath } from '../../../schemas/schema-files.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import { estimateCost } from './cost-analysis.js';
import {
  costLimitError,
  DEFAULT_OPERATION_LIMITS,
  MAX_INTROSPECTION_LIST_NESTING,
  maxDepthRule,
  operationLimitError,
  operationLimitRules,
  tokenLimitError,
  type OperationLimits,
} from './operation-limits.js';

// The real, committed supergraph: its @cost / @listSize directives are what the rules read.
const schema: GraphQLSchema = buildSchema(readFileSync(supergraphPath(), 'utf8'));

interface Refusal {
  readonly code: unknown;
  readonly limit: unknown;
  readonly actual: unknown;
  readonly message: string;
}

/** Standard validation plus the limit rules, as Apollo Server runs them; only the limit errors. */
function refusals(query: string, limits: OperationLimits = DEFAULT_OPERATION_LIMITS): Refusal[] {
  return validate(schema, parse(query), [...specifiedRules, ...operationLimitRules(limits)])
    .filter((error) => typeof error.extensions['code'] === 'string')
    .map((error) => ({ code: error.extensions['code'], limit: error.extensions['limit'], actual: error.extensions['actual'], message: error.message }));
}

const codes = (query: string, limits?: OperationLimits): unknown[] => refusals(query, limits).map((r) => r.code);

/** `Employee -> entity -> organizationUnits -> positions -> holder -> entity -> ...`, `rounds` times. */
function employeeChain(rounds: number): string {
  let inner = 'employeeNumber';
  for (let i = 0; i < rounds; i++) inner = `entity { organizationUnits { positions { holder { ${inner} } } } }`;
  return `{ employee(nationalId: "28763400001", issuingState: QA) { ${inner} } }`;
}

describe('operation limits on the committed supergraph', () => {
  it('lets a realistic cross-subgraph query under every limit through all the rules', () => {
    const query = `
      query EntityOverview($state: MemberState!, $code: String!) {
        governmentEntity(state: $state, code: $code) {
          code name { en ar } kind headcount
          parent { code name { en } }
          organizationUnits { id name { en } positions(vacant: true) { id title { en } grade } }
          budget(fiscalYear: 2026) { appropriated spent lines { code spent } }
          cloudTenants { id displayName quotas { kind limit used } }
          cloudSpend(month: "2026-01") { totalQar }
        }
        employees(first: 10) { totalCount edges { cursor node { employeeNumber name { en } } } pageInfo { hasNextPage endCursor } }
      }`;
    expect(validate(schema, parse(query), [...specifiedRules, ...operationLimitRules(DEFAULT_OPERATION_LIMITS)])).toEqual([]);
  });

  it('refuses deep nesting through Employee -> entity -> positions -> holder -> ... with ERR_LIMIT_DEPTH, limit and actual depth', () => {
    // employee + 4 fields per round + employeeNumber: 2 rounds are 10 deep, 3 rounds 14.
    const limits = { ...DEFAULT_OPERATION_LIMITS, maxCost: 1e12 };
    expect(refusals(employeeChain(2), limits)).toEqual([]);
    expect(refusals(employeeChain(3), limits)).toEqual([{ code: 'ERR_LIMIT_DEPTH', limit: 12, actual: 14, message: 'Operation depth 14 exceeds the limit of 12.' }]);
  });

  it('counts depth through fragments and inline fragments the same as written out', () => {
    const query = `
      query Deep { employee(nationalId: "28763400001", issuingState: QA) { ...Round1 } }
      fragment Round1 on Employee { entity { ... on GovernmentEntity { organizationUnits { ...Round1Units } } } }
      fragment Round1Units on OrganizationUnit { positions { holder { ... { ...Round2 } } } }
      fragment Round2 on Employee { entity { organizationUnits { positions { holder { ...Round3 } } } } }
      fragment Round3 on Employee { entity { organizationUnits { positions { holder { employeeNumber } } } } }`;
    const limits = { ...DEFAULT_OPERATION_LIMITS, maxCost: 1e12 };
    expect(refusals(query, limits)).toEqual([{ code: 'ERR_LIMIT_DEPTH', limit: 12, actual: 14, message: 'Operation "Deep" depth 14 exceeds the limit of 12.' }]);
    expect(refusals(query, { ...limits, maxDepth: 14 })).toEqual([]);
  });

  it('ends on a fragment cycle and leaves its report to the standard NoFragmentCyclesRule', () => {
    const query = `
      { governmentEntity(state: QA, code: "MOF") { ...Up } }
      fragment Up on GovernmentEntity { parent { ...Down } }
      fragment Down on GovernmentEntity { parent { ...Up } }`;
    const errors = validate(schema, parse(query), [...specifiedRules, ...operationLimitRules(DEFAULT_OPERATION_LIMITS)]);
    expect(errors.map((e) => e.message)).toEqual(['Cannot spread fragment "Up" within itself via "Down".']);
  });

  it('refuses 1,000 aliases of a cheap field with ERR_LIMIT_ALIASES', () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `c${i}: code`).join(' ');
    expect(refusals(`{ governmentEntity(state: QA, code: "MOF") { ${aliases} } }`)).toEqual([
      { code: 'ERR_LIMIT_ALIASES', limit: 30, actual: 1000, message: 'Operation uses 1000 aliases, more than the limit of 30.' },
    ]);
  });

  it('refuses 1,000 aliased root fields as too many aliases and too many root fields', () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `t${i}: __typename`).join(' ');
    expect(codes(`{ ${aliases} }`)).toEqual(['ERR_LIMIT_ALIASES', 'ERR_LIMIT_ROOT_FIELDS']);
    expect(refusals(`{ ${aliases} }`)[1]).toMatchObject({ limit: 20, actual: 1000 });
  });

  it('counts root fields through fragments at the root, and a repeated response key once', () => {
    const fields = Array.from({ length: 12 }, (_, i) => `e${i}: governmentEntity(state: QA, code: "E${i}") { code }`);
    const query = `{ ${fields.slice(0, 6).join(' ')} ...More ... on Query { ${fields.slice(6).join(' ')} } e0: governmentEntity(state: QA, code: "E0") { code } }
      fragment More on Query { m0: cloudSkus { name } m1: cloudSkus { name } }`;
    const limits = { ...DEFAULT_OPERATION_LIMITS, maxAliases: 1000, maxRootFields: 13 };
    expect(refusals(query, limits)).toEqual([{ code: 'ERR_LIMIT_ROOT_FIELDS', limit: 13, actual: 14, message: 'Operation selects 14 root fields, more than the limit of 13.' }]);
    expect(refusals(query, { ...limits, maxRootFields: 14 })).toEqual([]);
  });

  it('counts aliases of fragments spread inside fragments multiplicatively, in linear time', () => {
    // Each level spreads the next twice under two aliases: 2^40 - 2 aliases, 41 levels deep.
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment L${i} on GovernmentEntity { code }` : `fragment L${i} on GovernmentEntity { a: parent { ...L${i + 1} } b: parent { ...L${i + 1} } }`,
    );
    const query = `{ governmentEntity(state: QA, code: "MOF") { ...L0 } } ${fragments.join('\n')}`;
    const started = performance.now();
    const result = refusals(query);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result.find((r) => r.code === 'ERR_LIMIT_ALIASES')).toMatchObject({ actual: 2 ** 40 - 2 });
    expect(result.find((r) => r.code === 'ERR_LIMIT_DEPTH')).toMatchObject({ actual: 41 });
    // governmentEntity (1) + 2 parents per level, each 1 plus the level below.
    expect(result.find((r) => r.code === 'ERR_LIMIT_COST')).toMatchObject({ limit: 5000, actual: 2 ** 40 - 1 });
  });

  it('refuses a list of lists with first: 1000 as too expensive, with the estimated cost', () => {
    const query = '{ employees(first: 1000) { edges { node { employmentHistory { entity { name { en } } } } } } }';
    const cost = estimateCost(schema, parse(query), undefined, { defaultListSize: 20 });
    expect(refusals(query)).toEqual([{ code: 'ERR_LIMIT_COST', limit: 5000, actual: cost, message: `Operation estimated cost ${cost} exceeds the limit of 5000.` }]);
    expect(cost).toBe(1 + 1000 * (1 + 1 + 10 * (1 + 1 + 1)));
    expect(refusals(query.replace('1000', '10'))).toEqual([]);
  });

  it('estimates a slicing variable statically at validation, and the request check catches its real value', () => {
    const query = 'query Page($n: Int) { employees(first: $n) { edges { node { employmentHistory { entity { name { en } } } } } } }';
    expect(refusals(query)).toEqual([]);
    const actual = estimateCost(schema, parse(query), { n: 1000 }, { defaultListSize: DEFAULT_OPERATION_LIMITS.defaultListSize });
    expect(actual).toBeGreaterThan(DEFAULT_OPERATION_LIMITS.maxCost);
    const error = costLimitError(actual, DEFAULT_OPERATION_LIMITS.maxCost, 'Page');
    expect(error.extensions).toEqual({ code: 'ERR_LIMIT_COST', limit: 5000, actual });
    expect(error.message).toBe(`Operation "Page" estimated cost ${actual} exceeds the limit of 5000.`);
  });

  it('lets the standard introspection query through but refuses an introspection bomb', () => {
    expect(refusals(getIntrospectionQuery())).toEqual([]);
    const bomb = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    expect(refusals(bomb)).toEqual([
      {
        code: 'ERR_LIMIT_DEPTH',
        limit: MAX_INTROSPECTION_LIST_NESTING,
        actual: 4,
        message: `Operation nests introspection lists 4 deep; the limit is ${MAX_INTROSPECTION_LIST_NESTING}.`,
      },
    ]);
  });

  it('checks every operation of a document and names it', () => {
    const query = `query Small { governmentEntity(state: QA, code: "MOF") { code } } query Big { governmentEntities(first: 100) { edges { node { organizationUnits { positions { id } } } } } }`;
    expect(refusals(query).map((r) => r.message)).toEqual([expect.stringMatching(/^Operation "Big" estimated cost \d+ exceeds the limit of 5000\.$/)]);
  });

  it('refuses a limit that is not a non-negative integer when the rules are made', () => {
    expect(() => operationLimitRules({ ...DEFAULT_OPERATION_LIMITS, maxDepth: -1 })).toThrow(TypeError);
    expect(() => maxDepthRule(1.5)).toThrow(TypeError);
  });
});

describe('token limit', () => {
  it('recognises graphql-js refusing a document over maxTokens as ERR_LIMIT_TOKENS with the limit', () => {
    const query = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    let thrown: unknown;
    try {
      parse(query, { maxTokens: 50 });
    } catch (error) {
      thrown = error;
    }
    const limit = tokenLimitError(thrown);
    expect(limit?.code).toBe('ERR_LIMIT_TOKENS');
    expect(limit?.details).toEqual({ limit: 50 });
    expect(limit?.message).toBe('The GraphQL document has more than 50 tokens, the limit.');
    expect(() => parse(query, { maxTokens: 200 })).not.toThrow();
  });

  it('does not take other syntax errors or limit errors for a token limit', () => {
    let thrown: unknown;
    try {
      parse('{ a(', { maxTokens: 50 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeDefined();
    expect(tokenLimitError(thrown)).toBeUndefined();
    expect(tokenLimitError(costLimitError(6000, 5000))).toBeUndefined();
    expect(operationLimitError(thrown)).toBeUndefined();
  });
});

describe('through Apollo Server', () => {
  // What formatError receives is what the lead's formatGraphQLError maps; capture it.
  const seen: unknown[] = [];
  const server = new ApolloServer({
    schema,
    validationRules: operationLimitRules(DEFAULT_OPERATION_LIMITS),
    parseOptions: { maxTokens: DEFAULT_OPERATION_LIMITS.maxTokens },
    formatError: (formatted: GraphQLFormattedError, error: unknown) => {
      seen.push(error);
      return formatted;
    },
  });
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function firstError(query: string): Promise<{ formatted: GraphQLFormattedError | undefined; error: unknown }> {
    seen.length = 0;
    const response = await server.executeOperation({ query });
    const body = response.body as { kind: 'single'; singleResult: { errors?: GraphQLFormattedError[] } };
    return { formatted: body.singleResult.errors?.[0], error: seen[0] };
  }

  it('keeps limit and actual in extensions and the limit code recoverable after Apollo relabels it', async () => {
    const { formatted, error } = await firstError(employeeChain(3));
    expect(formatted?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(formatted?.extensions).toMatchObject({ limit: 12, actual: 14 });
    const limit = operationLimitError(error);
    expect(isGatewayError(limit)).toBe(true);
    expect(limit?.code).toBe('ERR_LIMIT_DEPTH');
    expect(limit?.details).toEqual({ limit: 12, actual: 14 });
    expect(limit?.message).toBe('Operation depth 14 exceeds the limit of 12.');
  });

  it('reports a document over maxTokens as a parse failure that tokenLimitError recognises', async () => {
    const query = `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const { formatted, error } = await firstError(query);
    expect(formatted?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
    expect(tokenLimitError(error)?.details).toEqual({ limit: 5000 });
    expect(operationLimitError(error)).toBeUndefined();
  });

  it('does not take an ordinary validation error for a limit', async () => {
    const { error } = await firstError('{ governmentEntity(state: QA, code: "MOF") { nope } }');
    expect(error).toBeDefined();
    expect(operationLimitError(error)).toBeUndefined();
    expect(tokenLimitError(error)).toBeUndefined();
  });
});
