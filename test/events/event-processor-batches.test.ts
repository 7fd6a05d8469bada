import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signEventBatch, type LoadedIdentity, type SignatureTrust, type Signer } from '../../trust/index.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { createCloudEvent, toTransportRecord, type CloudEvent } from '../../gateway/events/cloud-event.js';
import { EventCatalogue } from '../../gateway/events/event-catalogue.js';
import { EmbeddedEventTransport } from '../../gateway/events/embedded-event-transport.js';
import { EventProcessor, signable, signCloudEvent } from '../../gateway/events/event-processor.js';
import type { DeliveredRecord, EventSubscription } from '../../gateway/events/event-transport.js';
import { CERTIFICATE_REVOKED_EVENT } from '../../gateway/events/gateway-events.js';
import { until } from '../support/until.js';

/**
 * The consumer checks the records of a batch at once (signatures on the thread pool) but must decide
 * exactly as if it checked them one after another: in particular a revocation event in the middle
 * of a batch takes effect for the records after it, and only for those.
 */
describe('checking the records of a batch at once', () => {
  let env: DemoEnvironment;
  let dir: string;
  let transport: EmbeddedEventTransport;
  const subscriptions: EventSubscription[] = [];
  let qa: LoadedIdentity;
  let sa: LoadedIdentity;
  let revokedFromStart: LoadedIdentity;
  let qaGateway: LoadedIdentity;
  let catalogue: EventCatalogue;
  let requestNumber = 0;

  const signerOf = (identity: LoadedIdentity): Signer => ({ privateKey: identity.key.privateKey, certificates: identity.chain, clock: env.clock });
  const provisioning = (source: string, state = 'SUCCEEDED'): CloudEvent => {
    requestNumber += 1;
    return createCloudEvent({ source, type: 'gcc.cloud.provisioning.completed.v1', subject: `req-${requestNumber}`, data: { requestId: `req-${requestNumber}`, tenantId: 'tnt-qa-mof-prod', state }, time: env.clock.now().toISOString() });
  };
  const signed = async (identity: LoadedIdentity, state?: string): Promise<CloudEvent> => signCloudEvent(provisioning(identity.clientId, state), signerOf(identity));
  /** QA's gateway announces that `identity`'s certificate is revoked. */
  const revocationOf = async (identity: LoadedIdentity): Promise<CloudEvent> =>
    signCloudEvent(
      createCloudEvent({
        source: qaGateway.clientId,
        type: CERTIFICATE_REVOKED_EVENT,
        subject: identity.certificate.serialNumberHex,
        time: env.clock.now().toISOString(),
        data: { issuer: identity.certificate.issuer, serialNumber: identity.certificate.serialNumberHex, state: 'QA', reason: 'keyCompromise', revokedAt: new Date(env.clock.now().getTime() - 1_000).toISOString() },
      }),
      signerOf(qaGateway),
    );
  const recordsOf = (topic: string, events: readonly CloudEvent[]): DeliveredRecord[] => events.map((event, offset) => ({ ...toTransportRecord(event, topic), partition: 0, offset, timestamp: Date.now() }));

  const unrevokeAtResponder = (identity: LoadedIdentity): void => {
    env.services.revoked.delete(identity.certificate.serialNumberHex);
  };
  const refreshRevocation = (): void => {
    env.revocation.clearCaches();
    env.trust.chainCache?.clear();
  };

  /** A processor as the gateway runs it (offloaded signature checks, revocation events flush) and what it did. */
  const processor = async (options: { readonly topic: string; readonly checkConcurrency?: number }) => {
    const delivered: CloudEvent[] = [];
    const deadLetters: DeliveredRecord[] = [];
    const trust: SignatureTrust = { ...env.trust, offloadSignatureChecks: true };
    const instance = new EventProcessor({
      catalogue,
      trust,
      transport,
      flushAfter: (event) => event.type === CERTIFICATE_REVOKED_EVENT,
      deliver: async (items) => {
        for (const { event } of items) {
          delivered.push(event);
          if (event.type === CERTIFICATE_REVOKED_EVENT) {
            // The CA revoked the certificate (its OCSP responder says so from now on), and the
            // gateway refreshes its revocation state, as its revocation trigger does (gateway-events.ts).
            env.services.revoked.set((event.data as { serialNumber: string }).serialNumber, { revokedAt: new Date(env.clock.now().getTime() - 1_000), reason: 'keyCompromise' });
            refreshRevocation();
          }
        }
      },
      ...(options.checkConcurrency !== undefined ? { checkConcurrency: options.checkConcurrency } : {}),
    });
    subscriptions.push(await transport.subscribe({ groupId: `dlq-${options.topic}`, topics: [`${options.topic}.dlq`], handle: async (record) => void deadLetters.push(record) }));
    return { instance, delivered, deadLetters };
  };

  beforeAll(async () => {
    env = await startDemoEnvironment();
    qa = env.pki.states.QA.agencies.find((a) => !a.revoked)!.signing;
    revokedFromStart = env.pki.states.QA.agencies.find((a) => a.revoked)!.signing;
    sa = env.pki.states.SA.agencies.find((a) => !a.revoked)!.signing;
    qaGateway = env.pki.states.QA.gateway!.signing;
    catalogue = EventCatalogue.load();
    dir = mkdtempSync(join(tmpdir(), 'gccgw-processor-batches-'));
    transport = new EmbeddedEventTransport({ dir });
  }, 60_000);
  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.close();
    await transport.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the records before a revocation event in a batch and dead-letters those after it signed by the revoked certificate', async () => {
    const { instance, delivered, deadLetters } = await processor({ topic: 'gcc.sa.cloud' });
    // The gateway has checked qa's chain and holds the answer "good".
    const warm = await signed(qa);
    await instance.handleBatch(recordsOf('gcc.sa.cloud', [warm]));
    expect(delivered.map((e) => e.id)).toEqual([warm.id]);
    try {
      const before = await Promise.all([signed(qa), signed(qa), signed(sa), signed(qa)]);
      const revocation = await revocationOf(qa);
      const after = await Promise.all([signed(qa), signed(sa), signed(qa), signed(qa)]);
      await instance.handleBatch(recordsOf('gcc.sa.cloud', [...before, revocation, ...after]));

      expect(delivered.map((e) => e.id)).toEqual([warm.id, ...before.map((e) => e.id), revocation.id, after[1]!.id]);
      const afterByQa = [after[0]!, after[2]!, after[3]!];
      await until(() => deadLetters.length >= afterByQa.length);
      // Dead letters are keyed by subject, so they may land in different partitions: compared as a set.
      expect(deadLetters.map((r) => r.headers['ce_id']).sort()).toEqual(afterByQa.map((e) => e.id).sort());
      for (const letter of deadLetters) expect(letter.headers).toMatchObject({ dlq_reason: 'signature', dlq_code: 'ERR_TRUST_CERT_REVOKED' });
    } finally {
      unrevokeAtResponder(qa);
      refreshRevocation();
    }
  }, 60_000);

  it('decides a mixed batch exactly as checking its records one after another does', async () => {
    const batchOf = async (events: readonly CloudEvent[], identity: LoadedIdentity): Promise<CloudEvent[]> => {
      const batch = await signEventBatch({ events: events.map(signable), signer: signerOf(identity) });
      return events.map((event, i) => ({ ...event, jws: batch.jws, jwsproof: batch.proofs[i] as string }));
    };
    const [firstBatched, secondBatched, thirdBatched] = await batchOf([provisioning(qa.clientId), provisioning(qa.clientId), provisioning(qa.clientId)], qa);
    const saBatch = await batchOf([provisioning(sa.clientId), provisioning(sa.clientId)], sa);
    const duplicate = await signed(qa);
    const tampered = await signed(sa);
    const records: CloudEvent[] = [
      await signed(qa),
      duplicate,
      provisioning(qa.clientId), // unsigned
      { ...tampered, data: { ...tampered.data, state: 'FAILED' } },
      await signed(revokedFromStart),
      await signCloudEvent(provisioning(sa.clientId), signerOf(qa)), // source is not the signer
      await signed(qa, 'DONE'), // schema
      firstBatched!,
      { ...secondBatched!, jwsproof: thirdBatched!.jwsproof as string }, // a proof of another leaf
      ...saBatch,
      duplicate,
      await signed(sa),
      await revocationOf(qa),
      await signed(qa),
      thirdBatched!,
      await signed(sa),
      duplicate,
      await revocationOf(revokedFromStart),
      await signed(qa),
    ];
    const outcomeWith = async (topic: string, checkConcurrency: number) => {
      const { instance, delivered, deadLetters } = await processor({ topic, checkConcurrency });
      try {
        await instance.handleBatch(recordsOf(topic, records));
        // `duplicate` comes three times: delivered, dropped as a repeat, then refused (checked before dedupe).
        const refused = records.length - delivered.length - 1;
        await until(() => deadLetters.length >= refused);
        // In record order (dead letters keyed by subject may land in different partitions).
        const letters = deadLetters.map((r) => [r.headers['ce_id'], r.headers['dlq_reason'], r.headers['dlq_code']]);
        letters.sort((a, b) => records.findIndex((e) => e.id === a[0]) - records.findIndex((e) => e.id === b[0]));
        return { delivered: delivered.map((e) => e.id), deadLetters: letters };
      } finally {
        unrevokeAtResponder(qa);
        refreshRevocation();
      }
    };
    const oneByOne = await outcomeWith('gcc.qa.cloud', 1);
    const atOnce = await outcomeWith('gcc.ae.cloud', 64);
    expect(atOnce).toEqual(oneByOne);
    // And what that outcome is: qa's events after the revocation of its certificate are refused.
    expect(oneByOne.delivered).toEqual([0, 1, 7, 9, 10, 12, 13, 16, 18].map((i) => records[i]!.id));
    expect(oneByOne.deadLetters).toEqual([
      [duplicate.id, 'signature', 'ERR_TRUST_CERT_REVOKED'],
      [records[2]!.id, 'signature', undefined],
      [records[3]!.id, 'signature', 'ERR_TRUST_JWS_BAD_SIGNATURE'],
      [records[4]!.id, 'signature', 'ERR_TRUST_CERT_REVOKED'],
      [records[5]!.id, 'signature', 'ERR_TRUST_JWS_BINDING_MISMATCH'],
      [records[6]!.id, 'schema', undefined],
      [records[8]!.id, 'signature', 'ERR_TRUST_JWS_BINDING_MISMATCH'],
      [records[14]!.id, 'signature', 'ERR_TRUST_CERT_REVOKED'],
      [records[15]!.id, 'signature', 'ERR_TRUST_CERT_REVOKED'],
      [records[19]!.id, 'signature', 'ERR_TRUST_CERT_REVOKED'],
    ]);
  }, 60_000);
});
