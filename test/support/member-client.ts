import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { keyPairFromPem, parseCertificate, pemToDerList, signHttpRequest, verifyHttpResponse, type SignatureTrust, type Signer } from '../../trust/index.js';
import type { AgencyFiles, DemoPkiManifest } from '../../trust/index.js';

/** A member-state system's credentials from the demo PKI: its TLS client certificate and its signing identity. */
export interface MemberCredentials {
  readonly clientId: string;
  readonly tls: { readonly key: string; readonly cert: string };
  readonly signer: Signer;
}

export function memberCredentials(agency: AgencyFiles): MemberCredentials {
  return {
    clientId: agency.clientId,
    tls: { key: readFileSync(agency.clientKey, 'utf8'), cert: readFileSync(agency.clientChain, 'utf8') },
    signer: { privateKey: keyPairFromPem(readFileSync(agency.signingKey, 'utf8')).privateKey, certificates: pemToDerList(readFileSync(agency.signingChain, 'utf8')).map(parseCertificate) },
  };
}

/** The CA bundle a member system uses to check the gateway's server certificate: every state's root. */
export function gatewayCaBundle(manifest: DemoPkiManifest): string {
  return Object.values(manifest.states).map((s) => readFileSync(s.rootCert, 'utf8')).join('');
}

export interface MtlsResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/** One HTTPS request with an optional client certificate; never throws on 4xx/5xx. */
export function mtlsRequest(url: string, options: { readonly method?: string; readonly ca: string; readonly tls?: { key: string; cert: string }; readonly headers?: Record<string, string>; readonly body?: Buffer | string }): Promise<MtlsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'POST', ca: options.ca, ...(options.tls ?? {}), headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: MtlsResponse['body'] = {};
          try {
            body = JSON.parse(text) as MtlsResponse['body'];
          } catch {
            // asserted on text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SignedPostOptions {
  readonly credentials: MemberCredentials;
  readonly ca: string;
  readonly purpose?: string;
  readonly payload: unknown;
  /** Signs with these credentials instead (e.g. another member). */
  readonly signer?: MemberCredentials;
  /** Changes the body after signing (tamper tests). */
  readonly tamper?: (body: Buffer) => Buffer;
  readonly nonce?: string;
  readonly unsigned?: boolean;
  readonly headers?: Record<string, string>;
}

/** POSTs a signed GraphQL request over mutual TLS, as a member-state system does. */
export async function signedPost(graphqlUrl: string, options: SignedPostOptions): Promise<MtlsResponse & { readonly requestHash: string | undefined }> {
  const body = Buffer.from(JSON.stringify(options.payload));
  const url = new URL(graphqlUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.purpose !== undefined ? { 'x-gccgw-purpose': options.purpose } : {}), ...options.headers };
  let requestHash: string | undefined;
  if (options.unsigned !== true) {
    const signer = options.signer ?? options.credentials;
    const signed = await signHttpRequest({
      signer: signer.signer,
      method: 'POST',
      pathAndQuery: `${url.pathname}${url.search}`,
      body,
      purpose: options.purpose ?? 'NONE',
      clientId: signer.clientId,
      ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    });
    headers['x-gccgw-signature'] = signed.signature;
    requestHash = signed.requestHash;
  }
  const sent = options.tamper ? options.tamper(body) : body;
  const response = await mtlsRequest(graphqlUrl, { ca: options.ca, tls: options.credentials.tls, headers, body: sent });
  return { ...response, requestHash };
}

/** Verifies the gateway's signature on a response (what a member state keeps as proof of what it was told). */
export async function verifyGatewayResponse(response: MtlsResponse, requestHash: string, trust: SignatureTrust): Promise<string> {
  const signature = response.headers['x-gccgw-signature'];
  if (typeof signature !== 'string') throw new Error('the response is not signed');
  const verified = await verifyHttpResponse({ signature, status: response.status, body: Buffer.from(response.text), requestHash, trust });
  return verified.identity.clientId;
}
