import { existsSync } from 'node:fs';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import { readFieldSensitivities, type SensitivityLevel } from '../../adapters/kit/index.js';
import { packageRoot } from '../../schemas/schema-files.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.js';
import type { GatewayRequestContext } from '../federation/request-context.js';
import { ClientRateLimiter } from './client-rate-limiter.js';
import { costLimitError, operationLimitRules } from './limits/operation-limits.js';
import { estimateCost, readCostDirectives, type CostDirectiveMap } from './limits/cost-analysis.js';
import { touchesIntrospection, withoutSuggestions } from './limits/introspection-guard.js';
import { TrustedDocuments } from './limits/trusted-documents.js';
import { AccessPolicy } from './policy/access-policy.js';
import { touchedFields, type TouchedField } from './policy/touched-fields.js';
import type { CallerIdentity, RequestGate } from './request-security.js';
import { join } from 'node:path';

export interface AccessControl {
  readonly policy: AccessPolicy;
  /** Request-level rules for every listener. */
  readonly gate: RequestGate;
  /** Policy, introspection and error masking inside Apollo Server's pipeline. */
  readonly plugins: ReadonlyArray<ApolloServerPlugin<GatewayRequestContext>>;
  /** The same policy for subscriptions (WebSocket), which do not pass through Apollo Server. */
  authorizeSubscription(request: {
    readonly identity: CallerIdentity;
    readonly purpose: string | undefined;
    readonly schema: GraphQLSchema;
    readonly document: DocumentNode;
    readonly operationName: string | undefined;
  }): { readonly code: string; readonly message: string } | undefined;
  /** Parse and validation limits for Apollo Server. */
  readonly apolloOptions: { readonly maxTokens: number; readonly validationRules: readonly ValidationRule[]; readonly allowBatchedHttpRequests: boolean };
}

export interface CreateAccessControlOptions {
  readonly config: GatewayConfig['access'];
  readonly supergraphSdl: () => string | undefined;
  readonly logger: Logger;
}

/** The policy file shipped with the gateway, used when the configured default path does not exist. */
function defaultPolicyFile(): string {
  return join(packageRoot(), 'config', 'access-policy.yaml');
}

/**
 * Everything the access policy and the limits decide, built from `access.*` configuration: the
 * policy document, per-client rate limits, trusted documents, and the Apollo plugin that checks
 * every field an operation touches before anything executes (DESIGN.md, request step 5).
 */
export async function createAccessControl(options: CreateAccessControlOptions): Promise<AccessControl> {
  const { config } = options;
  const policyFile = existsSync(config.policyFile) ? config.policyFile : defaultPolicyFile();
  const policy = AccessPolicy.fromFile(policyFile);
  options.logger.info({ policyFile, purposes: policy.purposes.size }, 'access policy loaded');
  const trustedDocuments = config.trustedDocuments.mode === 'enforce' ? await TrustedDocuments.load(config.trustedDocuments.manifestFile) : undefined;

  let cached: { sdl: string; sensitivities: ReadonlyMap<string, SensitivityLevel>; costs: CostDirectiveMap } | undefined;
  const fromSupergraph = (): NonNullable<typeof cached> | undefined => {
    const sdl = options.supergraphSdl();
    if (sdl === undefined) return undefined;
    if (cached?.sdl !== sdl) cached = { sdl, sensitivities: readFieldSensitivities(sdl) as ReadonlyMap<string, SensitivityLevel>, costs: readCostDirectives(sdl) };
    return cached;
  };

  const gate: RequestGate = {
    limitsFor: (clientId) => policy.limitsFor(clientId),
    rateLimiter: new ClientRateLimiter(),
    resolveDocument:
      trustedDocuments !== undefined
        ? (operation) => {
            const resolved = trustedDocuments.resolve(operation);
            // The manifest's text runs, whatever else the request carried; the id was only the key.
            const { documentId: _id, extensions, ...rest } = operation;
            const { persistedQuery: _hash, ...otherExtensions } = (typeof extensions === 'object' && extensions !== null ? extensions : {}) as Record<string, unknown>;
            return { ...rest, query: resolved.query, ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}) };
          }
        : undefined,
    requestTimeoutMillis: config.requestTimeoutMillis,
    maxBatchSize: config.maxBatchSize,
  };

  const validationRules = operationLimitRules(config.limits, { costDirectives: () => fromSupergraph()?.costs });
  return {
    policy,
    gate,
    authorizeSubscription: ({ identity, purpose, schema, document, operationName }) => {
      const limits = policy.limitsFor(identity.clientId);
      if (touchesIntrospection(document) && !limits.introspection) return { code: 'ERR_INTROSPECTION_DISABLED', message: ERROR_CODES.ERR_INTROSPECTION_DISABLED.en };
      const decision = policy.decide({
        clientId: identity.clientId,
        purpose,
        operationType: 'subscription',
        operationName,
        fields: touchedFields(schema, document, fromSupergraph()?.sensitivities ?? NO_SENSITIVITIES, operationName),
      });
      if (!decision.allowed) {
        const code = decision.code ?? 'ERR_POLICY_DENIED';
        return { code, message: `${ERROR_CODES[code].en} Denied: ${decision.denied.map((d) => d.coordinate).join(', ')}.` };
      }
      if (identity.authenticatedBy === 'mtls' && identity.signed !== true && decision.signatureRequired) {
        return { code: 'ERR_REQUEST_SIGNATURE_REQUIRED', message: ERROR_CODES.ERR_REQUEST_SIGNATURE_REQUIRED.en };
      }
      return undefined;
    },
    plugins: [
      accessPolicyPlugin(policy, () => fromSupergraph()?.sensitivities ?? NO_SENSITIVITIES),
      costWithVariablesPlugin(config.limits, () => fromSupergraph()?.costs),
    ],
    apolloOptions: { maxTokens: config.limits.maxTokens, validationRules, allowBatchedHttpRequests: config.maxBatchSize > 1 },
  };
}

