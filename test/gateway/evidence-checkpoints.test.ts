import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCheckpoints } from '../../gateway/audit/checkpoint.js';
import { verifyLog } from '../../gateway/audit/verify-log.js';
import { initDemoPki, loadDemoPki, startDemoTrustServices, TrustListHolder, type DemoPkiManifest, type DemoTrustServices, type LoadedDemoPki } from '../../trust/index.js';
import { cachedTestKey } from '../../trust/testing/cached-keys.js';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';

describe('signed checkpoints in a running gateway', () => {
  let root: string;
  let manifest: DemoPkiManifest;
  let pki: LoadedDemoPki;
  let services: DemoTrustServices;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gccgw-gw-checkpoints-'));
    manifest = await initDemoPki({ dir: join(root, 'pki'), generateKey: cachedTestKey });
    pki = await loadDemoPki(manifest);
    services = await startDemoTrustServices(pki);
  }, 60_000);
  afterAll(async () => {
    await services.close();
    rmSync(root, { recursive: true, force: true });
  });

  const checkpointSettings = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    signingKeyFile: manifest.states.QA.gateway!.signingKey,
    signingChainFile: manifest.states.QA.gateway!.signingChain,
    everyRecords: 3,
    everyMillis: 60_000,
    tsa: { url: services.tsa!.url, trustListFile: manifest.trustList.signed, operatorAnchorFile: manifest.operator.rootCert },
    ...overrides,
  });

  it('signs and timestamps the head as exchanges are recorded, and once more on stop', async () => {
    const dir = join(root, 'audit');
    const gateway = await startTestGateway({ audit: { dir, checkpoints: checkpointSettings() } });
    try {
      const ask = async (): Promise<void> => {
        const response = await postGraphQL(gateway.graphqlUrl, { query: '{ governmentEntity(state: QA, code: "MOF") { code } }' });
        expect(response.status).toBe(200);
      };
      for (let i = 0; i < 4; i++) await ask();
      // The scheduler checks once a second: its first checkpoint vouches for these four.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (let i = 0; i < 2; i++) await ask();
    } finally {
      await gateway.stop();
    }
    expect(verifyLog(dir).ok).toBe(true);
    const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root] });
    await holder.load(pki.signedTrustList);
    const report = await verifyCheckpoints(dir, { trustList: () => holder.current(), revocation: 'none' });
    expect(report).toMatchObject({ ok: true, signers: [manifest.states.QA.gateway!.clientId] });
    // One during service, one on stop for the last two exchanges.
    expect(report.checkpoints).toBe(2);
    expect(report.timestamped).toBe(report.checkpoints);
  });

  it('refuses to start with a signing key that does not belong to the certificate', async () => {
    await expect(
      startTestGateway({ audit: { checkpoints: checkpointSettings({ signingKeyFile: manifest.states.SA.gateway!.signingKey }) } }),
    ).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('does not belong') });
  });
});
