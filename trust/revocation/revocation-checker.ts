/**
 * Revocation checking with a per-trust-list policy (`ocsp`, `crl`, `ocsp-then-crl`), caches with
 * TTLs, and fail-closed behaviour: when no source gives a definite answer the result is
 * ERR_TRUST_REVOCATION_UNKNOWN, never "good".
 */
import { TrustError } from '../errors/trust-error.js';
import { systemClock, type Clock, type FetchLike } from '../util/clock.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import type { RevocationPolicy } from '../trust-list/trust-list.js';
import { checkCrl, parseCrl, type ParsedCrl, type RevocationReason } from './crl.js';
import { buildOcspRequest, certIdKey, checkOcspResponse, makeCertId, type OcspStatus } from './ocsp.js';

export interface RevocationResult {
  readonly status: 'good';
  readonly source: 'ocsp' | 'crl' | 'not-checked';
  readonly certIndex: number;
}

export interface RevocationCheckerOptions {
  readonly fetch: FetchLike;
  /** @default system clock */
  readonly clock?: Clock;
  /** @default 'ocsp-then-crl' (a trust list's own policy overrides it per call) */
  readonly policy?: RevocationPolicy;
  /** Where to ask OCSP for `cert`. @default the certificate's AIA OCSP URLs */
  readonly ocspUrlsFor?: (cert: ParsedCertificate, issuer: ParsedCertificate) => readonly string[];
  /** Where to fetch CRLs for `cert`. @default the certificate's CRL distribution points */
  readonly crlUrlsFor?: (cert: ParsedCertificate, issuer: ParsedCertificate) => readonly string[];
  /** Locally trusted OCSP responders (the trust list's `ocsp` services). */
  readonly trustedResponders?: () => readonly ParsedCertificate[];
  /** Upper bound for caching any answer. @default 300 */
  readonly cacheTtlSeconds?: number;
  /** OCSP freshness without nextUpdate. @default 3600 */
  readonly ocspMaxAgeSeconds?: number;
  /** @default true */
  readonly ocspNonce?: boolean;
  /** @default 5000 */
  readonly timeoutMillis?: number;
  /** @default 1000 entries per cache */
  readonly maxCacheEntries?: number;
}

export interface CheckChainOptions {
  /** End entity first, anchor last (the output of validatePath). */
  readonly chain: readonly ParsedCertificate[];
  /** When the status matters (signing time for evidence); freshness is always judged at clock.now(). */
  readonly at?: Date;
  readonly policy?: RevocationPolicy;
}

interface CacheEntry<T> {
  readonly value: T;
  readonly expires: number;
}

class TtlCache<T> {
  private readonly map = new Map<string, CacheEntry<T>>();
  constructor(private readonly max: number) {}
  get(key: string, now: number): T | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    return entry.value;
  }
  set(key: string, value: T, expires: number): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { value, expires });
  }
  clear(): void {
    this.map.clear();
  }
}

function revokedError(reason: RevocationReason, revokedAt: Date, index: number, source: string): TrustError {
  if (reason === 'certificateHold') {
    return new TrustError('ERR_TRUST_CERT_ON_HOLD', { certIndex: index, message: `Certificate ${index} is on hold since ${revokedAt.toISOString()} (${source})` });
  }
  return new TrustError('ERR_TRUST_CERT_REVOKED', { certIndex: index, message: `Certificate ${index} was revoked at ${revokedAt.toISOString()}, reason ${reason} (${source})` });
}

export class RevocationChecker {
  private readonly clock: Clock;
  private readonly ocspCache: TtlCache<OcspStatus>;
  private readonly crlCache: TtlCache<ParsedCrl>;

  constructor(private readonly options: RevocationCheckerOptions) {
    if (typeof options?.fetch !== 'function') throw new TypeError('RevocationChecker needs a fetch function');
    this.clock = options.clock ?? systemClock;
    this.ocspCache = new TtlCache(options.maxCacheEntries ?? 1000);
    this.crlCache = new TtlCache(options.maxCacheEntries ?? 1000);
  }

  clearCaches(): void {
    this.ocspCache.clear();
    this.crlCache.clear();
  }

