import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LoadedIdentity } from '../pki/load-demo-pki.js';
import { startDemoEnvironment, TestClock, type DemoEnvironment } from '../testing/demo-environment.js';
import { codeOf, code } from '../testing/trust-error-code.js';
import {
  decodeEventInclusionProof,
  encodeEventInclusionProof,
  EventBatchSignatureCache,
  signEventBatch,
  verifyBatchedEvent,
} from './event-batch-signatures.js';
import { signEvent, verifyEvent } from './event-signatures.js';
import type { Signer } from './http-signatures.js';
import { signDetached } from './sign-detached.js';
import { ValidatedChainCache } from './verify-signature.js';

let env: DemoEnvironment;
let qa: LoadedIdentity;
let sa: LoadedIdentity;

const signerOf = (id: LoadedIdentity): Signer => ({ privateKey: id.key.privateKey, certificates: id.chain, clock: env.clock });
const eventsFrom = (source: string, count: number, prefix = 'e'): Array<Record<string, unknown> & { id: string; source: string }> =>
  Array.from({ length: count }, (_, i) => ({
    specversion: '1.0',
    id: `${prefix}-${i}`,
    source,
    type: 'gcc.cloud.provisioning.completed.v1',
    subject: `op-${i}`,
    time: '2026-11-01T09:00:00Z',
    datacontenttype: 'application/json',
    data: { requestId: `op-${i}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' },
  }));
const headerOf = (jws: string): Record<string, unknown> => JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  env = await startDemoEnvironment();
  qa = env.pki.states.QA.agencies.find((a) => !a.revoked)!.signing;
  sa = env.pki.states.SA.agencies.find((a) => !a.revoked)!.signing;
}, 60_000);
afterAll(async () => {
  await env.close();
});

describe('batch-signed events (one JWS over a Merkle root, a proof per event)', () => {
  it('verifies every event of a batch on its own, in any order, with one JWS verification per batch', async () => {
    const events = eventsFrom(qa.clientId, 7);
    const batch = await signEventBatch({ events, signer: signerOf(qa) });
    expect(batch.proofs).toHaveLength(7);
    const header = headerOf(batch.jws);
    expect(header).toMatchObject({ alg: 'ES256', b64: false, crit: ['b64', 'sigT', 'gcc.mr'], 'gcc.mr': { root: batch.root.toString('base64url'), size: 7 } });
    const cache = new EventBatchSignatureCache();
    for (const i of [6, 0, 3, 1, 5, 2, 4]) {
      const verified = await verifyBatchedEvent({ event: events[i]!, signature: batch.jws, proof: batch.proofs[i]!, trust: env.trust, cache });
      expect(verified.identity.clientId).toBe(qa.clientId);
    }
    expect(cache.size).toBe(1);
    // The cached batch's tree nodes were hashed once for all seven events; a second pass is all memo.
    for (let i = 0; i < 7; i++) expect((await verifyBatchedEvent({ event: events[i]!, signature: batch.jws, proof: batch.proofs[i]!, trust: env.trust, cache })).identity.clientId).toBe(qa.clientId);
    // Canonical form: member order does not matter.
    const { data, ...rest } = events[2]!;
    expect((await verifyBatchedEvent({ event: { data, ...rest }, signature: batch.jws, proof: batch.proofs[2]!, trust: env.trust })).state).toBe('QA');
  });

  it('verifies a batch of one event with an empty audit path', async () => {
    const [event] = eventsFrom(qa.clientId, 1, 'single');
    const batch = await signEventBatch({ events: [event!], signer: signerOf(qa) });
    expect(batch.proofs[0]).toBe('0.1.');
    expect((await verifyBatchedEvent({ event: event!, signature: batch.jws, proof: '0.1.', trust: env.trust })).identity.clientId).toBe(qa.clientId);
  });

  describe('fails closed', () => {
    const outcomes = async (build: (ctx: { events: ReturnType<typeof eventsFrom>; jws: string; proofs: readonly string[] }) => { event: Record<string, unknown> & { id: string; source: string }; signature: string; proof: string }) => {
      const events = eventsFrom(qa.clientId, 9, `t${Math.random()}`);
      const batch = await signEventBatch({ events, signer: signerOf(qa) });
      const input = build({ events, jws: batch.jws, proofs: batch.proofs });
      // Same answer whether or not the batch signature is already in the cache.
      const cache = new EventBatchSignatureCache();
      await verifyBatchedEvent({ event: events[8]!, signature: batch.jws, proof: batch.proofs[8]!, trust: env.trust, cache });
      const cached = await codeOf(verifyBatchedEvent({ ...input, trust: env.trust, cache }));
      const fresh = await codeOf(verifyBatchedEvent({ ...input, trust: env.trust }));
      return { cached, fresh };
    };

    it('refuses a tampered proof', async () => {
      const result = await outcomes(({ events, jws, proofs }) => {
        const proof = decodeEventInclusionProof(proofs[4]!);
        const path = proof.path.map((p) => Buffer.from(p));
        (path[1] as Buffer)[0] = ((path[1] as Buffer)[0] as number) ^ 0x01;
        return { event: events[4]!, signature: jws, proof: encodeEventInclusionProof({ ...proof, path }) };
      });
      expect(result).toEqual({ cached: 'ERR_TRUST_JWS_BINDING_MISMATCH', fresh: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
    });

    it('refuses a proof with a wrong leaf index', async () => {
      const result = await outcomes(({ events, jws, proofs }) => ({ event: events[4]!, signature: jws, proof: proofs[4]!.replace(/^4\./, '5.') }));
      expect(result).toEqual({ cached: 'ERR_TRUST_JWS_BINDING_MISMATCH', fresh: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
    });

    it('refuses a proof with a wrong tree size, also one whose walk reaches the same root', async () => {
      // Leaf 2 of 9 sits where it sits in a tree of 10: the walk gives the same root, the signed size differs.
      const sameShape = await outcomes(({ events, jws, proofs }) => ({ event: events[2]!, signature: jws, proof: proofs[2]!.replace(/^2\.9\./, '2.10.') }));
      expect(sameShape).toEqual({ cached: 'ERR_TRUST_JWS_BINDING_MISMATCH', fresh: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
      const otherShape = await outcomes(({ events, jws, proofs }) => ({ event: events[8]!, signature: jws, proof: proofs[8]!.replace(/^8\.9\./, '8.16.') }));
      expect(otherShape).toEqual({ cached: 'ERR_TRUST_JWS_MALFORMED', fresh: 'ERR_TRUST_JWS_MALFORMED' });
    });

    it('refuses an event moved to another event’s place in the batch (reordered)', async () => {
      const result = await outcomes(({ events, jws, proofs }) => ({ event: events[3]!, signature: jws, proof: proofs[5]! }));
      expect(result).toEqual({ cached: 'ERR_TRUST_JWS_BINDING_MISMATCH', fresh: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
    });

    it('refuses an event changed after signing', async () => {
      const result = await outcomes(({ events, jws, proofs }) => ({ event: { ...events[1]!, data: { requestId: 'op-1', tenantId: 'tnt-qa-mof-prod', state: 'FAILED' } }, signature: jws, proof: proofs[1]! }));
      expect(result).toEqual({ cached: 'ERR_TRUST_JWS_BINDING_MISMATCH', fresh: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
    });

    it('refuses a swapped root: another batch’s signature, or a header naming another root', async () => {
      const other = await signEventBatch({ events: eventsFrom(qa.clientId, 9, 'other'), signer: signerOf(qa) });
      const swapped = await outcomes(({ events, proofs }) => ({ event: events[0]!, signature: other.jws, proof: proofs[0]! }));
      expect(swapped).toEqual({ cached: 'ERR_TRUST_JWS_BINDING_MISMATCH', fresh: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
      // The header rewritten to name this batch's root, the other batch's signature value kept.
      const rewritten = await outcomes(({ events, jws, proofs }) => {
        const header = headerOf(other.jws);
        header['gcc.mr'] = headerOf(jws)['gcc.mr'];
        return { event: events[0]!, signature: `${Buffer.from(JSON.stringify(header)).toString('base64url')}..${other.jws.split('.')[2]}`, proof: proofs[0]! };
      });
      expect(rewritten).toEqual({ cached: 'ERR_TRUST_JWS_BAD_SIGNATURE', fresh: 'ERR_TRUST_JWS_BAD_SIGNATURE' });
    });

    it('refuses an event whose source is not the signer', async () => {
      const events = eventsFrom(sa.clientId, 3, 'spoof');
      const batch = await signEventBatch({ events, signer: signerOf(qa) });
      expect(await codeOf(verifyBatchedEvent({ event: events[0]!, signature: batch.jws, proof: batch.proofs[0]!, trust: env.trust }))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
    });

    it('refuses a wrong proof, a changed event and a wrong size with the same codes when the batch and its tree nodes are cached', async () => {
      const events = eventsFrom(qa.clientId, 9, 'warm');
      const batch = await signEventBatch({ events, signer: signerOf(qa) });
      const cache = new EventBatchSignatureCache();
      for (let i = 0; i < 9; i++) await verifyBatchedEvent({ event: events[i]!, signature: batch.jws, proof: batch.proofs[i]!, trust: env.trust, cache });
      const verify = (event: (typeof events)[number], proof: string): Promise<unknown> => verifyBatchedEvent({ event, signature: batch.jws, proof, trust: env.trust, cache });
      const [, , path] = batch.proofs[4]!.split('.');
      expect(await codeOf(verify({ ...events[4]!, subject: 'op-someone-else' }, batch.proofs[4]!))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
      expect(await codeOf(verify(events[4]!, batch.proofs[5]!))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
      expect(await codeOf(verify(events[4]!, `5.9.${path}`))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
      // Leaf 4 of 9 and of 10 walk the same path: the signed size tells them apart.
      expect(await codeOf(verify(events[4]!, `4.10.${path}`))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
      expect(await codeOf(verify(events[4]!, `4.40.${path}`))).toBe('ERR_TRUST_JWS_MALFORMED');
      const bytes = Buffer.from(path!, 'base64url');
      bytes[40] = (bytes[40]! + 1) % 256;
      expect(await codeOf(verify(events[4]!, `4.9.${bytes.toString('base64url')}`))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
      expect(await codeOf(verify(events[4]!, `4.9.${Buffer.from(path!, 'base64url').subarray(32).toString('base64url')}`))).toBe('ERR_TRUST_JWS_MALFORMED');
      // And the right one still passes.
      expect((await verify(events[4]!, batch.proofs[4]!)) as { state: string }).toMatchObject({ state: 'QA' });
    });

    it('decides the signer’s chain for every event, also when the batch signature is cached', async () => {
      const events = eventsFrom(qa.clientId, 2, 'later');
      const batch = await signEventBatch({ events, signer: signerOf(qa) });
      const cache = new EventBatchSignatureCache();
      await verifyBatchedEvent({ event: events[0]!, signature: batch.jws, proof: batch.proofs[0]!, trust: env.trust, cache });
      // The same batch checked in 2040, when the signing certificate has long expired.
      const later = { ...env.trust, clock: new TestClock(new Date('2040-01-01T00:00:00Z')), chainCache: new ValidatedChainCache() };
      expect(await codeOf(verifyBatchedEvent({ event: events[1]!, signature: batch.jws, proof: batch.proofs[1]!, trust: later, cache }))).toMatch(/^ERR_TRUST_CERT_/);
    });

    it('keeps per-event and batch signatures apart', async () => {
      const [event] = eventsFrom(qa.clientId, 1, 'apart');
      const batch = await signEventBatch({ events: [event!], signer: signerOf(qa) });
      // A per-event verifier does not understand gcc.mr (RFC 7515 §4.1.11).
      expect(await codeOf(verifyEvent({ event: event!, signature: batch.jws, trust: env.trust }))).toBe('ERR_TRUST_JWS_CRIT');
      const single = await signEvent({ event: event!, signer: signerOf(qa) });
      expect(await codeOf(verifyBatchedEvent({ event: event!, signature: single, proof: '0.1.', trust: env.trust }))).toBe('ERR_TRUST_JWS_MALFORMED');
      // gcc.mr present but not critical.
      const notCritical = await signDetached({ payload: batch.root, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
      const header = { ...headerOf(notCritical), 'gcc.mr': { root: batch.root.toString('base64url'), size: 1 } };
      const forged = `${Buffer.from(JSON.stringify(header)).toString('base64url')}..${notCritical.split('.')[2]}`;
      expect(await codeOf(verifyBatchedEvent({ event: event!, signature: forged, proof: '0.1.', trust: env.trust }))).toBe('ERR_TRUST_JWS_CRIT');
    });

    it('refuses proofs that are not in the compact form', () => {
      for (const text of ['', '0.1', '00.1.', '1.1.', '0.0.', '-1.2.AA', '0.2.AAAA', `0.2.${Buffer.alloc(32).toString('base64url')}=`, `0.2.${Buffer.alloc(32).toString('base64')}+`, `x.2.${Buffer.alloc(32).toString('base64url')}`]) {
        expect([text, code(() => decodeEventInclusionProof(text))]).toEqual([text, 'ERR_TRUST_JWS_MALFORMED']);
      }
      expect(decodeEventInclusionProof(`1.2.${Buffer.alloc(32, 7).toString('base64url')}`)).toMatchObject({ index: 1, size: 2 });
    });
  });
});
