import { BREAK, visit, type DocumentNode } from 'graphql';

/**
 * Introspection per client (issue 6): a client that may not introspect must neither run
 * `__schema` / `__type` nor learn the schema from error messages, which graphql-js fills with
 * "Did you mean ...?" suggestions drawn from the schema and with the names of arguments and input
 * fields the client never wrote.
 */

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/**
 * Whether any field of the document is `__schema` or `__type`, at any depth and in any fragment
 * (aliases do not hide it: the field name counts). `__typename` is not introspection of the schema
 * (GraphQL spec §4.1) and stays allowed. Unused fragments count too: such a document is invalid
 * anyway (NoUnusedFragmentsRule), and refusing early costs nothing.
 */
export function touchesIntrospection(document: DocumentNode): boolean {
  let known = introspectionByDocument.get(document);
  if (known === undefined) {
    known = findIntrospection(document);
    introspectionByDocument.set(document, known);
  }
  return known;
}

/** Documents are immutable once parsed, and Apollo Server reuses the parsed document of a known query. */
const introspectionByDocument = new WeakMap<DocumentNode, boolean>();

function findIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (INTROSPECTION_FIELDS.has(node.name.value)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

// graphql-js jsutils/didYouMean: ` Did you mean [to use an inline fragment on | the enum value ]"a", "b", or "c"?`
// (FieldsOnCorrectTypeRule, KnownArgumentNamesRule, KnownTypeNamesRule, ValuesOfCorrectTypeRule,
// enum parsing in type/definition, coerceInputValue for variables), and ScalarLeafsRule's
// ` Did you mean "field { ... }"?`.
const SUGGESTION = / ?Did you mean (?:to use an inline fragment on |the enum value )?"[^"]*"(?:(?:, or |, | or )"[^"]*")*\?/g;

/** Messages that name a schema element the client did not write, with what replaces them. */
const REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  // ProvidedRequiredArgumentsRule: names the missing argument and its type.
  [/Field "([^"]+)" argument "[^"]+" of type "[^"]+" is required, but it was not provided\./g, 'Field "$1" is missing a required argument.'],
  [/Directive "(@[^"]+)" argument "[^"]+" of type "[^"]+" is required, but it was not provided\./g, 'Directive "$1" is missing a required argument.'],
  // ValuesOfCorrectTypeRule: names the missing input field (`Type.field`) and its type.
  [/Field "[^"]+\.[^"]+" of required type "[^"]+" was not provided\./g, 'An input object is missing a required field.'],
  // coerceInputValue (variables): the missing input field and its type.
  [/Field "[^"]+" of required type "[^"]+" was not provided\./g, 'An input object is missing a required field.'],
  // execution/values getArgumentValues: the missing argument and its type.
  [/Argument "[^"]+" of required type "[^"]+" was not provided\./g, 'A required argument was not provided.'],
];

/**
 * The message without graphql-js's suggestions and without the names of arguments and input fields
 * the client did not write. Type names in messages (`on type "Employee"`) stay, as with Apollo's
 * `hideSchemaDetailsFromClientErrors`: they name the type of something the client selected.
 */
export function withoutSuggestions(message: string): string {
  let out = message.replace(SUGGESTION, '');
  for (const [pattern, replacement] of REWRITES) out = out.replace(pattern, replacement);
  return out;
}
