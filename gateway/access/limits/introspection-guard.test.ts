import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, execute, getIntrospectionQuery, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse, validate, type GraphQLSchema } from 'graphql';
import { supergraphPath } from '../../../schemas/schema-files.js';
import { touchesIntrospection, withoutSuggestions } from './introspection-guard.js';

const schema: GraphQLSchema = buildSchema(readFileSync(supergraphPath(), 'utf8'));

/** Every name a client could learn about the schema from a message: fields, arguments, input fields, enum values. */
function schemaMemberNames(target: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(target.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        names.add(field.name);
        for (const arg of field.args) names.add(arg.name);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) names.add(field.name);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) names.add(value.name);
    }
  }
  return names;
}

/** Quoted names in a message that belong to the schema but do not appear in the query text. */
function leakedNames(message: string, query: string, target: GraphQLSchema = schema): string[] {
  const members = schemaMemberNames(target);
  return [...message.matchAll(/"([^"]+)"/g)]
    .map((match) => match[1] ?? '')
    .flatMap((quoted) => quoted.split(/[^A-Za-z0-9_]+/))
    .filter((name) => members.has(name) && !new RegExp(`\\b${name}\\b`).test(query));
}

function validationMessages(query: string, target: GraphQLSchema = schema): string[] {
  return validate(target, parse(query)).map((error) => error.message);
}

describe('touchesIntrospection', () => {
  it('finds __schema and __type at the root, aliased, and the standard introspection query', () => {
    expect(touchesIntrospection(parse('{ __schema { queryType { name } } }'))).toBe(true);
    expect(touchesIntrospection(parse('{ t: __type(name: "Employee") { fields { name } } }'))).toBe(true);
    expect(touchesIntrospection(parse(getIntrospectionQuery()))).toBe(true);
  });

  it('finds introspection nested in fields, inline fragments and named fragments', () => {
    const query = `
      { governmentEntity(state: QA, code: "MOF") { ...Sneaky } }
      fragment Sneaky on GovernmentEntity { parent { ... on GovernmentEntity { ...Deeper } } }
      fragment Deeper on GovernmentEntity { code x: __schema { types { name } } }`;
    expect(touchesIntrospection(parse(query))).toBe(true);
  });

  it('allows __typename and ordinary queries', () => {
    expect(touchesIntrospection(parse('{ __typename governmentEntity(state: QA, code: "MOF") { __typename code schema: code } }'))).toBe(false);
  });
});

describe('withoutSuggestions on real graphql-js errors', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['FieldsOnCorrectTypeRule', '{ governmentEntity(state: QA, code: "MOF") { nam } }', 'Cannot query field "nam" on type "GovernmentEntity".'],
    ['KnownArgumentNamesRule', '{ employees(frist: 5) { totalCount } }', 'Unknown argument "frist" on field "Query.employees".'],
    ['KnownTypeNamesRule', 'query ($s: MemberStat!) { governmentEntity(state: $s, code: "MOF") { code } }', 'Unknown type "MemberStat".'],
    ['ValuesOfCorrectTypeRule (enum)', '{ governmentEntity(state: QX, code: "MOF") { code } }', 'Value "QX" does not exist in "MemberState" enum.'],
    ['ScalarLeafsRule', '{ governmentEntity(state: QA, code: "MOF") { name } }', 'Field "name" of type "LocalizedName!" must have a selection of subfields.'],
    ['ProvidedRequiredArgumentsRule', '{ governmentEntity(state: QA) { name { en } } }', 'Field "governmentEntity" is missing a required argument.'],
  ];

  for (const [rule, query, cleaned] of cases) {
    it(`${rule}: leaves the message without hints about the schema`, () => {
      const messages = validationMessages(query);
      expect(messages).toHaveLength(1);
      const message = messages[0] ?? '';
      // Before: graphql-js names something the client did not write (so the test can fail).
      expect(leakedNames(message, query).length + (message.includes('Did you mean') ? 1 : 0)).toBeGreaterThan(0);
      expect(withoutSuggestions(message)).toBe(cleaned);
      expect(leakedNames(withoutSuggestions(message), query)).toEqual([]);
    });
  }

  it('ValuesOfCorrectTypeRule (input object): drops the suggested and the missing input field names', () => {
    const query = '{ budget(entity: { state: QA, cod: "MOF" }, fiscalYear: 2026) { spent } }';
    const messages = validationMessages(query);
    expect(messages.map(withoutSuggestions)).toEqual(['An input object is missing a required field.', 'Field "cod" is not defined by type "GovernmentEntityRef".']);
    expect(messages.flatMap((m) => leakedNames(m, query))).toContain('code');
    expect(messages.flatMap((m) => leakedNames(withoutSuggestions(m), query))).toEqual([]);
  });

  it('FieldsOnCorrectTypeRule on an interface: drops "Did you mean to use an inline fragment on ..."', () => {
    const shapes = buildSchema('interface Node { id: ID! } type Secret implements Node { id: ID! classified: String } type Query { node: Node }');
    const [message] = validationMessages('{ node { classified } }', shapes);
    expect(message).toBe('Cannot query field "classified" on type "Node". Did you mean to use an inline fragment on "Secret"?');
    expect(withoutSuggestions(message ?? '')).toBe('Cannot query field "classified" on type "Node".');
  });

  it('cleans the variable coercion errors of execution (enum values and missing input fields)', async () => {
    const query = 'query ($s: MemberState!, $e: GovernmentEntityRef!) { governmentEntities(state: $s) { totalCount } budget(entity: $e, fiscalYear: 2026) { spent } }';
    const variableValues = { s: 'QX', e: { state: 'SA' } };
    const result = await execute({ schema, document: parse(query), variableValues });
    const messages = (result.errors ?? []).map((error) => error.message);
    expect(messages).toHaveLength(2);
    expect(messages.join(' ')).toContain('Did you mean the enum value');
    expect(messages.map(withoutSuggestions)).toEqual([
      'Variable "$s" got invalid value "QX"; Value "QX" does not exist in "MemberState" enum.',
      'Variable "$e" got invalid value { state: "SA" }; An input object is missing a required field.',
    ]);
    // What the client wrote: the query and its variables.
    const written = `${query} ${JSON.stringify(variableValues)}`;
    expect(messages.flatMap((m) => leakedNames(m, written))).toEqual(expect.arrayContaining(['QA', 'code']));
    expect(messages.flatMap((m) => leakedNames(withoutSuggestions(m), written))).toEqual([]);
  });

  it('leaves messages without suggestions as they are', () => {
    expect(withoutSuggestions('Syntax Error: Expected Name, found "}".')).toBe('Syntax Error: Expected Name, found "}".');
    expect(withoutSuggestions('Operation depth 14 exceeds the limit of 12.')).toBe('Operation depth 14 exceeds the limit of 12.');
  });
});
