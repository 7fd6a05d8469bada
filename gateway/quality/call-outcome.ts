import { ERROR_CODES, isErrorCode, type ErrorOrigin } from '../errors/error-codes.js';

/**
 * What counts against a service's availability. One call (a subgraph call after its retries, or a
 * whole GraphQL operation for the `gateway` service) is a **failure** when its answer carries at
 * least one error that is not the caller's fault:
 *
 * - an error whose code the registry gives origin `upstream` or `gateway` (subgraph unreachable,
 *   timed out, circuit open, bad response, national system down or rejecting, gateway faults);
 * - an error with no code, or with a code the registry does not know: an unexpected error in a
 *   subgraph is the service's fault until proven otherwise, so the measurement never flatters it.
 *
 * Errors of origin `client` (bad input, unknown entity, validation, policy refusals, rate limits)
 * are not failures: the service did its job by refusing. They still count as calls and their codes
 * are kept for the reports. Partial answers (data plus a failure-class error) are failures.
 */
export type CallClass = 'success' | 'client_error' | 'failure';

export interface CallOutcome {
  readonly class: CallClass;
  /** Error codes in the answer, normalised (see `normaliseErrorCode`), one per error. */
  readonly codes: readonly string[];
}

/** A code as it may be stored: the registry's codes and sane upper-case codes; anything else is `UNKNOWN`. */
export function normaliseErrorCode(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code) ? code : 'UNKNOWN';
}

/** The registry's origin for a code, or undefined when the registry does not know it. */
export function originOfCode(code: string): ErrorOrigin | undefined {
  return isErrorCode(code) ? ERROR_CODES[code].origin : undefined;
}

/** Classifies an answer by its errors (GraphQL errors or their formatted form: both carry `extensions`). */
export function classifyErrors(errors: ReadonlyArray<{ readonly extensions?: Readonly<Record<string, unknown>> | undefined }> | undefined): CallOutcome {
  if (errors === undefined || errors.length === 0) return { class: 'success', codes: [] };
  const codes = errors.map((error) => normaliseErrorCode(error.extensions?.['code']));
  const failed = codes.some((code) => originOfCode(code) !== 'client');
  return { class: failed ? 'failure' : 'client_error', codes };
}

export const MEMBER_STATE_CODES = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'] as const;
export type MemberStateCode = (typeof MEMBER_STATE_CODES)[number];

/**
 * Who a measurement is attributed to: a member state, `unknown` (no or malformed ClientId), or
 * `probe` (the gateway's own synthetic probes).
 */
export type CallerState = MemberStateCode | 'unknown' | 'probe';
export const CALLER_STATES: readonly CallerState[] = [...MEMBER_STATE_CODES, 'unknown', 'probe'];

/** The member state of a ClientId `GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]` (DESIGN.md, step 2). */
export function memberStateOf(clientId: string | undefined): MemberStateCode | 'unknown' {
  if (clientId === undefined) return 'unknown';
  const match = /^GCC:([A-Z]{2}):/.exec(clientId);
  const state = match?.[1];
  return state !== undefined && (MEMBER_STATE_CODES as readonly string[]).includes(state) ? (state as MemberStateCode) : 'unknown';
}

export function isCallerState(value: unknown): value is CallerState {
  return typeof value === 'string' && (CALLER_STATES as readonly string[]).includes(value);
}
