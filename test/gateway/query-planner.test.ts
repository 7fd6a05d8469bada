import { describe, expect, it } from '@jest/globals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { getStitchedSchemaFromSupergraphSdl } from '@graphql-tools/federation';
import { execute, getVariableValues, Kind, parse, print, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import { composeSupergraph } from '../../gateway/federation/compose-supergraph.js';
import { executePlan } from '../../gateway/federation/query-plan/plan-executor.js';
import { planOperation, type PlanFetch, type QueryPlan } from '../../gateway/federation/query-plan/query-planner.js';
import { readSupergraphModel, type SupergraphModel } from '../../gateway/federation/query-plan/supergraph-model.js';
import { createSubgraphExecutor } from '../../gateway/federation/subgraph-executor.js';
import { createHttpTransport, createInProcessTransport } from '../../gateway/federation/subgraph-transport.js';
import { listSupergraphSubgraphs } from '../../gateway/federation/supergraph-subgraphs.js';
import { createSilentLogger } from '../../gateway/logging/logger.js';
import { DEEP_QUERY, expectedDeepQueryData, FEDERATION_CASES, SIMPLE_QUERY } from '../fixtures/federation/cases.js';
import { buildFixtureSubgraphs } from '../fixtures/federation/fixture-subgraphs.js';

/**
 * The gateway's query planner (gateway/federation/query-plan/) on its own: which operations it
 * plans, the fetches it makes, and that its answers (data and errors, nulls propagated) are the
 * ones the general engine (@graphql-tools/federation on the stitched schema) gives on the same
 * subgraphs. Subgraphs run in-process through the gateway's own executors; one is also reached
 * over HTTP at a closed port to see a failed fetch.
 */

interface Harness {
  readonly schema: GraphQLSchema;
  readonly model: SupergraphModel;
  /** Executors by join__Graph id. */
  readonly executors: Map<string, Executor & { calls: string[] }>;
}

function harness(subgraphs: ReadonlyArray<{ name: string; typeDefs: string; schema: GraphQLSchema }>, down: readonly string[] = []): Harness {
  const sdl = composeSupergraph(subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: `http://127.0.0.1:9/${s.name}` })));
  const executors = new Map<string, Executor & { calls: string[] }>();
  for (const { name, graphId } of listSupergraphSubgraphs(sdl)) {
    const subgraph = subgraphs.find((s) => s.name === name);
    if (subgraph === undefined) throw new Error(name);
    const transport = down.includes(name) ? createHttpTransport({ url: 'http://127.0.0.1:9/graphql' }) : createInProcessTransport(subgraph.schema);
    const inner = createSubgraphExecutor({
      name,
      transport,
      timeoutMillis: 2_000,
      retry: { maxAttempts: 1, backoffMillis: 1 },
      circuitBreaker: { enabled: false, failureThreshold: 5, resetTimeoutMillis: 1_000 },
      logger: createSilentLogger(),
    });
    const calls: string[] = [];
    const call: Executor = (request) => {
      calls.push(print(request.document));
      return inner(request);
    };
    const executor = Object.assign(call, { calls });
    executors.set(graphId, executor);
  }
  const schema = getStitchedSchemaFromSupergraphSdl({
    supergraphSdl: sdl,
    onSubschemaConfig(config) {
      const executor = executors.get(config.name);
      if (executor === undefined) throw new Error(config.name);
      config.executor = executor;
    },
  });
  return { schema, model: readSupergraphModel(sdl), executors };
}

function operationOf(document: DocumentNode): OperationDefinitionNode {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operation === undefined) throw new Error('no operation');
  return operation;
}

function plan(h: Harness, query: string): QueryPlan {
  const document = parse(query);
  expect(validate(h.schema, document)).toEqual([]);
  const outcome = planOperation(h.schema, h.model, document, operationOf(document));
  if (!('plan' in outcome)) throw new Error(`not planned: ${outcome.unsupported}`);
  return outcome.plan;
}

async function runPlanned(h: Harness, query: string, variables: Record<string, unknown> = {}): Promise<ExecutionResult> {
  const document = parse(query);
  const coerced = getVariableValues(h.schema, operationOf(document).variableDefinitions ?? [], variables);
  if (coerced.errors !== undefined) throw new Error(coerced.errors[0]?.message);
  return executePlan(plan(h, query), { executors: h.executors, context: {}, variables: coerced.coerced });
}

async function runReference(h: Harness, query: string, variables: Record<string, unknown> = {}): Promise<ExecutionResult> {
  return (await execute({ schema: h.schema, document: parse(query), variableValues: variables, contextValue: {} })) as ExecutionResult;
}

/**
 * Data plus the errors' messages: what a client sees. Paths are compared separately: the general
 * engine leaves list indices out of the paths of errors inside lists (["people", "badges"]), where
 * GraphQL spec §7.1.2 asks for the full response path (["people", 2, "badges"]), which the planner gives.
 */
function visible(result: ExecutionResult): unknown {
  // Distinct messages: the general engine repeats an entity's error for each field of its fetch.
  return { data: result.data, messages: [...new Set((result.errors ?? []).map((e) => e.message))].sort() };
}

