/**
 * A real OCSP responder over HTTP (RFC 6960 Appendix A): POST with application/ocsp-request, or
 * GET with the base64 request in the path. For tests and the embedded mode.
 */
import { OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import type { KeyPair, RsaScheme } from '../pki/key-pair.js';
import { certIdKey, makeCertId, parseOcspRequest } from '../revocation/ocsp.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { buildOcspErrorResponse, buildOcspResponse, type OcspAnswer } from './build-ocsp-response.js';
import { listen, readBody, type RunningServer } from './http-util.js';

export interface OcspResponderIssuer {
  /** The CA whose certificates this entry answers for. */
  readonly issuer: ParsedCertificate;
  /** Who signs: the CA itself, or a delegated responder certified by it. */
  readonly signer: { readonly certificate: ParsedCertificate; readonly key: KeyPair; readonly rsaScheme?: RsaScheme };
  /** Status of a serial (lower-case hex, no leading zeros). */
  readonly statusOf: (serialNumberHex: string) => OcspAnswer;
}

export interface OcspResponderOptions {
  readonly issuers: readonly OcspResponderIssuer[];
  /** @default system clock */
  readonly clock?: Clock;
  /** nextUpdate = thisUpdate + this. @default 3600 */
  readonly validitySeconds?: number;
  /** @default true */
  readonly echoNonce?: boolean;
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
}

export interface OcspResponder extends RunningServer {
  /** Number of requests answered (tests use it to see caching work). */
  requestCount(): number;
}

export async function startOcspResponder(options: OcspResponderOptions): Promise<OcspResponder> {
  if (!options?.issuers?.length) throw new TypeError('startOcspResponder needs issuers');
  const clock = options.clock ?? systemClock;
  let count = 0;
  const byIssuerKey = (hashAlgorithm: 'sha1' | 'sha256'): Map<string, OcspResponderIssuer> =>
    new Map(options.issuers.map((i) => [certIdKey({ ...makeCertId(i.issuer, i.issuer, hashAlgorithm), serialNumberHex: '' }), i]));
  const lookup = { sha1: byIssuerKey('sha1'), sha256: byIssuerKey('sha256') };
  const server = await listen(async (req, res) => {
    count++;
    const send = (body: Uint8Array): void => {
      res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': body.length });
      res.end(body);
    };
    let der: Uint8Array;
    if (req.method === 'POST') der = await readBody(req, 16384);
    else if (req.method === 'GET') der = new Uint8Array(Buffer.from(decodeURIComponent((req.url ?? '/').split('/').pop() ?? ''), 'base64'));
    else {
      res.writeHead(405).end();
      return;
    }
    let parsed: ReturnType<typeof parseOcspRequest>;
    try {
      parsed = parseOcspRequest(der);
    } catch {
      send(buildOcspErrorResponse(OCSPResponseStatus.malformedRequest));
      return;
    }
    const first = parsed.certIds[0];
    const entry = first ? lookup[first.hashAlgorithm].get(certIdKey({ ...first, serialNumberHex: '' })) : undefined;
    if (!entry || parsed.certIds.length !== 1 || !first) {
      send(buildOcspErrorResponse(OCSPResponseStatus.unauthorized));
      return;
    }
    const now = clock.now();
    const signerIsCa = entry.signer.certificate.fingerprint === entry.issuer.fingerprint;
    send(
      buildOcspResponse({
        signer: entry.signer,
        producedAt: now,
        responses: [{ certId: first, answer: entry.statusOf(first.serialNumberHex), thisUpdate: now, nextUpdate: new Date(now.getTime() + (options.validitySeconds ?? 3600) * 1000) }],
        ...(parsed.nonce && options.echoNonce !== false ? { nonce: parsed.nonce } : {}),
        ...(signerIsCa ? {} : { certificates: [entry.signer.certificate] }),
      }),
    );
  }, options);
  return { ...server, requestCount: () => count };
}
