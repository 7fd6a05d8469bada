import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDemoPki, loadDemoPki, signEventBatch, type LoadedIdentity, type Signer } from '../../trust/index.js';
import { PKI_TIME, startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { createCloudEvent, toTransportRecord, type CloudEvent } from '../../gateway/events/cloud-event.js';
import { EventCatalogue } from '../../gateway/events/event-catalogue.js';
import { EmbeddedEventTransport } from '../../gateway/events/embedded-event-transport.js';
import { EventProcessor, signable, signCloudEvent } from '../../gateway/events/event-processor.js';
import type { DeliveredRecord, EventSubscription } from '../../gateway/events/event-transport.js';
import { until } from '../support/until.js';

const TOPIC = 'gcc.sa.cloud';


describe('consuming signed events', () => {
  let env: DemoEnvironment;
  let dir: string;
  let transport: EmbeddedEventTransport;
  let subscription: EventSubscription;
  let dlqSubscription: EventSubscription;
  const delivered: CloudEvent[] = [];
  const deadLetters: DeliveredRecord[] = [];
  let qa: LoadedIdentity;
  let revoked: LoadedIdentity;
  let stranger: LoadedIdentity;
  let strangerDir: string;

  const signerOf = (identity: LoadedIdentity): Signer => ({ privateKey: identity.key.privateKey, certificates: identity.chain, clock: env.clock });
  const provisioningEvent = (source: string, data: Record<string, unknown> = { requestId: 'req-1', tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' }): CloudEvent =>
    createCloudEvent({ source, type: 'gcc.cloud.provisioning.completed.v1', subject: String(data['requestId'] ?? 'req'), data, time: env.clock.now().toISOString() });
  const publish = async (...events: CloudEvent[]): Promise<void> => transport.publish(events.map((e) => toTransportRecord(e, TOPIC)));
  const lastLetter = async (count: number): Promise<DeliveredRecord> => {
    await until(() => deadLetters.length >= count);
    return deadLetters[count - 1] as DeliveredRecord;
  };

  beforeAll(async () => {
    env = await startDemoEnvironment();
    const qaState = env.pki.states.QA;
    qa = qaState.agencies.find((a) => !a.revoked)!.signing;
    revoked = qaState.agencies.find((a) => a.revoked)!.signing;
    // Another PKI, with its own roots: nobody in our trust list vouches for it.
    strangerDir = mkdtempSync(join(tmpdir(), 'gccgw-stranger-pki-'));
    const strangerPki = await loadDemoPki(await initDemoPki({ dir: strangerDir, now: PKI_TIME }));
    stranger = strangerPki.states.QA.agencies.find((a) => !a.revoked)!.signing;
    dir = mkdtempSync(join(tmpdir(), 'gccgw-processor-'));
    transport = new EmbeddedEventTransport({ dir });
    const processor = new EventProcessor({ catalogue: EventCatalogue.load(), trust: env.trust, transport, deliver: async (items) => void delivered.push(...items.map((item) => item.event)) });
    subscription = await transport.subscribe({ groupId: 'member-sa', topics: [TOPIC], handle: processor.handle });
    dlqSubscription = await transport.subscribe({ groupId: 'dlq-reader', topics: [`${TOPIC}.dlq`], handle: async (r) => void deadLetters.push(r) });
  }, 60_000);
  afterAll(async () => {
    await subscription.close();
    await dlqSubscription.close();
    await transport.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(strangerDir, { recursive: true, force: true });
  });

  it('delivers a correctly signed event once, even when it arrives twice', async () => {
    const event = await signCloudEvent(provisioningEvent(qa.clientId), signerOf(qa));
    await publish(event, event);
    await until(() => delivered.some((e) => e.id === event.id));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(delivered.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(delivered[0]?.source).toBe('GCC:QA:GOV:CSGDB:hr-portal');
  });

  it('dead-letters an unsigned event (fail closed)', async () => {
    await publish(provisioningEvent(qa.clientId));
    const letter = await lastLetter(1);
    expect(letter.headers).toMatchObject({ dlq_reason: 'signature', dlq_origin_topic: TOPIC });
    expect(letter.headers['dlq_message']).toContain('not signed');
  });

  it('dead-letters an event whose data was changed after signing', async () => {
    const event = await signCloudEvent(provisioningEvent(qa.clientId), signerOf(qa));
    await publish({ ...event, data: { ...event.data, state: 'FAILED' } });
    const letter = await lastLetter(2);
    expect(letter.headers['dlq_reason']).toBe('signature');
    expect(letter.headers['dlq_code']).toMatch(/^ERR_TRUST_/);
  });

  it('dead-letters an event signed by a certificate no member-state CA vouches for', async () => {
    const event = await signCloudEvent(provisioningEvent(stranger.clientId), signerOf(stranger));
    await publish(event);
    const letter = await lastLetter(3);
    expect(letter.headers['dlq_reason']).toBe('signature');
    expect(letter.headers['dlq_code']).toMatch(/^ERR_TRUST_/);
  });

  it('dead-letters an event signed with a revoked certificate', async () => {
    const event = await signCloudEvent(provisioningEvent(revoked.clientId), signerOf(revoked));
    await publish(event);
    const letter = await lastLetter(4);
    expect(letter.headers['dlq_reason']).toBe('signature');
    expect(letter.headers['dlq_code']).toBe('ERR_TRUST_CERT_REVOKED');
  });

  it('dead-letters an event whose source is not its signer', async () => {
    const sa = env.pki.states.SA.agencies.find((a) => !a.revoked)!.signing;
    const event = await signCloudEvent(provisioningEvent(sa.clientId), signerOf(qa));
    await publish(event);
    const letter = await lastLetter(5);
    expect(letter.headers['dlq_reason']).toBe('signature');
    expect(letter.headers['dlq_code']).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
  });

  const batchSigned = async (events: readonly CloudEvent[], identity: LoadedIdentity): Promise<CloudEvent[]> => {
    const batch = await signEventBatch({ events: events.map(signable), signer: signerOf(identity) });
    return events.map((event, i) => ({ ...event, jws: batch.jws, jwsproof: batch.proofs[i] as string }));
  };

  it('delivers batch-signed events, each verified on its own by its inclusion proof', async () => {
    const events = await batchSigned([1, 2, 3].map((n) => provisioningEvent(qa.clientId, { requestId: `req-batch-${n}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' })), qa);
    // Only two of the three travel: each stands on its own.
    await publish(events[2]!, events[0]!);
    await until(() => delivered.some((e) => e.id === events[0]!.id) && delivered.some((e) => e.id === events[2]!.id));
    expect(delivered.some((e) => e.id === events[1]!.id)).toBe(false);
    expect(delivered.find((e) => e.id === events[2]!.id)?.jwsproof).toBe(events[2]!.jwsproof);
  });

  it('dead-letters a batch-signed event whose inclusion proof was tampered with, or that lost its proof', async () => {
    const [first, second] = await batchSigned([4, 5].map((n) => provisioningEvent(qa.clientId, { requestId: `req-batch-${n}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' })), qa);
    const before = deadLetters.length;
    // The proof of the other event of the batch: the walk leads to another root.
    await publish({ ...first!, jwsproof: second!.jwsproof as string });
    const letter = await lastLetter(before + 1);
    expect(letter.headers).toMatchObject({ dlq_reason: 'signature', dlq_code: 'ERR_TRUST_JWS_BINDING_MISMATCH', dlq_origin_topic: TOPIC });
    expect(letter.headers['dlq_message']).toContain('inclusion proof');
    expect(letter.headers['ce_jwsproof']).toBe(second!.jwsproof);
    // Without its proof, the batch signature is refused as an event signature (gcc.mr is critical).
    const { jwsproof: _proof, ...withoutProof } = second!;
    await publish(withoutProof);
    expect((await lastLetter(before + 2)).headers).toMatchObject({ dlq_reason: 'signature', dlq_code: 'ERR_TRUST_JWS_CRIT' });
    expect(delivered.some((e) => e.id === first!.id || e.id === second!.id)).toBe(false);
  });

  it('dead-letters a signed event whose data violates its schema', async () => {
    const event = await signCloudEvent(provisioningEvent(qa.clientId, { requestId: 'req-2', tenantId: 'tnt-qa-mof-prod', state: 'DONE' }), signerOf(qa));
    const before = deadLetters.length;
    await publish(event);
    const letter = await lastLetter(before + 1);
    expect(letter.headers['dlq_reason']).toBe('schema');
    expect(letter.headers['dlq_message']).toContain('/state');
    expect(delivered.some((e) => e.id === event.id)).toBe(false);
  });
});
