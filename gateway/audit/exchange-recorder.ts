import { hash } from 'node:crypto';
import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema, type ValueNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { readFieldSensitivities } from '../../adapters/kit/index.js';
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';
import type { GatewayRequestContext } from '../federation/request-context.js';
import type { AuditOutcome, FieldTouched, GraphQLExchangeRecord } from './audit-record.js';
import type { EvidenceLog } from './evidence-log.js';
import type { SubjectHasher } from './subject-hasher.js';

export interface ExchangeRecorderOptions {
  readonly subjects: SubjectHasher;
  /** Names of arguments (and input fields) whose values identify a data subject. */
  readonly subjectArguments: readonly string[];
  /** The current supergraph SDL, for field sensitivities. */
  readonly supergraphSdl: () => string | undefined;
}

/** One-shot hashing: no Hash object per call (several per exchange on the hot path). */
const sha256 = (text: string): string => hash('sha256', text, 'hex');

/** Stable serialisation (object keys sorted) so equal variables always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Drafts the evidence record of every GraphQL exchange when its response is known, onto the
 * request context (`context.exchange.draft`). The HTTP layer completes the draft with the request
 * and response signatures and hashes, which only exist once the response bytes do, and writes it
 * with `commitExchange`.
 */
export function exchangeRecorderPlugin(options: ExchangeRecorderOptions): ApolloServerPlugin<GatewayRequestContext> {
  let sensitivityFor: { sdl: string; map: Map<string, string> } | undefined;
  const sensitivities = (): Map<string, string> => {
    const sdl = options.supergraphSdl();
    if (sdl === undefined) return new Map();
    if (sensitivityFor?.sdl !== sdl) sensitivityFor = { sdl, map: readFieldSensitivities(sdl) };
    return sensitivityFor.map;
  };
  const subjectNames = new Set(options.subjectArguments);

  return {
    async requestDidStart() {
      const startedAt = new Date();
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const context = requestContext.contextValue;
          const body = requestContext.response.body;
          const result = body.kind === 'single' ? body.singleResult : undefined;
          const errors = result?.errors ?? [];
          const hasData = result?.data !== undefined && result.data !== null;
          const outcome: AuditOutcome = errors.length === 0 ? 'success' : hasData ? 'partial' : requestContext.operation === undefined ? 'rejected' : 'error';
          const variables = requestContext.request.variables ?? {};
          const document = requestContext.document;
          const { fields, subjects } =
            document !== undefined ? touched(requestContext.schema, document, variables, sensitivities(), subjectNames, options.subjects) : { fields: [], subjects: [] };
          context.exchange.draft = {
            type: 'graphql.exchange',
            requestId: context.requestId,
            clientId: context.clientId ?? null,
            authenticatedBy: context.authenticatedBy,
            purpose: context.purpose ?? null,
            operationName: requestContext.operationName ?? null,
            operationType: requestContext.operation?.operation ?? null,
            operationHash: requestContext.request.query !== undefined ? sha256(requestContext.request.query) : null,
            variablesHash: sha256(canonicalJson(variables)),
            fields,
            subjects,
            subgraphs: [...context.subgraphCalls].sort(),
            requestSignature: context.signature?.jws ?? null,
            requestHash: context.signature?.requestHash ?? null,
            responseSignature: null,
            responseHash: null,
            startedAt: startedAt.toISOString(),
            durationMillis: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
            outcome,
            errorCodes: [...new Set(errors.map((e) => String(e.extensions?.['code'] ?? 'ERR_INTERNAL')))].sort(),
          };
        },
      };
    },
  };
}

/** The record of an exchange refused before GraphQL ran (signature, limits, rate): who tried what, and why it was refused. */
export function refusalRecord(input: {
  readonly requestId: string;
  readonly clientId: string | undefined;
  readonly authenticatedBy: string;
  readonly purpose: string | undefined;
  readonly startedAt: Date;
  readonly durationMillis: number;
  readonly errorCode: string;
  readonly requestSignature: string | undefined;
  readonly requestHash: string | undefined;
  readonly operationText: string | undefined;
}): GraphQLExchangeRecord {
  return {
    type: 'graphql.exchange',
    requestId: input.requestId,
    clientId: input.clientId ?? null,
    authenticatedBy: input.authenticatedBy,
    purpose: input.purpose ?? null,
    operationName: null,
    operationType: null,
    operationHash: input.operationText !== undefined ? sha256(input.operationText) : null,
    variablesHash: null,
    fields: [],
    subjects: [],
    subgraphs: [],
    requestSignature: input.requestSignature ?? null,
    requestHash: input.requestHash ?? null,
    responseSignature: null,
    responseHash: null,
    startedAt: input.startedAt.toISOString(),
    durationMillis: Math.round(input.durationMillis * 100) / 100,
    outcome: 'rejected',
    errorCodes: [input.errorCode],
  };
}

