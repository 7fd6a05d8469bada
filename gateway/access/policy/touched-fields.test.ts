import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import { readFieldSensitivities } from '../../../adapters/kit/index.js';
import { touchedFields } from './touched-fields.js';

const sdl = /* GraphQL */ `
  directive @sensitivity(level: SensitivityLevel!) on FIELD_DEFINITION
  enum SensitivityLevel { PUBLIC INTERNAL PERSONAL FINANCIAL }
  interface Named { name: String! @sensitivity(level: PUBLIC) }
  type Entity implements Named { code: String! @sensitivity(level: PUBLIC) name: String! @sensitivity(level: PUBLIC) budget: Float @sensitivity(level: FINANCIAL) }
  type Employee implements Named { id: ID! @sensitivity(level: PERSONAL) name: String! @sensitivity(level: PERSONAL) employer: Entity @sensitivity(level: INTERNAL) history: [Record!]! @sensitivity(level: PERSONAL) }
  type Record { start: String! @sensitivity(level: PERSONAL) note: String }
  union Found = Entity | Employee
  type Query { employee(id: ID!): Employee @sensitivity(level: PERSONAL) search(text: String!): [Found!]! @sensitivity(level: INTERNAL) entity: Entity @sensitivity(level: PUBLIC) }
  type Mutation { rename(code: String!): Entity @sensitivity(level: INTERNAL) }
`;
const schema = buildSchema(sdl);
const sensitivities = readFieldSensitivities(sdl);

describe('touchedFields', () => {
  it('finds fields through named fragments, nested fragments and inline fragments on a union, once each and sorted', () => {
    const document = parse(`
      query Q { employee(id: "1") { ...Person } search(text: "a") { ... on Entity { code } ... on Employee { ...Person } } }
      fragment Person on Employee { id name employer { ...EntityBits } history { start } }
      fragment EntityBits on Entity { budget ... on Named { name } }
    `);
    expect(touchedFields(schema, document, sensitivities)).toEqual([
      { coordinate: 'Employee.employer', parentType: 'Employee', returnType: 'Entity', sensitivity: 'INTERNAL' },
      { coordinate: 'Employee.history', parentType: 'Employee', returnType: 'Record', sensitivity: 'PERSONAL' },
      { coordinate: 'Employee.id', parentType: 'Employee', returnType: 'ID', sensitivity: 'PERSONAL' },
      { coordinate: 'Employee.name', parentType: 'Employee', returnType: 'String', sensitivity: 'PERSONAL' },
      { coordinate: 'Entity.budget', parentType: 'Entity', returnType: 'Float', sensitivity: 'FINANCIAL' },
      { coordinate: 'Entity.code', parentType: 'Entity', returnType: 'String', sensitivity: 'PUBLIC' },
      { coordinate: 'Named.name', parentType: 'Named', returnType: 'String', sensitivity: 'PUBLIC' },
      { coordinate: 'Query.employee', parentType: 'Query', returnType: 'Employee', sensitivity: 'PERSONAL' },
      { coordinate: 'Query.search', parentType: 'Query', returnType: 'Found', sensitivity: 'INTERNAL' },
      { coordinate: 'Record.start', parentType: 'Record', returnType: 'String', sensitivity: 'PERSONAL' },
    ]);
  });

  it('leaves out __typename and everything under __schema and __type', () => {
    const document = parse('{ __typename entity { __typename code } __schema { types { name fields { name } } } __type(name: "Entity") { name } }');
    expect(touchedFields(schema, document, sensitivities).map((f) => f.coordinate)).toEqual(['Entity.code', 'Query.entity']);
  });

  it('reports a field without @sensitivity with no level (the policy treats it as the strictest)', () => {
    const fields = touchedFields(schema, parse('{ employee(id: "1") { history { note } } }'), sensitivities);
    expect(fields.find((f) => f.coordinate === 'Record.note')).toEqual({ coordinate: 'Record.note', parentType: 'Record', returnType: 'String', sensitivity: undefined });
  });

  it('walks only the named operation and the fragments it reaches, or every operation when the name is not given', () => {
    const document = parse(`
      query A { entity { ...E } }
      mutation B { rename(code: "X") { code } }
      query C { employee(id: "1") { id } }
      fragment E on Entity { name }
    `);
    expect(touchedFields(schema, document, sensitivities, 'A').map((f) => f.coordinate)).toEqual(['Entity.name', 'Query.entity']);
    expect(touchedFields(schema, document, sensitivities, 'B').map((f) => f.coordinate)).toEqual(['Entity.code', 'Mutation.rename']);
    expect(touchedFields(schema, document, sensitivities).map((f) => f.coordinate)).toEqual(['Employee.id', 'Entity.code', 'Entity.name', 'Mutation.rename', 'Query.employee', 'Query.entity']);
    expect(touchedFields(schema, document, sensitivities, 'Nope')).toHaveLength(6);
  });

  it('walks a document once per schema: the same array comes back until the schema changes', () => {
    const document = parse('{ entity { code } }');
    const first = touchedFields(schema, document, sensitivities);
    expect(touchedFields(schema, document, sensitivities)).toBe(first);
    const reloaded = buildSchema(sdl);
    const again = touchedFields(reloaded, document, sensitivities);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
