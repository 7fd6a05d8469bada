import { ERROR_CODES, type ErrorCode, type ErrorOrigin } from './error-codes.js';

export interface GatewayErrorOptions {
  /** Overrides the registry's generic English message with a specific, client-safe one. */
  readonly message?: string;
  readonly cause?: unknown;
  /** Client-safe facts added to `extensions` (e.g. the subgraph name); never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error type of the gateway. Its `code` is stable and documented; `origin` says whose fault
 * it is (the caller, the gateway, or an upstream system), as X-Road's fault codes do.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: ErrorCode;
  readonly origin: ErrorOrigin;
  readonly httpStatus: number;
  readonly retriable: boolean;
  readonly messageAr: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, options: GatewayErrorOptions = {}) {
    const spec = ERROR_CODES[code];
    super(options.message ?? spec.en, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.origin = spec.origin;
    this.httpStatus = spec.httpStatus;
    this.retriable = spec.retriable;
    this.messageAr = spec.ar;
    this.details = options.details ?? {};
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