function refusal(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: ERROR_CODES[code].httpStatus } } });
}

/**
 * Checked once the operation is known and before it executes: introspection per client, then the
 * access policy over every field the operation touches. A denial refuses the whole operation and
 * names every denied field: nothing is partly answered. When introspection is off for the caller,
 * error messages lose graphql-js's "Did you mean ...?" hints, which would leak the schema.
 */
const NO_SENSITIVITIES: ReadonlyMap<string, SensitivityLevel> = new Map();

export function accessPolicyPlugin(policy: AccessPolicy, sensitivities: () => ReadonlyMap<string, SensitivityLevel>): ApolloServerPlugin<GatewayRequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const context = requestContext.contextValue;
          const document = requestContext.document;
          const operation = requestContext.operation;
          const operationName = requestContext.operationName ?? undefined;
          if (operation === undefined) return;
          if (touchesIntrospection(document) && !context.introspection) {
            throw refusal('ERR_INTROSPECTION_DISABLED', ERROR_CODES.ERR_INTROSPECTION_DISABLED.en);
          }
          const decision = policy.decide({
            clientId: context.clientId,
            purpose: context.purpose,
            operationType: operation.operation,
            operationName,
            fields: touchedFieldsOf(requestContext.schema, document, sensitivities(), operationName),
          });
          if (!decision.allowed) {
            const code = decision.code ?? 'ERR_POLICY_DENIED';
            const denied = decision.denied.map((d) => d.coordinate);
            throw refusal(code, `${ERROR_CODES[code].en} Denied: ${denied.join(', ')}.`, { denied });
          }
          if (context.authenticatedBy === 'mtls' && context.signature === undefined && decision.signatureRequired) {
            throw refusal('ERR_REQUEST_SIGNATURE_REQUIRED', ERROR_CODES.ERR_REQUEST_SIGNATURE_REQUIRED.en);
          }
        },
        async willSendResponse(requestContext) {
          if (requestContext.contextValue.introspection) return;
          const body = requestContext.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
          for (const error of errors ?? []) (error as { message: string }).message = withoutSuggestions(error.message);
        },
      };
    },
  };
}

/** Per document (Apollo Server reuses the parsed document of a known query): the fields it touches, per schema, sensitivities and operation. */
const touchedByDocument = new WeakMap<DocumentNode, { schema: GraphQLSchema; sensitivities: ReadonlyMap<string, SensitivityLevel>; byOperation: Map<string, readonly TouchedField[]> }>();

function touchedFieldsOf(schema: GraphQLSchema, document: DocumentNode, sensitivities: ReadonlyMap<string, SensitivityLevel>, operationName: string | undefined): readonly TouchedField[] {
  let entry = touchedByDocument.get(document);
  if (entry === undefined || entry.schema !== schema || entry.sensitivities !== sensitivities) {
    entry = { schema, sensitivities, byOperation: new Map() };
    touchedByDocument.set(document, entry);
  }
  const key = operationName ?? '';
  let fields = entry.byOperation.get(key);
  if (fields === undefined) {
    fields = touchedFields(schema, document, sensitivities, operationName);
    entry.byOperation.set(key, fields);
  }
  return fields;
}

/**
 * Validation estimates cost without the request's variables (`first: $n` counts as the default
 * size, and validation is cached per document); this check runs again with the real variables,
 * so `$n = 1000` cannot slip through.
 */
function costWithVariablesPlugin(limits: GatewayConfig['access']['limits'], costs: () => CostDirectiveMap | undefined): ApolloServerPlugin<GatewayRequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const variables = requestContext.request.variables;
          if (variables === undefined || Object.keys(variables).length === 0) return;
          const directives = costs();
          const cost = estimateCost(requestContext.schema, requestContext.document, variables, {
            defaultListSize: limits.defaultListSize,
            operationName: requestContext.operationName ?? null,
            ...(directives !== undefined ? { costDirectives: directives } : {}),
          });
          if (cost > limits.maxCost) {
            const error = costLimitError(cost, limits.maxCost, requestContext.operationName);
            error.extensions['http'] = { status: 400 };
            throw error;
          }
        },
      };
    },
  };
}