function describeFetches(fetches: readonly PlanFetch[]): string[] {
  return fetches.flatMap((f) => [`${f.graph}${f.entity !== undefined ? ` ${f.entity.typeName} at ${f.entity.path.map((step) => (typeof step === 'string' ? step : `(${step.typeCondition})`)).join('.')}` : ''}`, ...describeFetches(f.dependents)]);
}

describe('query planner on the fixture subgraphs', () => {
  const fixtures = harness(buildFixtureSubgraphs());

  it('answers the simple benchmark query with one fetch to products', () => {
    expect(describeFetches(plan(fixtures, SIMPLE_QUERY).fetches)).toEqual(['PRODUCTS']);
  });

  it('answers the deep benchmark query with six fetches, one per subgraph and position', async () => {
    const deep = plan(fixtures, DEEP_QUERY);
    expect(deep.fetchCount).toBe(6);
    expect(describeFetches(deep.fetches).sort()).toEqual(
      [
        'ACCOUNTS',
        'REVIEWS User at users',
        'PRODUCTS Product at users.reviews.product',
        'INVENTORY Product at users.reviews.product',
        'ACCOUNTS User at users.reviews.product.reviews.author',
        'INVENTORY Product at users.reviews.product.reviews.author.reviews.product',
      ].sort(),
    );
    const result = await runPlanned(fixtures, DEEP_QUERY);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(expectedDeepQueryData());
  });

  it('asks for each distinct entity once per fetch', async () => {
    for (const executor of fixtures.executors.values()) executor.calls.length = 0;
    await runPlanned(fixtures, DEEP_QUERY);
    const calls = [...fixtures.executors.values()].reduce((n, e) => n + e.calls.length, 0);
    expect(calls).toBe(6);
  });

  const planned = FEDERATION_CASES.filter((c) => c.expectedData !== undefined && c.expectErrors !== true);
  for (const testCase of planned) {
    it(`answers "${testCase.name}" exactly, planned or on the general engine`, async () => {
      const document = parse(testCase.query);
      const outcome = planOperation(fixtures.schema, fixtures.model, document, operationOf(document));
      const result = 'plan' in outcome ? await runPlanned(fixtures, testCase.query, testCase.variables) : await runReference(fixtures, testCase.query, testCase.variables);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual(testCase.expectedData);
    });
  }

  it('leaves to the general engine what it does not plan, and says why', () => {
    const reasons = new Map<string, string>();
    for (const testCase of FEDERATION_CASES) {
      const document = parse(testCase.query);
      if (validate(fixtures.schema, document).length > 0) continue;
      const outcome = planOperation(fixtures.schema, fixtures.model, document, operationOf(document));
      if ('unsupported' in outcome) reasons.set(testCase.name, outcome.unsupported);
    }
    // @interfaceObject and introspection: nothing else.
    expect([...reasons.values()].every((r) => /interface object|introspection/.test(r))).toBe(true);
    expect(reasons.size).toBe(6);
    // @requires (also through a second subgraph, with a nested list and an @inaccessible field), a
    // second hop to a key and entity fetches below a union member are planned.
    for (const name of FEDERATION_CASES.filter((c) => /requires|shippingEstimate|email key|union/.test(c.name + c.covers.join(' '))).map((c) => c.name)) {
      expect({ name, reason: reasons.get(name) }).toEqual({ name, reason: undefined });
    }
  });

  it('refuses to plan mutations, variable @skip and reserved response keys', () => {
    const outcome = (query: string) => {
      const document = parse(query);
      return planOperation(fixtures.schema, fixtures.model, document, operationOf(document));
    };
    expect(outcome('query Q($s: Boolean!) { topProducts { upc name @skip(if: $s) } }')).toEqual({ unsupported: '@skip with a variable' });
    expect(outcome('{ topProducts { _gccgw_k_upc: name } }')).toEqual({ unsupported: 'response key _gccgw_k_upc is reserved' });
    expect(outcome('{ topProducts { upc name @skip(if: true) price } }')).toHaveProperty('plan');
  });
});

// --- a small supergraph of our own, to see errors, nulls, variables and leaf values -------------

const PEOPLE = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query {
    people: [Person!]!
    person(id: ID!): Person
  }
  type Person @key(fields: "id") {
    id: ID!
    name: String!
  }
`;

const BADGES = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  enum Kind {
    GOLD
    SILVER
  }
  type Badge {
    label: String!
    kind: Kind!
  }
  type Person @key(fields: "id") {
    id: ID!
    badges(kind: Kind): [Badge!]!
    score: Int
    rank: Int!
  }
`;

const ROWS = [
  { id: 'p1', name: 'Fatima' },
  { id: 'p2', name: 'Khalid' },
  { id: 'p3', name: 'Mariam' },
];

