#!/usr/bin/env node
/**
 * A sample member-state client: what a national system does to call the GCC Interop Gateway.
 *
 *   1. authenticate with its TLS client certificate (mutual TLS, issued by its national CA);
 *   2. sign the request: a detached JWS over the exact body bytes, binding method, path, body
 *      digest, purpose, nonce and ClientId (header x-gccgw-signature);
 *   3. declare the purpose of use (header x-gccgw-purpose, a legal basis of the access policy);
 *   4. verify the gateway's signed response (x-gccgw-signature) against the trust list, bound to
 *      its own request by the request hash, and keep it as proof of what it was told.
 *
 * Run it against a gateway started with `npm start` (demo PKI in var/pki):
 *   node examples/member-client.mjs --state SA --purpose PENSION_PROTECTION \
 *     --query '{ verifyEmployment(nationalId: "28763400123", issuingState: SA) { employed } }'
 *
 * It uses the gateway's trust library (dist/trust), which stands on its own; any JOSE library
 * that does RFC 7797 detached payloads can do the same (see docs/guides/signing-a-request.md).
 */
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  keyPairFromPem, parseCertificate, pemToDer, pemToDerList, readDemoPkiManifest,
  signHttpRequest, verifyHttpResponse, TrustListHolder, ValidatedChainCache,
} from '../dist/trust/index.js';

const { values: args } = parseArgs({
  options: {
    pki: { type: 'string', default: 'var/pki' },
    state: { type: 'string', default: 'QA' },
    url: { type: 'string', default: 'https://localhost:4443/graphql' },
    purpose: { type: 'string', default: 'EMPLOYMENT_VERIFICATION' },
    query: { type: 'string', default: '{ governmentEntity(state: QA, code: "MOF") { code name { en ar } headcount } }' },
    variables: { type: 'string', default: '{}' },
    json: { type: 'boolean', default: false },
  },
});

const manifest = await readDemoPkiManifest(args.pki);
const agency = manifest.states[args.state]?.agencies.find((a) => !a.revoked);
if (!agency) throw new Error(`no agency for state ${args.state} in ${args.pki}`);

// The request, exactly as it will be sent: the signature covers these bytes.
const body = Buffer.from(JSON.stringify({ query: args.query, variables: JSON.parse(args.variables) }));
const url = new URL(args.url);
const signer = {
  privateKey: keyPairFromPem(readFileSync(agency.signingKey, 'utf8')).privateKey,
  certificates: pemToDerList(readFileSync(agency.signingChain, 'utf8')).map(parseCertificate),
};
const signed = await signHttpRequest({ signer, method: 'POST', pathAndQuery: url.pathname + url.search, body, purpose: args.purpose, clientId: agency.clientId });

// Mutual TLS: our client certificate chain; the gateway's certificate is checked against the member states' roots.
const ca = Object.values(manifest.states).map((s) => readFileSync(s.rootCert, 'utf8'));
const response = await new Promise((resolve, reject) => {
  const req = request(url, {
    method: 'POST',
    key: readFileSync(agency.clientKey, 'utf8'),
    cert: readFileSync(agency.clientChain, 'utf8'),
    ca,
    headers: { 'content-type': 'application/json', 'x-gccgw-purpose': args.purpose, 'x-gccgw-signature': signed.signature },
  }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
  });
  req.on('error', reject);
  req.end(body);
});

// Verify the answer: the gateway's certificate must chain to a CA on the signed trust list, and the
// signature must bind this status, these bytes and our request hash.
const holder = new TrustListHolder({ operatorAnchors: [pemToDer(readFileSync(join(args.pki, 'operator', 'root.pem'), 'utf8'))] });
await holder.loadFile(manifest.trustList.signed);
const signature = response.headers['x-gccgw-signature'];
let verifiedBy;
if (typeof signature === 'string') {
  const verified = await verifyHttpResponse({
    signature, status: response.status, body: response.body, requestHash: signed.requestHash,
    // The demo's OCSP responder runs inside the gateway on a random port; a production client
    // passes a RevocationChecker here (trust/index.js) so a revoked gateway key is refused.
    trust: { trustList: () => holder.current(), revocation: 'none', chainCache: new ValidatedChainCache() },
  });
  verifiedBy = verified.identity.clientId;
}

const answer = JSON.parse(response.body.toString('utf8'));
if (args.json) {
  process.stdout.write(`${JSON.stringify({ status: response.status, signedBy: verifiedBy ?? null, requestHash: signed.requestHash, correlationId: response.headers['x-request-id'], answer })}\n`);
} else {
  process.stdout.write(`HTTP ${response.status}  correlation id ${response.headers['x-request-id']}\n`);
  process.stdout.write(verifiedBy ? `response signature verified: signed by ${verifiedBy}, bound to request hash ${signed.requestHash}\n` : 'response NOT signed\n');
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
}
process.exitCode = response.status === 200 && verifiedBy ? 0 : 1;
