import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { getStitchedSchemaFromSupergraphSdl } from '@graphql-tools/federation';
import { buildSchema, getIntrospectionQuery, getNamedType, getNullableType, isListType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { readSubgraphSdl, supergraphPath } from '../../../schemas/schema-files.js';
import { estimateCost, readCostDirectives } from './cost-analysis.js';

const SUPERGRAPH = readFileSync(supergraphPath(), 'utf8');
const schema: GraphQLSchema = buildSchema(SUPERGRAPH);

const cost = (query: string, variables?: Record<string, unknown>, target: GraphQLSchema = schema): number =>
  estimateCost(target, parse(query), variables, { defaultListSize: 20 });

describe('readCostDirectives', () => {
  it('reads @listSize and @cost from the committed supergraph by schema coordinate', () => {
    const directives = readCostDirectives(SUPERGRAPH);
    expect(directives.get('Query.employees')).toEqual({ slicingArguments: ['first'], sizedFields: ['edges'] });
    expect(directives.get('Employee.employmentHistory')).toEqual({ assumedSize: 10 });
    expect(directives.get('GovernmentEntity.cloudSpendByMonth')).toEqual({ weight: 5, assumedSize: 24 });
    expect(directives.get('Query.verifyEmployment')).toEqual({ weight: 5 });
    expect(directives.has('Employee.name')).toBe(false);
  });

  it('reads the same from a subgraph SDL that imports them from the federation v2.9 link', () => {
    const fromSubgraph = readCostDirectives(readSubgraphSdl('mawared'));
    const fromSupergraph = readCostDirectives(SUPERGRAPH);
    expect(fromSubgraph.size).toBeGreaterThan(5);
    for (const [coordinate, directives] of fromSubgraph) expect(fromSupergraph.get(coordinate)).toEqual(directives);
  });

  it('follows @link renames: a namespace given with as, an import under another name, unimported names', () => {
    const sdl = `
      extend schema
        @link(url: "https://specs.apollo.dev/federation/v2.9", as: "fed", import: [{ name: "@listSize", as: "@size" }])
      type Query {
        a: [Int] @size(assumedSize: 7)
        b: Int @fed__cost(weight: 3)
        c: Int @cost(weight: 99)
      }`;
    const directives = readCostDirectives(sdl);
    expect(directives.get('Query.a')).toEqual({ assumedSize: 7 });
    expect(directives.get('Query.b')).toEqual({ weight: 3 });
    expect(directives.has('Query.c')).toBe(false); // not the linked @cost here
  });

  it('reads type, argument and input-field coordinates, and accepts the IBM spec\'s string weights', () => {
    const directives = readCostDirectives(`
      type Report @cost(weight: "4") { id: ID }
      input Filter { fullText: String @cost(weight: 6) }
      type Query { reports(filter: Filter, expensive: Boolean @cost(weight: 2)): [Report] }`);
    expect(directives.get('Report')).toEqual({ weight: 4 });
    expect(directives.get('Filter.fullText')).toEqual({ weight: 6 });
    expect(directives.get('Query.reports(expensive:)')).toEqual({ weight: 2 });
  });
});

describe('every list field of the supergraph is sized', () => {
  it('has @listSize, or is a sized field (edges) of every field that returns its type', () => {
    const directives = readCostDirectives(SUPERGRAPH);
    const sizedBy = new Map<string, string[]>(); // type name -> sizedFields of the fields returning it
    const unsized: string[] = [];
    const types = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && !type.name.startsWith('__'));
    for (const type of types) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const sized = directives.get(`${type.name}.${field.name}`)?.sizedFields;
        if (sized !== undefined) sizedBy.set(getNamedType(field.type).name, [...(sizedBy.get(getNamedType(field.type).name) ?? []), ...sized]);
      }
    }
    for (const type of types) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type))) continue;
        const own = directives.get(`${type.name}.${field.name}`);
        if (own?.assumedSize !== undefined || own?.slicingArguments !== undefined) continue;
        if (sizedBy.get(type.name)?.includes(field.name) === true) continue;
        unsized.push(`${type.name}.${field.name}`);
      }
    }
    expect(unsized).toEqual([]);
  });
});

