import { TRUST_ERROR_CODES, type TrustErrorCode } from './trust-error-codes.js';

export interface TrustErrorOptions {
  /** A specific English message; defaults to the registry's generic one. */
  readonly message?: string;
  /** Index of the failing certificate in the chain (0 = end entity). */
  readonly certIndex?: number;
  readonly cause?: unknown;
}

/**
 * The one error type of the trust library. Bad untrusted input (a certificate, a signature, a
 * trust list) ends here with a stable `code`; misuse of the API throws `TypeError` instead.
 */
export class TrustError extends Error {
  override readonly name = 'TrustError';
  readonly code: TrustErrorCode;
  readonly retriable: boolean;
  readonly messageAr: string;
  readonly certIndex: number | undefined;

  constructor(code: TrustErrorCode, options: TrustErrorOptions = {}) {
    const spec = TRUST_ERROR_CODES[code];
    super(options.message ?? spec.en, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = spec.retriable;
    this.messageAr = spec.ar;
    this.certIndex = options.certIndex;
  }
}

export function isTrustError(value: unknown): value is TrustError {
  return value instanceof TrustError;
}
