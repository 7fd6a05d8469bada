import type { TLSSocket } from 'node:tls';
import { signHttpResponse, type Signer } from '../../trust/index.js';
import type { IncomingMessage } from 'node:http';
import type { CallerIdentity, ListenerSecurity, RequestAuthentication } from './request-security.js';
import { AccessRefusal } from './access-refusal.js';
import { PURPOSE_HEADER, SIGNATURE_HEADER, type MemberRequestVerifier } from './member-request-verifier.js';

/**
 * The signed purpose of a request that declares none (`gcc.pur` cannot be empty): such a request
 * may only touch fields that need no purpose.
 */
export const NO_PURPOSE = 'NONE';

/** A purpose code as the policy writes them; anything else cannot be a legal basis. */
const PURPOSE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

function purposeHeader(req: IncomingMessage): string | undefined {
  const value = req.headers[PURPOSE_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !PURPOSE_CODE.test(value)) {
    throw AccessRefusal.of('ERR_PURPOSE_UNKNOWN', `The ${PURPOSE_HEADER} header must be one purpose code of the access policy (upper-case letters, digits and _).`);
  }
  return value;
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) throw AccessRefusal.of('ERR_BAD_REQUEST', `Send the ${name} header once.`);
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The loopback demo port: every request acts as the configured demo client, without TLS or
 * signatures (labelled insecure wherever it appears). The access policy still applies to it.
 */
export function insecureDemoSecurity(demoClientId: string): ListenerSecurity {
  return {
    authenticate: async (req) => ({ clientId: demoClientId, authenticatedBy: 'insecure-demo-port', purpose: purposeHeader(req), signature: undefined }),
    signResponse: undefined,
  };
}

export interface MutualTlsSecurityOptions {
  readonly verifier: MemberRequestVerifier;
  /** The gateway's signing identity; responses are signed when present. */
  readonly responseSigner: Signer | undefined;
}

/**
 * The member-state port: identity from the TLS client's certificate chain, then the request's
 * signature when it carries one. An unsigned request goes on only to be refused by the policy
 * unless everything it touches is public (ERR_REQUEST_SIGNATURE_REQUIRED).
 */
export function mutualTlsSecurity(options: MutualTlsSecurityOptions): ListenerSecurity {
  const { verifier, responseSigner } = options;
  return {
    authenticate: async (req, rawBody, pathAndQuery): Promise<RequestAuthentication> => {
      const client = await verifier.identifyTlsClient(req.socket as TLSSocket);
      const purpose = purposeHeader(req);
      const jws = singleHeader(req, SIGNATURE_HEADER);
      if (jws === undefined) return { clientId: client.identity.clientId, authenticatedBy: 'mtls', purpose, signature: undefined };
      const signature = await verifier.verifySignature({ jws, method: req.method ?? 'GET', pathAndQuery, body: rawBody, client: client.identity, purposeHeader: purpose });
      return { clientId: client.identity.clientId, authenticatedBy: 'mtls', purpose: signature.purpose === NO_PURPOSE ? undefined : signature.purpose, signature };
    },
    signResponse:
      responseSigner !== undefined
        ? (status, body, requestHash) => signHttpResponse({ signer: responseSigner, status, body, requestHash })
        : undefined,
  };
}

/**
 * Who opens a subscription (WebSocket) on the mutual-TLS port: the TLS client, and, when the
 * upgrade request carries `x-gccgw-signature`, the same request-signature checks as a POST over an
 * empty body (method GET, the upgrade's path): a signed upgrade may subscribe to what needs one.
 */
export function mutualTlsWebSocketIdentity(verifier: MemberRequestVerifier): (req: IncomingMessage) => Promise<CallerIdentity> {
  return async (req) => {
    const client = await verifier.identifyTlsClient(req.socket as TLSSocket);
    const purposeValue = req.headers[PURPOSE_HEADER];
    if (purposeValue !== undefined && (typeof purposeValue !== 'string' || !PURPOSE_CODE.test(purposeValue))) throw AccessRefusal.of('ERR_PURPOSE_UNKNOWN');
    const purpose = typeof purposeValue === 'string' ? purposeValue : undefined;
    const jws = req.headers[SIGNATURE_HEADER];
    if (typeof jws !== 'string' || jws === '') return { clientId: client.identity.clientId, authenticatedBy: 'mtls', purpose, signed: false };
    const signature = await verifier.verifySignature({ jws, method: 'GET', pathAndQuery: req.url ?? '/', body: new Uint8Array(0), client: client.identity, purposeHeader: purpose });
    return { clientId: client.identity.clientId, authenticatedBy: 'mtls', purpose: signature.purpose === NO_PURPOSE ? undefined : signature.purpose, signed: true };
  };
}
