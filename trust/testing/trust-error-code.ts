import { TrustError } from '../errors/trust-error.js';

/**
 * Test support: the outcome of a trust check as a string — the TrustError code it threw, or
 * `accepted` — so tests assert on codes. Any other error is rethrown.
 */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TrustError) return error.code;
    throw error;
  }
  return 'accepted';
}

/** `code` for a promise. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TrustError) return error.code;
    throw error;
  }
  return 'accepted';
}
