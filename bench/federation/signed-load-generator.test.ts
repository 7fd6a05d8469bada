// The signed load generator against a real gateway child on its member port (mutual TLS, signed
// requests, policy, signed responses, evidence log): its requests must be accepted and their
// answers' signatures verify, a request it signed is accepted once and refused when sent again (so
// reusing a signature could never pass unnoticed), and a run fails loudly when the gateway refuses
// or a response signature does not verify. Asserts on outcomes, never on speed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureSubgraphs, type FixtureSubgraphServers } from '../../test/fixtures/federation/serve.js';
import { ChildServer } from './gateway-process.js';
import { benchPkiDir, FIXTURE_SCENARIOS, gatewaySpec, writeFixtureSupergraph } from './run-federation-bench.js';
import { memberClientFromDemoPki, SignedLoadGenerator, type MemberClient } from './signed-load-generator.js';

const simple = FIXTURE_SCENARIOS.find((s) => s.id === 'simple');
if (simple === undefined) throw new Error('no simple scenario');

describe('the signed load generator', () => {
  let fixtures: FixtureSubgraphServers;
  let workDir: string;
  let gateway: ChildServer;
  let member: MemberClient;

  beforeAll(async () => {
    fixtures = await startFixtureSubgraphs();
    workDir = mkdtempSync(join(tmpdir(), 'gccgw-signed-load-test-'));
    const supergraphFile = writeFixtureSupergraph(fixtures.subgraphs, workDir);
    gateway = await ChildServer.start(gatewaySpec('gccgw-full-security', { supergraphFile, workDir }));
    member = await memberClientFromDemoPki(benchPkiDir(workDir));
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await fixtures?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('is started on the member port, which speaks https', () => {
    expect(gateway.announced).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
  });

  it('sends requests the gateway accepts: every answer a 200 with the expected data, signed by the gateway for that request', async () => {
    const generator = new SignedLoadGenerator({ url: gateway.announced, member, verifyEvery: 1 });
    const result = await generator.run({ body: simple.body, connections: 3, durationSeconds: 10, requests: 30, verifyAnswer: simple.verify });
    expect(result.requests).toBe(30);
    expect(result.non2xx + result.errors).toBe(0);
    expect(result.client.verifiedResponses).toBe(30);
    expect(result.client.signedDuringRun).toBe(0);
    expect(result.client.presigned).toBeGreaterThanOrEqual(30);
    expect(result.client.signMicros).toBeGreaterThan(0);
  });

  it('answers the harness check with the verified, expected data', async () => {
    const generator = new SignedLoadGenerator({ url: gateway.announced, member });
    expect(() => simple.verify(undefined as never)).toThrow();
    const answer = await generator.check(simple.body);
    expect(() => simple.verify(answer)).not.toThrow();
  });

  it('signs each request with a nonce of its own, and the gateway refuses a signed request sent twice', async () => {
    const generator = new SignedLoadGenerator({ url: gateway.announced, member });
    const signed = await generator.sign(simple.body);
    const again = await generator.sign(simple.body);
    expect(again.nonce).not.toBe(signed.nonce);
    expect(again.requestHash).not.toBe(signed.requestHash);

    const first = await generator.send(simple.body, signed);
    expect(first.status).toBe(200);
    expect(first.headers['x-gccgw-request-hash']).toBe(signed.requestHash);
    const replay = await generator.send(simple.body, signed);
    expect(replay.status).toBe(401);
    expect((JSON.parse(replay.text) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('ERR_TRUST_JWS_REPLAY');
  });

  it('fails the run when the gateway refuses its requests', async () => {
    // A purpose the fixture policy does not know: every request is refused.
    const generator = new SignedLoadGenerator({ url: gateway.announced, member, purpose: 'BUDGET_REVIEW' });
    await expect(generator.run({ body: simple.body, connections: 2, durationSeconds: 10, requests: 4 })).rejects.toThrow(/4 of 4 responses were not a 200 without errors, e\.g\. HTTP 4\d\d/);
  });

  it('fails the run when a sampled response signature is not the expected gateway\'s', async () => {
    const impostorExpected: MemberClient = { ...member, gatewayClientId: 'GCC:SA:GOV:GCCGW:gateway' };
    const generator = new SignedLoadGenerator({ url: gateway.announced, member: impostorExpected, verifyEvery: 2 });
    await expect(generator.run({ body: simple.body, connections: 2, durationSeconds: 10, requests: 4 })).rejects.toThrow(/2 of 2 sampled responses failed verification: the response is signed by GCC:QA:/);
  });
});
