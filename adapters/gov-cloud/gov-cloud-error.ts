import { AdapterError, type AdapterErrorCode } from '../kit/index.js';

/**
 * An `AdapterError` that also carries the cloud's own error code (`QuotaExceeded`, `InvalidSku`...)
 * as `extensions.reason`, so a client can tell apart refusals that share one gateway code.
 */
export class GovCloudError extends AdapterError {
  readonly reason: string | undefined;

  constructor(code: AdapterErrorCode, message: string, options: { cause?: unknown; upstreamStatus?: number; reason?: string } = {}) {
    super(code, message, { ...options, adapter: 'gov-cloud' });
    this.reason = options.reason;
    if (options.reason !== undefined) (this.extensions as Record<string, unknown>)['reason'] = options.reason;
  }
}

/**
 * Upstream error codes that mean the caller's input was wrong (so `ERR_BAD_USER_INPUT`), as opposed to
 * the cloud refusing a valid request (`ERR_UPSTREAM_REJECTED`).
 */
export const USER_INPUT_REASONS: ReadonlySet<string> = new Set([
  'InvalidSku',
  'SkuNotAvailable',
  'LocationNotAvailableForResourceType',
  'InvalidResourceName',
  'InvalidResourceType',
  'InvalidTags',
  'InvalidIdempotencyKey',
  'IdempotencyKeyReused',
  'SubscriptionNotFound',
  'ResourceGroupNotFound',
  'TenantNotFound',
  'OperationAlreadyCompleted',
  'InvalidBillingPeriod',
  'InvalidDate',
]);
