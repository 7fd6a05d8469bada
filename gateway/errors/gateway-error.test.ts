import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES } from './error-codes.js';
import { GatewayError } from './gateway-error.js';

describe('GatewayError', () => {
  it('takes origin, status, retriability and the Arabic message from the registry', () => {
    const error = new GatewayError('ERR_SUBGRAPH_TIMEOUT', { details: { subgraph: 'mawared' } });
    expect(error.code).toBe('ERR_SUBGRAPH_TIMEOUT');
    expect(error.origin).toBe('upstream');
    expect(error.httpStatus).toBe(504);
    expect(error.retriable).toBe(true);
    expect(error.messageAr).toBe(ERROR_CODES.ERR_SUBGRAPH_TIMEOUT.ar);
    expect(error.details).toEqual({ subgraph: 'mawared' });
  });

  it('keeps a specific message and the cause when given', () => {
    const cause = new Error('socket hang up');
    const error = new GatewayError('ERR_SUBGRAPH_UNAVAILABLE', { message: 'Subgraph "gov-cloud" is unavailable', cause });
    expect(error.message).toBe('Subgraph "gov-cloud" is unavailable');
    expect(error.cause).toBe(cause);
  });

  it('has an English and an Arabic message for every registered code', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]+$/);
      expect(spec.en.length).toBeGreaterThan(5);
      expect(spec.ar).toMatch(/[\u0600-\u06FF]/);
    }
  });
});
