import { describe, expect, it } from '@jest/globals';
import { TRUST_ERROR_CODES } from './trust-error-codes.js';
import { TrustError, isTrustError } from './trust-error.js';

describe('TrustError', () => {
  it('takes retriability and the Arabic message from the registry and keeps certIndex and cause', () => {
    const cause = new Error('socket hang up');
    const error = new TrustError('ERR_TRUST_REVOCATION_UNKNOWN', { certIndex: 1, cause });
    expect(error.code).toBe('ERR_TRUST_REVOCATION_UNKNOWN');
    expect(error.retriable).toBe(true);
    expect(error.certIndex).toBe(1);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(TRUST_ERROR_CODES.ERR_TRUST_REVOCATION_UNKNOWN.en);
    expect(error.messageAr).toBe(TRUST_ERROR_CODES.ERR_TRUST_REVOCATION_UNKNOWN.ar);
    expect(isTrustError(error)).toBe(true);
    expect(new TrustError('ERR_TRUST_CERT_REVOKED').retriable).toBe(false);
  });

  it('has an English and an Arabic message for every registered code', () => {
    for (const [code, spec] of Object.entries(TRUST_ERROR_CODES)) {
      expect(code).toMatch(/^ERR_TRUST_[A-Z0-9_]+$/);
      expect(spec.en.length).toBeGreaterThan(10);
      expect(spec.ar).toMatch(/[\u0600-\u06FF]/);
    }
  });
});
