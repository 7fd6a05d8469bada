import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FlattenedSign } from 'jose';
import type { TrustError } from '../errors/trust-error.js';
import { issueCertificate } from '../pki/issue-certificate.js';
import { generateKeyPair } from '../pki/key-pair.js';
import type { LoadedIdentity } from '../pki/load-demo-pki.js';
import { signDetached } from '../jws/sign-detached.js';
import { ValidatedChainCache, verifyMemberChain, verifySignature } from '../jws/verify-signature.js';
import { nodeFetch, startDemoEnvironment, TestClock, type DemoEnvironment } from '../testing/demo-environment.js';
import { signTrustList } from './sign-trust-list.js';
import { statusAt, type TrustListDocument, type TrustService } from './trust-list.js';
import { TrustListHolder } from './trust-list-holder.js';
import { TRUST_LIST_SCHEMA } from './trust-list-schema.js';
import { codeOf } from '../testing/trust-error-code.js';

let env: DemoEnvironment;
let doc: TrustListDocument;


function sign(document: TrustListDocument): Promise<string> {
  return signTrustList({ document, privateKey: env.pki.operator.signerKey.privateKey, certificates: [env.pki.operator.signer], signingTime: env.clock.now() });
}

function holder(clock = env.clock): TrustListHolder {
  return new TrustListHolder({ operatorAnchors: [env.pki.operator.root], clock, nextUpdateGraceSeconds: 3600 });
}

beforeAll(async () => {
  env = await startDemoEnvironment();
  doc = JSON.parse(await readFile(env.pki.manifest.trustList.document, 'utf8')) as TrustListDocument;
});

afterAll(async () => {
  await env.close();
});

