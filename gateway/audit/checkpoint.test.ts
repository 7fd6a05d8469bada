import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoEnvironment, nodeFetch, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { CheckpointScheduler, checkpointPayload, trustCheckpointSigner, verifyCheckpoints, type CheckpointBody, type CheckpointSigner } from './checkpoint.js';
import { EvidenceLog, listSegments } from './evidence-log.js';
import { READ_WINDOW_BYTES, verifyLog } from './verify-log.js';

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

  describe('a checkpoint read in the window after the record it vouches for', () => {
    // Verification reads a segment a window at a time; here the checkpoint record straddles the end
    // of the first window, so the record it vouches for was read (and left behind) before it.
    async function checkpointAtWindowEdge(checkpointSigner: CheckpointSigner): Promise<string> {
      const dir = mkdtempSync(join(tmpdir(), 'gccgw-checkpoint-'));
      dirs.push(dir);
      const log = EvidenceLog.open({ dir, durability: 'batch', now: () => env.clock.now() });
      const segment = (): string => listSegments(dir)[0]!.path;
      let n = 0;
      for (let i = 0; i < (READ_WINDOW_BYTES - 20_000) / 1200; i++) void log.append({ type: 'test', n: ++n, pad: 'x'.repeat(900) });
      await log.flush();
      while (statSync(segment()).size < READ_WINDOW_BYTES - 1200) {
        void log.append({ type: 'test', n: ++n, pad: 'x'.repeat(900) });
        await log.flush();
      }
      const { checkpointSeq } = await log.checkpoint(checkpointSigner);
      await log.close();
      const lines = readFileSync(segment(), 'latin1').split('\n');
      const start = lines.slice(0, checkpointSeq - 1).reduce((sum, line) => sum + line.length + 1, 0);
      expect(start).toBeLessThan(READ_WINDOW_BYTES);
      expect(start + lines[checkpointSeq - 1]!.length).toBeGreaterThan(READ_WINDOW_BYTES);
      return dir;
    }

    it('verifies it against the hash of that record', async () => {
      const dir = await checkpointAtWindowEdge(signer);
      expect(await verifyCheckpoints(dir, env.trust)).toEqual({ ok: true, checkpoints: 1, timestamped: 1, signers: [env.pki.states.QA.gateway!.signing.clientId] });
    });

    it('refuses it when it vouches for a hash the chain does not have', async () => {
      const dir = await checkpointAtWindowEdge({ checkpoint: (seq, _hash, at) => signer.checkpoint(seq, 'f'.repeat(64), at) });
      expect(await verifyCheckpoints(dir, env.trust)).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('does not have') } });
    });
  });

  it('verifies a checkpoint that vouches for a record some way before it', async () => {
    // Records appended while a checkpoint is signed come between the head it names and itself.
    const log = freshLog();
    for (let i = 0; i < 6; i++) await log.append({ type: 'test', i });
    const dir = dirs[dirs.length - 1]!;
    const hashOf = (seq: number): string => {
      const lines = readFileSync(listSegments(dir)[0]!.path, 'utf8').trimEnd().split('\n');
      return (JSON.parse(lines[seq - 1]!) as { hash: string }).hash;
    };
    await log.checkpoint({ checkpoint: (seq, _hash, at) => signer.checkpoint(seq - 3, hashOf(seq - 3), at) });
    await log.close();
    expect(await verifyCheckpoints(dir, env.trust)).toEqual({ ok: true, checkpoints: 1, timestamped: 1, signers: [env.pki.states.QA.gateway!.signing.clientId] });
  });

  it('refuses a checkpoint that vouches for a record after it', async () => {
    const log = freshLog();
    await log.append({ type: 'test' });
    await log.checkpoint({ checkpoint: (seq, hash, at) => signer.checkpoint(seq + 5, hash, at) });
    await log.close();
    const report = await verifyCheckpoints(dirs[dirs.length - 1]!, env.trust);
    expect(report).toMatchObject({ ok: false, problem: { seq: 2, reason: 'checkpoint vouches for record 6, which is not before it' } });
  });

  it('refuses a checkpoint record that is not JSON, sealed and linked as if it were', async () => {
    const log = freshLog();
    await log.append({ type: 'test' });
    await log.close();
    const dir = dirs[dirs.length - 1]!;
    const path = listSegments(dir)[0]!.path;
    const last = JSON.parse(readFileSync(path, 'utf8').trimEnd()) as { hash: string };
    const prefix = `{"seq":2,"prev":"${last.hash}","time":"2026-11-23T00:00:00.000Z","body":{"type":"checkpoint","upToSeq":1, not json`;
    appendFileSync(path, `${prefix},"hash":"${createHash('sha256').update(prefix).digest('hex')}"}\n`);
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 2 });
    expect(await verifyCheckpoints(dir, env.trust)).toMatchObject({ ok: false, checkpoints: 1, problem: { seq: 2, reason: expect.stringContaining('malformed checkpoint') } });
  });

  it('vouches for nothing in a broken chain', async () => {
    const log = freshLog();
    for (let i = 0; i < 3; i++) await log.append({ type: 'test', i });
    await log.checkpoint(signer);
    await log.close();
    const dir = dirs[dirs.length - 1]!;
    const path = listSegments(dir)[0]!.path;
    writeFileSync(path, readFileSync(path, 'utf8').replace('"i":1', '"i":7'));
    expect(await verifyCheckpoints(dir, env.trust)).toMatchObject({ ok: false, problem: { seq: 2, reason: expect.stringMatching(/^the chain is broken at record #2 .*changed/) } });
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
