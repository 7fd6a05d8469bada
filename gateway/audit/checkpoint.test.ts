import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoEnvironment, nodeFetch, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { CheckpointScheduler, checkpointPayload, trustCheckpointSigner, verifyCheckpoints, type CheckpointBody, type CheckpointSigner } from './checkpoint.js';
import { EvidenceLog } from './evidence-log.js';
import { verifyLog } from './verify-log.js';

describe('evidence-log checkpoints', () => {
  let env: DemoEnvironment;
  let signer: CheckpointSigner;
  const dirs: string[] = [];
  const freshLog = (): EvidenceLog => {
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-checkpoint-'));
    dirs.push(dir);
    return EvidenceLog.open({ dir, now: () => env.clock.now() });
  };

  beforeAll(async () => {
    env = await startDemoEnvironment();
    const gateway = env.pki.states.QA.gateway!.signing;
    signer = trustCheckpointSigner({
      signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain, clock: env.clock },
      tsa: { url: env.services.tsa!.url, fetch: nodeFetch, trustList: () => env.holder.current() },
    });
  }, 60_000);
  afterAll(async () => {
    await env.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('signs and timestamps the head, and the checkpoints verify against the trust list', async () => {
    const log = freshLog();
    for (let i = 0; i < 5; i++) await log.append({ type: 'test', i });
    expect(await log.checkpoint(signer)).toEqual({ upToSeq: 5, checkpointSeq: 6 });
    for (let i = 0; i < 3; i++) await log.append({ type: 'test', i });
    expect(await log.checkpoint(signer)).toEqual({ upToSeq: 9, checkpointSeq: 10 });
    await log.close();
    const dir = dirs[dirs.length - 1]!;
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 10 });
    expect(await verifyCheckpoints(dir, env.trust)).toEqual({ ok: true, checkpoints: 2, timestamped: 2, signers: [env.pki.states.QA.gateway!.signing.clientId] });
  });

  it('refuses a checkpoint that vouches for a head the chain does not have', async () => {
    const log = freshLog();
    await log.append({ type: 'test' });
    const lying: CheckpointSigner = { checkpoint: (seq, _hash, at) => signer.checkpoint(seq, 'f'.repeat(64), at) };
    await log.checkpoint(lying);
    await log.close();
    const report = await verifyCheckpoints(dirs[dirs.length - 1]!, env.trust);
    expect(report).toMatchObject({ ok: false, problem: { seq: 2, reason: expect.stringContaining('does not have') } });
  });

  it('refuses a checkpoint whose signed statement was changed', async () => {
    const log = freshLog();
    await log.append({ type: 'test' });
    const altered: CheckpointSigner = {
      checkpoint: async (seq, hash, at) => ({ ...(await signer.checkpoint(seq, hash, at)), signedAt: new Date(at.getTime() - 86_400_000).toISOString() }),
    };
    await log.checkpoint(altered);
    await log.close();
    const report = await verifyCheckpoints(dirs[dirs.length - 1]!, env.trust);
    expect(report).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('signature refused') } });
  });

  it('refuses a timestamp that does not cover the signature', async () => {
    const log = freshLog();
    await log.append({ type: 'test' });
    const swapped: CheckpointSigner = {
      checkpoint: async (seq, hash, at) => {
        const real = await signer.checkpoint(seq, hash, at);
        const other = await signer.checkpoint(seq, hash, new Date(at.getTime() + 1000));
        return { ...real, timestamp: other.timestamp } satisfies CheckpointBody;
      },
    };
    await log.checkpoint(swapped);
    await log.close();
    const report = await verifyCheckpoints(dirs[dirs.length - 1]!, env.trust);
    expect(report).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('timestamp refused') } });
  });

  it('signs the canonical statement any verifier can rebuild', () => {
    expect(new TextDecoder().decode(checkpointPayload(3, 'a'.repeat(64), '2026-11-01T09:00:00.000Z'))).toBe(
      `{"signedAt":"2026-11-01T09:00:00.000Z","type":"gcc.audit.checkpoint.v1","upToHash":"${'a'.repeat(64)}","upToSeq":3}`,
    );
  });

  it('schedules checkpoints every N records and writes a last one on stop', async () => {
    const log = freshLog();
    const scheduler = new CheckpointScheduler({ log, signer, everyRecords: 4, everyMillis: 60_000 });
    for (let i = 0; i < 5; i++) await log.append({ type: 'test', i });
    // The scheduler checks once a second: wait for its checkpoint (record 6).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && log.head.seq < 6) await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 2; i++) await log.append({ type: 'test', i });
    await scheduler.stop();
    await log.close();
    const report = await verifyCheckpoints(dirs[dirs.length - 1]!, env.trust);
    expect(report.ok).toBe(true);
    expect(report.checkpoints).toBe(2);
  });
});
