import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../errors/error-codes.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { operationLimitError, tokenLimitError } from '../access/limits/operation-limits.js';

/** Apollo Server's built-in codes, mapped onto the gateway's registry. */
const APOLLO_CODES: Readonly<Record<string, ErrorCode>> = {
  GRAPHQL_PARSE_FAILED: 'ERR_GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'ERR_GRAPHQL_VALIDATION_FAILED',
  BAD_USER_INPUT: 'ERR_BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'ERR_OPERATION_NOT_FOUND',
  BAD_REQUEST: 'ERR_BAD_REQUEST',
  INTERNAL_SERVER_ERROR: 'ERR_INTERNAL',
};

/**
 * Turns any error into its client-safe form: the registry code in `extensions.code`, the origin,
 * and never a stack trace. Messages of errors the gateway did not
 * expect are replaced by the registry's generic message.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // A limit rule's error arrives wrapped by Apollo (validation / parse failure): keep its own code.
  const limit = operationLimitError(error) ?? tokenLimitError(error);
  const original = limit ?? unwrapResolverError(error);
  const rawCode = formatted.extensions?.['code'];
  let code: ErrorCode;
  let message = formatted.message;
  const extensionsFromDetails: Record<string, unknown> = {};
  if (isGatewayError(original)) {
    code = original.code;
    message = original.message;
    for (const [key, value] of Object.entries(original.details)) extensionsFromDetails[key] = value;
  } else if (typeof rawCode === 'string' && isErrorCode(rawCode)) {
    code = rawCode;
  } else if (typeof rawCode === 'string' && APOLLO_CODES[rawCode] !== undefined) {
    code = APOLLO_CODES[rawCode];
    if (code === 'ERR_BAD_REQUEST' && message.startsWith('GET requests only support query operations')) code = 'ERR_MUTATION_OVER_GET';
  } else {
    code = 'ERR_INTERNAL';
  }
  // An error the gateway did not raise on purpose may carry internals: show the generic message.
  const unexpected = code === 'ERR_INTERNAL' && !(original instanceof GraphQLError && original.originalError === undefined);
  if (unexpected) message = ERROR_CODES.ERR_INTERNAL.en;

  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(formatted.extensions ?? {})) {
    if (key !== 'stacktrace' && key !== 'exception' && key !== 'code') extensions[key] = value;
  }
  Object.assign(extensions, extensionsFromDetails);
  extensions['code'] = code;
  extensions['origin'] = ERROR_CODES[code].origin;
  // The correlation id is added where the request is known: correlationIdPlugin and
  // stampCorrelationId in create-app.ts.
  return {
    message,
    ...(formatted.locations !== undefined ? { locations: formatted.locations } : {}),
    ...(formatted.path !== undefined ? { path: formatted.path } : {}),
    extensions,
  };
}

/** A GraphQL-over-HTTP error body for failures that happen before GraphQL runs. */
export function errorBody(code: ErrorCode, requestId: string, message?: string): { errors: GraphQLFormattedError[] } {
  return {
    errors: [{ message: message ?? ERROR_CODES[code].en, extensions: { code, origin: ERROR_CODES[code].origin, correlationId: requestId } }],
  };
}
