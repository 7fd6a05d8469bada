import type { ErrorCodeEntry } from './build-docs-site.js';

/**
 * The trust library's error registry, when the trust module is part of this build. It is loaded
 * by a computed specifier so the docs build neither fails to compile nor to run while trust/ is
 * absent (it landed separately); when it is missing or has another shape, the trust section of the
 * error reference is left out.
 */
const TRUST_ERROR_CODES_MODULE = '../../trust/errors/trust-error-codes.js';

export async function loadTrustErrorCodes(): Promise<Readonly<Record<string, ErrorCodeEntry>> | undefined> {
  let loaded: unknown;
  try {
    const specifier: string = TRUST_ERROR_CODES_MODULE;
    loaded = ((await import(specifier)) as { TRUST_ERROR_CODES?: unknown }).TRUST_ERROR_CODES;
  } catch {
    return undefined;
  }
  if (typeof loaded !== 'object' || loaded === null) return undefined;
  const out: Record<string, ErrorCodeEntry> = {};
  for (const [code, entry] of Object.entries(loaded as Record<string, unknown>)) {
    const e = entry as Partial<ErrorCodeEntry> | null;
    if (e === null || typeof e.en !== 'string' || typeof e.ar !== 'string' || typeof e.retriable !== 'boolean') return undefined;
    out[code] = { retriable: e.retriable, en: e.en, ar: e.ar, ...(typeof e.httpStatus === 'number' ? { httpStatus: e.httpStatus } : {}), ...(typeof e.origin === 'string' ? { origin: e.origin } : {}) };
  }
  return out;
}