/**
 * Writes a completed exchange record. In `sync` durability it resolves only once the record is on
 * disk; it throws GatewayError(ERR_AUDIT_UNAVAILABLE) when the record cannot be written, and the
 * caller must then withhold the response (the gateway never gives an answer it has not recorded).
 */
export async function commitExchange(log: EvidenceLog, record: GraphQLExchangeRecord, logger: Logger): Promise<void> {
  try {
    await log.append(record);
  } catch (error) {
    const code = isGatewayError(error) ? error.code : 'ERR_AUDIT_UNAVAILABLE';
    logger.error({ err: error, code }, 'exchange not recorded: response withheld (fail closed)');
    throw new GatewayError('ERR_AUDIT_UNAVAILABLE', { cause: error });
  }
}

/** What the recorder needs from one document, independent of variables: computed once per document. */
interface DocumentFacts {
  readonly schema: GraphQLSchema;
  /** Schema coordinates selected, sorted. */
  readonly coordinates: readonly string[];
  /** Every argument value, by argument name, where a data subject may appear. */
  readonly argumentValues: ReadonlyArray<{ readonly name: string; readonly value: ValueNode }>;
}

/** Apollo Server hands back the same DocumentNode for a repeated operation: walk each one once. */
const documentFacts = new WeakMap<DocumentNode, DocumentFacts>();

function factsOf(schema: GraphQLSchema, document: DocumentNode): DocumentFacts {
  const cached = documentFacts.get(document);
  if (cached !== undefined && cached.schema === schema) return cached;
  const coordinates = new Set<string>();
  const argumentValues: Array<{ name: string; value: ValueNode }> = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent !== null && parent !== undefined && !node.name.value.startsWith('__')) coordinates.add(`${parent.name}.${node.name.value}`);
        for (const argument of node.arguments ?? []) argumentValues.push({ name: argument.name.value, value: argument.value });
      },
    }),
  );
  const facts: DocumentFacts = { schema, coordinates: [...coordinates].sort(), argumentValues };
  documentFacts.set(document, facts);
  return facts;
}

/** The schema coordinates an operation selects (with their sensitivity) and the subjects it names. */
function touched(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  sensitivities: Map<string, string>,
  subjectNames: ReadonlySet<string>,
  hasher: SubjectHasher,
): { fields: FieldTouched[]; subjects: string[] } {
  const facts = factsOf(schema, document);
  const subjects = new Set<string>();
  const addSubject = (name: string, raw: unknown): void => {
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      if (typeof item === 'string' || typeof item === 'number') subjects.add(hasher.hash(name, String(item)));
    }
  };
  // A variable's value is plain JSON: an input object passed as a variable may carry a subject too.
  const fromJson = (name: string, value: unknown, depth: number): void => {
    if (depth > 16 || value === null || typeof value !== 'object') {
      if (subjectNames.has(name)) addSubject(name, value);
      return;
    }
    if (Array.isArray(value)) {
      if (subjectNames.has(name)) addSubject(name, value);
      for (const item of value) if (typeof item === 'object') fromJson(name, item, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) fromJson(key, inner, depth + 1);
  };
  const fromNode = (name: string, value: ValueNode): void => {
    if (value.kind === Kind.OBJECT) {
      for (const field of value.fields) fromNode(field.name.value, field.value);
    } else if (value.kind === Kind.LIST) {
      for (const item of value.values) fromNode(name, item);
    } else if (value.kind === Kind.VARIABLE) {
      fromJson(name, variables[value.name.value], 0);
    } else if (subjectNames.has(name) && (value.kind === Kind.STRING || value.kind === Kind.INT)) {
      addSubject(name, value.value);
    }
  };
  for (const { name, value } of facts.argumentValues) fromNode(name, value);
  return {
    fields: facts.coordinates.map((coordinate): FieldTouched => ({ coordinate, sensitivity: sensitivities.get(coordinate) ?? 'UNCLASSIFIED' })),
    subjects: [...subjects].sort(),
  };
}
