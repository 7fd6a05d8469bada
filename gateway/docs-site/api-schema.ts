import { buildASTSchema, Kind, parse, type ConstDirectiveNode, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * The API schema of a supergraph: what clients see, without the federation machinery (`join__*`,
 * `link__*`, `@link`, `@join__*`). Directive uses other than `@sensitivity` and `@deprecated` are
 * dropped too, so a schema diff reports changes to the contract, not to composition metadata (e.g.
 * a subgraph URL). A plain (non-federated) schema passes through unchanged.
 */
const KEPT_DIRECTIVES = new Set(['sensitivity', 'deprecated', 'specifiedBy', 'oneOf']);

function isFederationName(name: string): boolean {
  return name.startsWith('join__') || name.startsWith('link__') || name === 'link';
}

function keepDirectives(directives: readonly ConstDirectiveNode[] | undefined): ConstDirectiveNode[] {
  return (directives ?? []).filter((d) => KEPT_DIRECTIVES.has(d.name.value));
}

export function apiDocumentFromSupergraph(sdl: string): DocumentNode {
  const document = parse(sdl, { noLocation: true });
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) {
      if (!isFederationName(definition.name.value)) definitions.push(definition);
      continue;
    }
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
      definitions.push({ ...definition, directives: [] });
      continue;
    }
    if (!('name' in definition) || definition.name === undefined || isFederationName(definition.name.value)) continue;
    definitions.push(stripDefinition(definition));
  }
  return { kind: Kind.DOCUMENT, definitions };
}

function stripDefinition(definition: DefinitionNode): DefinitionNode {
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_DEFINITION:
      return {
        ...definition,
        directives: keepDirectives(definition.directives),
        fields: (definition.fields ?? []).map((field) => ({
          ...field,
          directives: keepDirectives(field.directives),
          arguments: (field.arguments ?? []).map((arg) => ({ ...arg, directives: keepDirectives(arg.directives) })),
        })),
      };
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      return {
        ...definition,
        directives: keepDirectives(definition.directives),
        fields: (definition.fields ?? []).map((field) => ({ ...field, directives: keepDirectives(field.directives) })),
      };
    case Kind.ENUM_TYPE_DEFINITION:
      return {
        ...definition,
        directives: keepDirectives(definition.directives),
        values: (definition.values ?? []).map((value) => ({ ...value, directives: keepDirectives(value.directives) })),
      };
    case Kind.UNION_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_DEFINITION:
      return { ...definition, directives: keepDirectives(definition.directives) };
    default:
      return definition;
  }
}

/** Builds the client-facing schema of a supergraph (or of a plain SDL). Throws on invalid SDL. */
export function apiSchemaFromSupergraph(sdl: string): GraphQLSchema {
  return buildASTSchema(apiDocumentFromSupergraph(sdl), { assumeValidSDL: false });
}