  private async fetchBytes(url: string, init?: { method: string; headers: Record<string, string>; body: Uint8Array }): Promise<Uint8Array> {
    try {
      const response = await this.options.fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMillis ?? 5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.length > 8 * 1024 * 1024) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE');
      return body;
    } catch (cause) {
      if (cause instanceof TrustError) throw cause;
      throw new TrustError('ERR_TRUST_FETCH_FAILED', { message: `Could not fetch ${url}`, cause });
    }
  }

  private cacheUntil(now: number, nextUpdate: Date | undefined): number {
    const ttl = now + (this.options.cacheTtlSeconds ?? 300) * 1000;
    return nextUpdate ? Math.min(ttl, nextUpdate.getTime()) : ttl;
  }

  /** OCSP status of `cert`, from cache or the responders (RFC 6960 over HTTP POST, Appendix A.1). */
  async ocspStatus(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<OcspStatus> {
    const now = this.clock.now();
    const key = certIdKey(makeCertId(cert, issuer));
    const cached = this.ocspCache.get(key, now.getTime());
    if (cached) return cached;
    const urls = this.options.ocspUrlsFor?.(cert, issuer) ?? cert.ocspUrls;
    if (urls.length === 0) throw new TrustError('ERR_TRUST_REVOCATION_UNKNOWN', { message: 'The certificate names no OCSP responder' });
    let lastError: unknown;
    for (const url of urls.slice(0, 3)) {
      const request = buildOcspRequest(cert, issuer, { nonce: this.options.ocspNonce ?? true });
      try {
        const der = await this.fetchBytes(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' }, body: request.der });
        const status = checkOcspResponse({
          der, request, issuer, now: this.clock.now(),
          trustedResponders: this.options.trustedResponders?.() ?? [],
          maxAgeSeconds: this.options.ocspMaxAgeSeconds ?? 3600,
        });
        if (status.status !== 'unknown') this.ocspCache.set(key, status, this.cacheUntil(now.getTime(), status.nextUpdate));
        return status;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The current CRL at one of `urls`, from cache or fetched. */
  private async crlFor(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<ParsedCrl> {
    const urls = this.options.crlUrlsFor?.(cert, issuer) ?? cert.crlDistributionUrls;
    if (urls.length === 0) throw new TrustError('ERR_TRUST_REVOCATION_UNKNOWN', { message: 'The certificate names no CRL distribution point' });
    const now = this.clock.now().getTime();
    let lastError: unknown;
    for (const url of urls.slice(0, 3)) {
      const cached = this.crlCache.get(url, now);
      if (cached) return cached;
      try {
        const crl = parseCrl(await this.fetchBytes(url));
        this.crlCache.set(url, crl, this.cacheUntil(now, crl.nextUpdate));
        return crl;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Checks one certificate; throws REVOKED / ON_HOLD / REVOCATION_UNKNOWN. */
  async checkCertificate(cert: ParsedCertificate, issuer: ParsedCertificate, certIndex: number, at: Date, policy: RevocationPolicy): Promise<RevocationResult> {
    const failures: unknown[] = [];
    if (policy === 'ocsp' || policy === 'ocsp-then-crl') {
      try {
        const status = await this.ocspStatus(cert, issuer);
        if (status.status === 'good') return { status: 'good', source: 'ocsp', certIndex };
        // A revocation later than `at` leaves evidence signed at `at` valid.
        if (status.status === 'revoked' && status.revokedAt.getTime() > at.getTime()) return { status: 'good', source: 'ocsp', certIndex };
        if (status.status === 'revoked') throw revokedError(status.reason, status.revokedAt, certIndex, 'OCSP');
        failures.push(new TrustError('ERR_TRUST_REVOCATION_UNKNOWN', { message: 'OCSP answered unknown' }));
      } catch (error) {
        if (error instanceof TrustError && (error.code === 'ERR_TRUST_CERT_REVOKED' || error.code === 'ERR_TRUST_CERT_ON_HOLD')) throw error;
        failures.push(error);
      }
    }
    if (policy === 'crl' || policy === 'ocsp-then-crl') {
      try {
        const crl = await this.crlFor(cert, issuer);
        const result = checkCrl({ crl, certificate: cert, issuer, at, now: this.clock.now() });
        if (result.status === 'good') return { status: 'good', source: 'crl', certIndex };
        throw revokedError(result.reason, result.revokedAt, certIndex, 'CRL');
      } catch (error) {
        if (error instanceof TrustError && (error.code === 'ERR_TRUST_CERT_REVOKED' || error.code === 'ERR_TRUST_CERT_ON_HOLD')) throw error;
        failures.push(error);
      }
    }
    const reasons = failures.map((f) => (f instanceof TrustError ? `${f.code}: ${f.message}` : String(f))).join('; ');
    throw new TrustError('ERR_TRUST_REVOCATION_UNKNOWN', {
      certIndex,
      message: `Revocation status of certificate ${certIndex} could not be established (${reasons})`,
      cause: failures[failures.length - 1],
    });
  }

  /**
   * Checks every certificate of a validated chain except the anchor. A certificate carrying
   * id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1) is not checked.
   */
  async checkChain(options: CheckChainOptions): Promise<RevocationResult[]> {
    const chain = options.chain;
    if (!Array.isArray(chain) || chain.length === 0) throw new TypeError('checkChain needs a validated chain');
    const at = options.at ?? this.clock.now();
    const policy = options.policy ?? this.options.policy ?? 'ocsp-then-crl';
    const results: RevocationResult[] = [];
    for (let i = 0; i < chain.length - 1; i++) {
      const cert = chain[i] as ParsedCertificate;
      if (cert.ocspNoCheck) {
        results.push({ status: 'good', source: 'not-checked', certIndex: i });
        continue;
      }
      results.push(await this.checkCertificate(cert, chain[i + 1] as ParsedCertificate, i, at, policy));
    }
    return results;
  }
}