describe('trust list document', () => {
  it('lists all six member states with CAs, OCSP responders, a TSA and gateways', () => {
    const list = env.holder.current();
    expect(list.document.members.map((m) => m.state)).toEqual(['BH', 'KW', 'OM', 'QA', 'SA', 'AE']);
    expect(list.caCertificates()).toHaveLength(6);
    expect(list.servicesOfType('ocsp')).toHaveLength(6);
    expect(list.servicesOfType('tsa').map((s) => s.state)).toEqual(['QA']);
    expect(list.servicesOfType('gateway').map((s) => s.state).sort()).toEqual(['QA', 'SA']);
  });

  it('keeps schemas/trust-list.schema.json identical to the schema the loader enforces', async () => {
    const file = JSON.parse(await readFile(new URL('../../schemas/trust-list.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(TRUST_LIST_SCHEMA)));
  });

  it('answers status by time from the history', () => {
    const service: TrustService = { ...(doc.members[0]?.services[0] as TrustService), status: 'granted', statusHistory: [
      { status: 'granted', from: '2026-01-01T00:00:00Z' }, { status: 'suspended', from: '2026-03-01T00:00:00Z' }, { status: 'granted', from: '2026-04-01T00:00:00Z' },
    ] };
    expect(statusAt(service, new Date('2025-12-31T00:00:00Z'))).toBeUndefined();
    expect(statusAt(service, new Date('2026-02-01T00:00:00Z'))).toBe('granted');
    expect(statusAt(service, new Date('2026-03-15T00:00:00Z'))).toBe('suspended');
    expect(statusAt(service, new Date('2026-05-01T00:00:00Z'))).toBe('granted');
  });
});

describe('loading a signed trust list', () => {
  it('refuses a tampered payload (ERR_TRUST_LIST_BAD_SIGNATURE)', async () => {
    const jws = JSON.parse(env.pki.signedTrustList) as { payload: string };
    const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString()) as { sequenceNumber: number };
    payload.sequenceNumber = 99;
    const tampered = JSON.stringify({ ...jws, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') });
    expect(await codeOf(holder().load(tampered))).toBe('ERR_TRUST_LIST_BAD_SIGNATURE');
  });

  it('refuses a list signed by someone who does not chain to the pinned operator', async () => {
    const key = await generateKeyPair('ec-p256');
    const selfMade = await issueCertificate({ subject: 'C=QA, CN=GCC Trust List Signer 1', subjectKey: key, profile: 'signing', notBefore: new Date('2026-01-01'), notAfter: new Date('2030-01-01') });
    const signed = await signTrustList({ document: { ...doc, sequenceNumber: 50 }, privateKey: key.privateKey, certificates: [selfMade], signingTime: env.clock.now() });
    expect(await codeOf(holder().load(signed))).toBe('ERR_TRUST_LIST_UNTRUSTED_OPERATOR');
  });

  it('refuses a list that does not match the schema even when properly signed', async () => {
    const bad = { ...doc, sequenceNumber: 3, members: [{ ...doc.members[0], state: 'XX' }] };
    const jws = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(bad)))
      .setProtectedHeader({ alg: 'ES256', typ: 'gcc-trust-list+jws', crit: ['sigT'], sigT: '2026-11-01T09:00:00Z', x5c: [Buffer.from(env.pki.operator.signer.der).toString('base64')], 'x5t#S256': (await import('../jws/sign-detached.js')).x5tS256(env.pki.operator.signer.der) })
      .sign(env.pki.operator.signerKey.privateKey, { crit: { sigT: true } });
    expect(await codeOf(holder().load(JSON.stringify(jws)))).toBe('ERR_TRUST_LIST_INVALID');
  });

  it('refuses a rollback to a lower sequence number, and a different list under the same number', async () => {
    const h = holder();
    await h.load(await sign({ ...doc, sequenceNumber: 5 }));
    expect(await codeOf(h.load(await sign({ ...doc, sequenceNumber: 4 })))).toBe('ERR_TRUST_LIST_ROLLBACK');
    expect(await codeOf(h.load(await sign({ ...doc, sequenceNumber: 5, revocationPolicy: 'crl' })))).toBe('ERR_TRUST_LIST_ROLLBACK');
    expect(await codeOf(h.load(await sign({ ...doc, sequenceNumber: 5 })))).toBe('accepted');
    expect(h.current().sequenceNumber).toBe(5);
    const restarted = new TrustListHolder({ operatorAnchors: [env.pki.operator.root], clock: env.clock, minimumSequenceNumber: 5 });
    expect(await codeOf(restarted.load(await sign({ ...doc, sequenceNumber: 4 })))).toBe('ERR_TRUST_LIST_ROLLBACK');
  });

  it('fails closed after nextUpdate plus grace: the holder reports itself expired', async () => {
    const clock = new TestClock(env.clock.now());
    const h = holder(clock);
    await h.load(env.pki.signedTrustList);
    clock.set(new Date(Date.parse(doc.nextUpdate) + 1800_000));
    expect(h.state().status).toBe('in-grace');
    expect(h.current().sequenceNumber).toBe(1);
    clock.set(new Date(Date.parse(doc.nextUpdate) + 3601_000));
    expect(h.state().status).toBe('expired');
    expect(() => h.current()).toThrow(expect.objectContaining({ code: 'ERR_TRUST_LIST_EXPIRED' }));
    expect(await codeOf(holder(clock).load(env.pki.signedTrustList))).toBe('ERR_TRUST_LIST_EXPIRED');
  });

  it('loads from a URL and reports an unreachable one as retriable', async () => {
    const server = createServer((_req, res) => res.end(env.pki.signedTrustList));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const h = new TrustListHolder({ operatorAnchors: [env.pki.operator.root], clock: env.clock, fetch: nodeFetch });
      const list = await h.loadUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/trust-list.jws.json`);
      expect(list.sequenceNumber).toBe(1);
      const error = await h.loadUrl('http://127.0.0.1:9/none').catch((e: unknown) => e as TrustError);
      expect([(error as TrustError).code, (error as TrustError).retriable]).toEqual(['ERR_TRUST_FETCH_FAILED', true]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses use before anything is loaded', () => {
    expect(() => holder().current()).toThrow(expect.objectContaining({ code: 'ERR_TRUST_LIST_NOT_LOADED' }));
  });

  it('hot-reloads a newer list from a file and keeps it when a rollback appears', async () => {
    const path = join(env.dir, 'watched.jws.json');
    await writeFile(path, await sign({ ...doc, sequenceNumber: 7 }));
    const h = holder();
    const errors: unknown[] = [];
    const loaded: number[] = [];
    const watch = h.watchFile(path, { intervalMillis: 20, onError: (e) => errors.push(e), onLoad: (l) => loaded.push(l.sequenceNumber) });
    try {
      for (let i = 0; i < 100 && loaded.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(loaded).toEqual([7]);
      await new Promise((r) => setTimeout(r, 30));
      await writeFile(path, `${await sign({ ...doc, sequenceNumber: 6 })}\n\n`);
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect((errors[0] as TrustError).code).toBe('ERR_TRUST_LIST_ROLLBACK');
      expect(h.current().sequenceNumber).toBe(7);
    } finally {
      watch.close();
    }
  });
});

describe('status history honoured by time', () => {
  const withdrawnAt = new Date('2026-11-01T12:00:00Z');
  let h: TrustListHolder;
  let qa: LoadedIdentity;

  beforeAll(async () => {
    const members = doc.members.map((m) => m.state !== 'QA' ? m : {
      ...m,
      services: m.services.map((s) => s.type !== 'ca' ? s : { ...s, status: 'withdrawn' as const, statusHistory: [...s.statusHistory, { status: 'withdrawn' as const, from: withdrawnAt.toISOString(), reason: 'key compromise drill' }] }),
    });
    h = holder();
    await h.load(await sign({ ...doc, sequenceNumber: 2, members }));
    qa = (env.pki.states.QA.agencies[0] as { signing: LoadedIdentity }).signing;
  });

  it('validates a chain of a CA withdrawn at T for times before T, not after', async () => {
    const trust = { trustList: () => h.current(), revocation: 'none' as const, clock: env.clock };
    const before = await verifyMemberChain({ certificates: qa.chain, trust, at: new Date(withdrawnAt.getTime() - 3600_000) });
    expect(before.identity.clientId).toBe(qa.clientId);
    expect(await codeOf(verifyMemberChain({ certificates: qa.chain, trust, at: new Date(withdrawnAt.getTime() + 1000) }))).toBe('ERR_TRUST_CA_NOT_GRANTED');
  });

  it('does not serve a cached decision past a scheduled withdrawal', async () => {
    const clock = new TestClock(new Date(withdrawnAt.getTime() - 60_000));
    const trust = { trustList: () => h.current(), revocation: 'none' as const, clock, chainCache: new ValidatedChainCache() };
    expect((await verifyMemberChain({ certificates: qa.chain, trust })).identity.clientId).toBe(qa.clientId);
    clock.advanceSeconds(61);
    expect(await codeOf(verifyMemberChain({ certificates: qa.chain, trust }))).toBe('ERR_TRUST_CA_NOT_GRANTED');
  });

  it('keeps evidence signed before the withdrawal valid when checked at its signing time', async () => {
    const payload = new TextEncoder().encode('audit checkpoint');
    const clock = new TestClock(new Date(withdrawnAt.getTime() + 7200_000));
    const trust = { trustList: () => h.current(), revocation: env.revocation, clock };
    const early = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: new Date(withdrawnAt.getTime() - 600_000) });
    const late = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: new Date(withdrawnAt.getTime() + 600_000) });
    expect((await verifySignature({ jws: early, payload, trust, atSigningTime: true })).identity.clientId).toBe(qa.clientId);
    expect(await codeOf(verifySignature({ jws: late, payload, trust, atSigningTime: true }))).toBe('ERR_TRUST_CA_NOT_GRANTED');
    expect(await codeOf(verifySignature({ jws: early, payload, trust }))).toBe('ERR_TRUST_CA_NOT_GRANTED');
  });
});
