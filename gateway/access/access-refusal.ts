import { isTrustError, TRUST_ERROR_CODES, type TrustError } from '../../trust/index.js';
import { ERROR_CODES, type ErrorOrigin } from '../errors/error-codes.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';

/**
 * Why a request was refused before GraphQL ran: a stable code (gateway registry or the trust
 * module's registry), the HTTP status, whose fault it is, and a client-safe message. The client sees
 * exactly this, plus the correlation id that is also on the log line.
 */
export class AccessRefusal extends Error {
  override readonly name = 'AccessRefusal';
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    readonly origin: ErrorOrigin,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static from(error: unknown): AccessRefusal {
    if (error instanceof AccessRefusal) return error;
    if (isGatewayError(error)) return AccessRefusal.fromGatewayError(error);
    if (isTrustError(error)) return AccessRefusal.fromTrustError(error);
    return new AccessRefusal('ERR_INTERNAL', 500, 'gateway', ERROR_CODES.ERR_INTERNAL.en, {}, { cause: error });
  }

  static fromGatewayError(error: GatewayError): AccessRefusal {
    return new AccessRefusal(error.code, error.httpStatus, error.origin, error.message, error.details, { cause: error });
  }

  /**
   * Trust decisions: an unusable trust list or revocation status that cannot be established is the
   * gateway's problem (503, retriable, still refused: fail closed); everything else is about what
   * the client presented (403; 401 for the request signature itself).
   */
  static fromTrustError(error: TrustError): AccessRefusal {
    const code = error.code;
    const spec = TRUST_ERROR_CODES[code];
    if (code === 'ERR_TRUST_LIST_EXPIRED' || code === 'ERR_TRUST_LIST_NOT_LOADED' || spec.retriable) {
      return new AccessRefusal(code, 503, 'gateway', error.message, {}, { cause: error });
    }
    const status = code.startsWith('ERR_TRUST_JWS_') ? 401 : 403;
    return new AccessRefusal(code, status, 'client', error.message, {}, { cause: error });
  }

  static of(code: keyof typeof ERROR_CODES, message?: string, details?: Record<string, unknown>): AccessRefusal {
    return AccessRefusal.fromGatewayError(new GatewayError(code, { ...(message !== undefined ? { message } : {}), ...(details !== undefined ? { details } : {}) }));
  }

  /** The GraphQL-over-HTTP error body. */
  body(correlationId: string): { errors: Array<{ message: string; extensions: Record<string, unknown> }> } {
    return { errors: [{ message: this.message, extensions: { code: this.code, origin: this.origin, ...this.details, correlationId } }] };
  }
}