describe('estimateCost on the committed supergraph', () => {
  it('counts 1 per object field and 0 per scalar or enum field', () => {
    expect(cost('{ governmentEntity(state: QA, code: "MOF") { code kind name { en ar } parent { code } } }')).toBe(3);
  });

  it('multiplies a connection\'s edges by its first argument (sizedFields) and the connection itself once', () => {
    expect(cost('{ employees(first: 5) { totalCount edges { cursor node { employeeNumber } } pageInfo { hasNextPage } } }')).toBe(1 + 5 * (1 + 1) + 1);
  });

  it('uses the slicing argument\'s default when it is not given', () => {
    expect(cost('{ employees { edges { node { employeeNumber } } } }')).toBe(1 + 20 * 2);
  });

  it('multiplies nested lists: first: 1000 employees with their employment history', () => {
    expect(cost('{ employees(first: 1000) { edges { node { employmentHistory { entity { name { en } } } } } } }')).toBe(1 + 1000 * (1 + 1 + 10 * (1 + 1 + 1)));
  });

  it('uses assumedSize for a list without slicing arguments and the default list size for none at all', () => {
    expect(cost('{ governmentEntity(state: QA, code: "MOF") { organizationUnits { id } } }')).toBe(1 + 30);
    const plain = buildSchema('type Item { id: ID } type Query { items: [Item] }');
    expect(cost('{ items { id } }', undefined, plain)).toBe(20);
    expect(estimateCost(plain, parse('{ items { id } }'), undefined, { defaultListSize: 3 })).toBe(3);
  });

  it('adds @cost weights of upstream aggregations instead of the default 1', () => {
    expect(cost('{ verifyEmployment(nationalId: "28763400001", issuingState: QA) { employed } }')).toBe(5);
    expect(cost('{ governmentEntity(state: QA, code: "MOF") { cloudSpendByMonth(from: "2025-01", to: "2025-12") { totalQar byServiceKind { amountQar } } } }')).toBe(1 + 24 * (5 + 5 * 1));
  });

  it('counts a slicing variable statically as its assumed or default size, and by its value when variables are given', () => {
    const query = 'query ($n: Int) { employees(first: $n) { edges { node { employeeNumber } } } }';
    expect(cost(query)).toBe(1 + 20 * 2);
    expect(cost(query, { n: 1000 })).toBe(1 + 1000 * 2);
    expect(cost(query, {})).toBe(1 + 20 * 2); // absent: the argument's default, first: Int = 20
    expect(cost('query ($n: Int = 50) { employees(first: $n) { edges { node { employeeNumber } } } }')).toBe(1 + 50 * 2);
    expect(cost('query ($n: Int = 50) { employees(first: $n) { edges { node { employeeNumber } } } }', {})).toBe(1 + 50 * 2);
  });

  it('costs fragments as if written out, and a fragment spread twice in one selection once', () => {
    const inline = cost('{ employees(first: 7) { edges { node { entity { code } employmentHistory { kind } } } } }');
    const viaFragments = cost(`
      { employees(first: 7) { ...Page ...Page } }
      fragment Page on EmployeeConnection { edges { node { ...Who } } }
      fragment Who on Employee { entity { code } ... on Employee { employmentHistory { kind } } }`);
    expect(viaFragments).toBe(inline);
    expect(inline).toBe(1 + 7 * (1 + 1 + 1 + 10));
  });

  it('does not cost introspection and terminates on a fragment cycle', () => {
    expect(cost(getIntrospectionQuery())).toBe(0);
    expect(cost('{ governmentEntity(state: QA, code: "MOF") { ...A } } fragment A on GovernmentEntity { parent { ...B } } fragment B on GovernmentEntity { parent { ...A } }')).toBe(3);
  });

  it('lets a map read from the SDL override the schema\'s own directives', () => {
    const query = '{ employee(nationalId: "28763400001", issuingState: QA) { employmentHistory { kind } } }';
    expect(cost(query)).toBe(1 + 10);
    const costDirectives = new Map([['Employee.employmentHistory', { assumedSize: 100 }]]);
    expect(estimateCost(schema, parse(query), undefined, { costDirectives })).toBe(1 + 100);
  });

  it('gives the same estimate on the stitched schema the gateway executes', () => {
    const stitched = getStitchedSchemaFromSupergraphSdl({ supergraphSdl: SUPERGRAPH });
    const query = '{ employees(first: 30) { edges { node { employmentHistory { entity { cloudSpendByMonth(from: "2025-01", to: "2025-06") { totalQar } } } } } } }';
    expect(cost(query, undefined, stitched)).toBe(cost(query));
    expect(cost(query)).toBe(1 + 30 * (1 + 1 + 10 * (1 + 1 + 24 * 5)));
  });

  it('picks the named operation and refuses a document without a clear one', () => {
    const document = parse('query A { governmentEntity(state: QA, code: "MOF") { code } } query B { cloudSkus { name } }');
    expect(estimateCost(schema, document, undefined, { operationName: 'B' })).toBe(50);
    expect(() => estimateCost(schema, document)).toThrow(TypeError);
    expect(() => estimateCost(schema, document, undefined, { operationName: 'C' })).toThrow('no operation named "C"');
  });
});

describe('estimateCost on other schema shapes', () => {
  const sdl = `
    directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    interface Node { id: ID! }
    type Cheap implements Node { id: ID! }
    type Dear implements Node @cost(weight: 10) { id: ID! parts: [Cheap!]! @listSize(assumedSize: 4) }
    input Search { fullText: String @cost(weight: 6) tag: String }
    type Query {
      node(id: ID!): Node
      search(q: Search, exact: Boolean @cost(weight: 2), first: Int, last: Int): [Node!]! @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
    }`;
  const shapes = buildSchema(sdl);

  it('costs alternatives on an abstract type by the dearest one, not their sum', () => {
    // Node: 1, plus the dearer of ... on Cheap (0) and ... on Dear (parts: 4 * 1).
    expect(cost('{ node(id: "1") { id ... on Cheap { id } ... on Dear { parts { id } } } }', undefined, shapes)).toBe(1 + 4);
  });

  it('uses a type-level @cost for fields returning that type', () => {
    expect(cost('{ node(id: "1") { ... on Dear { id } } }', undefined, shapes)).toBe(1);
    const dear = buildSchema(sdl.replace('node(id: ID!): Node', 'node(id: ID!): Node dear: Dear'));
    expect(cost('{ dear { id } }', undefined, dear)).toBe(10);
  });

  it('adds argument and input-field weights when they are given, in literals and in variables', () => {
    expect(cost('{ search(first: 2) { id } }', undefined, shapes)).toBe(2);
    expect(cost('{ search(first: 2, exact: true, q: { fullText: "x", tag: "y" }) { id } }', undefined, shapes)).toBe(2 + 2 + 6);
    expect(cost('query ($q: Search) { search(first: 2, q: $q) { id } }', { q: { fullText: 'x' } }, shapes)).toBe(2 + 6);
    expect(cost('query ($q: Search) { search(first: 2, q: $q) { id } }', undefined, shapes)).toBe(2);
  });

  it('takes the largest of several slicing arguments', () => {
    expect(cost('{ search(first: 2, last: 9) { id } }', undefined, shapes)).toBe(9);
  });
});
