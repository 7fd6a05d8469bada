/** The gateway-signed request context a remote subgraph believes instead of plain identity headers. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createGatewayContextVerifier, type SubgraphRequestContext } from '../../adapters/kit/index.js';
import { loadSigner } from '../../gateway/access/start-gateway-trust.js';
import { createSubgraphContextSigner, type SubgraphContextSigner } from '../../gateway/federation/subgraph-context-signer.js';
import type { DemoPkiManifest } from '../../trust/index.js';
import { testPki } from '../support/gateway-harness.js';

let pki: DemoPkiManifest;
let sign: SubgraphContextSigner;
const CONTEXT: SubgraphRequestContext = { requestId: 'req-0000-0001', clientId: 'GCC:KW:GOV:CSC:hr-portal', purpose: 'PENSION_PROTECTION' };
const NOW = new Date('2026-11-22T10:00:00Z');

beforeAll(async () => {
  pki = await testPki();
  const gateway = pki.states.QA.gateway!;
  sign = createSubgraphContextSigner({ ...loadSigner(gateway.signingKey, gateway.signingChain), clock: { now: () => NOW } });
});

function verifier(certFile = pki.states.QA.gateway!.signingCert, now = NOW): ReturnType<typeof createGatewayContextVerifier> {
  return createGatewayContextVerifier({ gatewayCertificatesPem: [readFileSync(certFile, 'utf8')], now: () => now });
}

describe('the gateway-signed subgraph context', () => {
  it('gives the subgraph the identity and purpose the gateway vouches for', async () => {
    expect(verifier()(await sign('mawared', CONTEXT), 'mawared', 'req-0000-0001')).toEqual(CONTEXT);
  });

  it('signs the same context in the call as on the thread pool (access.publicKeyOperations)', async () => {
    const gateway = pki.states.QA.gateway!;
    const inCall = createSubgraphContextSigner({ ...loadSigner(gateway.signingKey, gateway.signingChain), clock: { now: () => NOW }, offloadSigning: false });
    const jws = await inCall('mawared', CONTEXT);
    expect(jws.split('.').slice(0, 2)).toEqual((await sign('mawared', CONTEXT)).split('.').slice(0, 2));
    expect(verifier()(jws, 'mawared', 'req-0000-0001')).toEqual(CONTEXT);
    expect(() => verifier()(jws, 'mawared', 'req-0000-0002')).toThrow();
  });

  it('signs once per request and subgraph (a deep query calls one subgraph many times)', async () => {
    const first = await sign('mawared', CONTEXT);
    expect(await sign('mawared', CONTEXT)).toBe(first);
    expect(await sign('mawared', { ...CONTEXT, requestId: 'req-0000-0009' })).not.toBe(first);
    expect(await sign('gov-cloud', CONTEXT)).not.toBe(first);
  });

  it('refuses a context signed for another subgraph', async () => {
    const signed = await sign('gov-cloud', CONTEXT);
    expect(() => verifier()(signed, 'mawared', 'req-0000-0001')).toThrow(/another subgraph/);
  });

  it('refuses a context replayed on another request', async () => {
    const signed = await sign('mawared', CONTEXT);
    expect(() => verifier()(signed, 'mawared', 'req-0000-0002')).toThrow(/another request/);
  });

  it('refuses a context past its validity', async () => {
    const signed = await sign('mawared', CONTEXT);
    expect(() => verifier(undefined, new Date(NOW.getTime() + 5 * 60_000))(signed, 'mawared', 'req-0000-0001')).toThrow(/not current/);
  });

  it('refuses a context whose identity was changed after signing', async () => {
    const [header, , signature] = (await sign('mawared', CONTEXT)).split('.');
    const forged = Buffer.from(JSON.stringify({ aud: 'mawared', iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 60, rid: 'req-0000-0001', cid: 'GCC:QA:GOV:CSGDB:hr-portal' })).toString('base64url');
    expect(() => verifier()(`${header}.${forged}.${signature}`, 'mawared', 'req-0000-0001')).toThrow(/does not verify/);
  });

  it('refuses a context from a gateway the subgraph does not trust', async () => {
    const signed = await sign('mawared', CONTEXT);
    expect(() => verifier(pki.states.SA.gateway!.signingCert)(signed, 'mawared', 'req-0000-0001')).toThrow(/does not trust/);
  });
});
