import { describe, expect, test } from '@jest/globals';
import { buildSubgraph } from '../build-subgraph.js';
import { perRequest } from '../per-request.js';
import { composeWithOthers, findConnectionFields, findMonolingualDescriptions, listObjectFields } from './describe-adapter-conformance.js';

const SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

"A thing / شيء"
type Thing @key(fields: "id") {
  "Identifier / المعرّف"
  id: ID!
  "Only English here"
  label(
    "Language / اللغة"
    lang: String
    only: Int
  ): String
}

"Things in pages / أشياء على صفحات"
type ThingConnection {
  "Edges / الحواف"
  edges: [ThingEdge!]!
  "Page / الصفحة"
  pageInfo: PageInfo!
  "Count / العدد"
  totalCount: Int!
}

"Edge / حافة"
type ThingEdge {
  "Cursor / المؤشر"
  cursor: String!
  "Node / العقدة"
  node: Thing!
}

"Page info / معلومات الصفحة"
type PageInfo {
  "Next / التالي"
  hasNextPage: Boolean!
}

"Colour"
enum Colour {
  "Red / أحمر"
  RED
  BLUE
}

type Query {
  "Things / أشياء"
  things(first: Int, after: String): ThingConnection!
  "Everything, no pages / كل شيء بلا صفحات"
  all: [Thing!]!
}
`;

describe('conformance checks', () => {
  test('report every type, field, argument and enum value without both English and Arabic', () => {
    expect(findMonolingualDescriptions(SDL).sort()).toEqual(['Colour', 'Colour.BLUE', 'Query.things(after)', 'Query.things(first)', 'Thing.label', 'Thing.label(only)'].sort());
  });

  test('list the fields of every object type, root types included', () => {
    expect(listObjectFields(SDL)).toContain('Query.things');
    expect(listObjectFields(SDL)).toContain('ThingEdge.cursor');
    expect(listObjectFields(SDL)).not.toContain('Colour.RED');
  });

  test('find Query fields that are Relay connections, and only those', () => {
    const schema = buildSubgraph(SDL, {});
    expect(findConnectionFields(schema).map((field) => field.name)).toEqual(['things']);
  });

  test('report composition errors instead of throwing', () => {
    const clash = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n type Thing @key(fields: "id") { id: ID! label: Int }';
    const { errors } = composeWithOthers('a', SDL, [{ name: 'b', typeDefs: clash }]);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('perRequest', () => {
  test('gives one instance per context object and a fresh one without a context', () => {
    let made = 0;
    const forContext = perRequest(() => ({ id: ++made }));
    const a = {};
    expect(forContext(a)).toBe(forContext(a));
    expect(forContext({})).not.toBe(forContext(a));
    expect(forContext(undefined)).not.toBe(forContext(undefined));
  });
});
