import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signer } from '../../trust/index.js';
import { nodeFetch, startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { trustCheckpointSigner } from './checkpoint.js';
import { exportArchive, verifyArchive, type EvidenceArchive } from './evidence-archive.js';
import { EvidenceLog, listSegments } from './evidence-log.js';

describe('evidence archives', () => {
  let env: DemoEnvironment;
  let dir: string;
  let signer: Signer;
  let archive: EvidenceArchive;

  beforeAll(async () => {
    env = await startDemoEnvironment();
    const gateway = env.pki.states.QA.gateway!.signing;
    signer = { privateKey: gateway.key.privateKey, certificates: gateway.chain, clock: env.clock };
    dir = mkdtempSync(join(tmpdir(), 'gccgw-archive-'));
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096, now: () => env.clock.now() });
    const checkpoints = trustCheckpointSigner({ signer, tsa: { url: env.services.tsa!.url, fetch: nodeFetch, trustList: () => env.holder.current() } });
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 10; i++) await log.append({ type: 'test.record', round, i, note: 'x'.repeat(40) });
      await log.checkpoint(checkpoints);
    }
    await log.close();
    expect(listSegments(dir).length).toBeGreaterThan(4);
    archive = await exportArchive(dir, { from: 2, to: 4, signer, now: env.clock.now() });
  }, 60_000);
  afterAll(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a closed range that verifies elsewhere, checkpoints included', async () => {
    const copy = JSON.parse(JSON.stringify(archive)) as EvidenceArchive;
    const report = await verifyArchive(copy, env.trust);
    expect(report).toMatchObject({ ok: true, signer: env.pki.states.QA.gateway!.signing.clientId, chain: { ok: true, segments: 3 } });
    expect(report.chain!.records).toBe(archive.head.seq - archive.previous.seq);
    expect(report.checkpoints!.checkpoints).toBeGreaterThanOrEqual(1);
    // Verified, not only counted: a checkpoint whose record is in the archive was checked against its signer.
    expect(report.checkpoints).toMatchObject({ ok: true, signers: [env.pki.states.QA.gateway!.signing.clientId] });
  });

  it('refuses an archive whose segment bytes were changed', async () => {
    const tampered = { ...archive, segments: archive.segments.map((s, i) => (i === 1 ? { ...s, content: Buffer.from(Buffer.from(s.content, 'base64').toString('utf8').replace('"round":', '"round" :')).toString('base64') } : s)) };
    expect(await verifyArchive(tampered, env.trust)).toMatchObject({ ok: false, problem: expect.stringContaining('does not match its signed hash') });
  });

  it('refuses an archive whose signed statement was edited', async () => {
    const edited = { ...archive, head: { ...archive.head, seq: archive.head.seq + 1 } };
    expect(await verifyArchive(edited, env.trust)).toMatchObject({ ok: false, problem: expect.stringContaining('signature refused') });
  });

  it('refuses to archive the segment still being written', async () => {
    const last = listSegments(dir).at(-1)!.number;
    await expect(exportArchive(dir, { from: 1, to: last, signer })).rejects.toThrow(/still being written/);
  });
});