function smallSubgraphs() {
  const people = buildSubgraphSchema([
    {
      typeDefs: parse(PEOPLE),
      resolvers: {
        Query: { people: () => ROWS, person: (_: unknown, args: { id: string }) => ROWS.find((r) => r.id === args.id) ?? null },
        Person: { __resolveReference: (ref: { id: string }) => ROWS.find((r) => r.id === ref.id) },
      },
    },
  ]);
  const badges = buildSubgraphSchema([
    {
      typeDefs: parse(BADGES),
      resolvers: {
        Person: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
          badges: (person: { id: string }, args: { kind?: string }) => {
            if (person.id === 'p3') throw new Error('badge registry refused p3');
            const all = [
              { label: `${person.id}-gold`, kind: 'GOLD' },
              { label: `${person.id}-silver`, kind: person.id === 'p2' ? 'BRONZE' : 'SILVER' },
            ];
            return args.kind === undefined ? all : all.filter((b) => b.kind === args.kind);
          },
          score: (person: { id: string }) => (person.id === 'p2' ? 'not a number' : 7),
          rank: (person: { id: string }) => (person.id === 'p1' ? null : 1),
        },
      },
    },
  ]);
  return [
    { name: 'people', typeDefs: PEOPLE, schema: people },
    { name: 'badges', typeDefs: BADGES, schema: badges },
  ];
}

describe('query planner: errors, nulls, variables and leaf values like the general engine', () => {
  const small = harness(smallSubgraphs());

  const QUERIES: Array<{ name: string; query: string; variables?: Record<string, unknown>; paths?: unknown[] }> = [
    { name: 'an error inside one entity, on a non-null list that nulls its person', query: '{ people { id name badges { label } } }', paths: [['people', 2, 'badges']] },
    { name: 'a value that is not an Int and an error in another entity', query: '{ people { id score badges(kind: GOLD) { kind } } }', paths: [['people', 1, 'score'], ['people', 2, 'badges']] },
    { name: 'an enum value the schema does not know, on a non-null field', query: '{ person(id: "p2") { name badges { kind } } }', paths: [['person', 'badges', 1, 'kind']] },
    { name: 'null in a non-null field', query: '{ people { id rank } }', paths: [['people', 0, 'rank']] },
    { name: 'aliases, fragments and __typename across both subgraphs', query: '{ a: person(id: "p1") { __typename who: name ...B } } fragment B on Person { gold: badges(kind: GOLD) { label } id }' },
    { name: 'a variable used only by the entity fetch', query: 'query Q($k: Kind) { person(id: "p1") { name badges(kind: $k) { label kind } } }', variables: { k: 'SILVER' } },
    { name: 'a variable with a default value', query: 'query Q($k: Kind = GOLD, $id: ID!) { person(id: $id) { name badges(kind: $k) { label } } }', variables: { id: 'p2' } },
    { name: 'a person that does not exist', query: '{ person(id: "p9") { name badges { label } } }' },
  ];

  for (const { name, query, variables, paths } of QUERIES) {
    it(`gives the general engine's answer for ${name}`, async () => {
      const planned = await runPlanned(small, query, variables);
      const reference = await runReference(small, query, variables);
      expect(visible(planned)).toEqual(visible(reference));
      expect((planned.errors ?? []).map((e) => e.path)).toEqual(paths ?? []);
    });
  }

  it('sends each subgraph only the variables its fetch uses', async () => {
    for (const executor of small.executors.values()) executor.calls.length = 0;
    await runPlanned(small, 'query Q($k: Kind, $id: ID!) { person(id: $id) { name badges(kind: $k) { label } } }', { k: 'GOLD', id: 'p1' });
    const [people, badges] = [...small.executors.values()].sort((a, b) => (a.calls[0] ?? '').localeCompare(b.calls[0] ?? ''));
    const texts = [people?.calls[0] ?? '', badges?.calls[0] ?? ''];
    const entityFetch = texts.find((t) => t.includes('_entities')) ?? '';
    const rootFetch = texts.find((t) => !t.includes('_entities')) ?? '';
    expect(entityFetch).toContain('$k: Kind');
    expect(entityFetch).not.toContain('$id');
    expect(rootFetch).toContain('$id: ID!');
    expect(rootFetch).not.toContain('$k');
  });

  it('reports a subgraph that cannot be reached at the fields it would have answered, naming the subgraph', async () => {
    const down = harness(smallSubgraphs(), ['badges']);
    const result = await runPlanned(down, '{ people { id name score } }');
    expect(result.data).toEqual({ people: ROWS.map((r) => ({ id: r.id, name: r.name, score: null })) });
    expect(result.errors?.length).toBe(1);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('ERR_SUBGRAPH_UNAVAILABLE');
    expect(result.errors?.[0]?.extensions?.['subgraph']).toBe('badges');
    expect(result.errors?.[0]?.path).toEqual(['people', 0]);
    // A non-null field from the failed subgraph nulls its parent, with no second error.
    const nonNull = await runPlanned(down, '{ person(id: "p2") { name rank } }');
    expect(nonNull.data).toEqual({ person: null });
    expect(nonNull.errors?.map((e) => e.extensions?.['code'])).toEqual(['ERR_SUBGRAPH_UNAVAILABLE']);
  });
});
