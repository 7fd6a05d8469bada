import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signer } from '../../trust/index.js';
import { gatewayConfigSchema } from '../config/gateway-config.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import type { ArchiveCover, RetentionBody } from './audit-record.js';
import { verifyCheckpoints } from './checkpoint.js';
import { exportArchive } from './evidence-archive.js';
import { EvidenceLog, listSegments } from './evidence-log.js';
import { EvidenceRetention, RETENTION_INTENT_FILE, RETENTION_STATE_FILE, type RetentionPolicy } from './evidence-retention.js';
import { RetentionScheduler } from './retention-scheduler.js';
import { encodeRecord } from './record-codec.js';
import { retentionPayload } from './retention-record.js';
import { verifyLog } from './verify-log.js';
import { verifyRetentionSignatures } from './verify-retention.js';

describe('evidence-log retention', () => {
  let env: DemoEnvironment;
  let signer: Signer;
  let root: string;
  let dir: string;
  let archiveDir: string;
  const now = (): Date => env.clock.now();

  beforeAll(async () => {
    env = await startDemoEnvironment();
    const gateway = env.pki.states.QA.gateway!.signing;
    signer = { privateKey: gateway.key.privateKey, certificates: gateway.chain, clock: env.clock };
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gccgw-retention-'));
    dir = join(root, 'audit');
    archiveDir = join(root, 'archive');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Appends `count` records (about 20 per 4 KiB segment) with the given clock. */
  async function fill(count: number, clock: () => Date = now): Promise<void> {
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096, now: clock });
    for (let i = 0; i < count; i++) await log.append({ type: 'test.record', i, note: 'z'.repeat(100) });
    await log.close();
  }

  const retention = (policy: Partial<RetentionPolicy>, extra: Partial<ConstructorParameters<typeof EvidenceRetention>[0]> = {}): EvidenceRetention =>
    new EvidenceRetention({ dir, policy: { archiveDir, ...policy }, signer, trust: env.trust, now, ...extra });

  async function applyOnce(r: EvidenceRetention): Promise<Awaited<ReturnType<EvidenceRetention['apply']>>> {
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096, now });
    try {
      return await r.apply(log);
    } finally {
      await log.close();
    }
  }

  const segmentNumbers = (): number[] => listSegments(dir).map((s) => s.number);

  async function verifiedWithSignatures(): Promise<ReturnType<typeof verifyLog>> {
    const report = verifyLog(dir);
    expect({ ok: report.ok, problem: report.problem }).toEqual({ ok: true, problem: undefined });
    expect(await verifyRetentionSignatures(report.retentions ?? [], env.trust)).toMatchObject({ ok: true });
    return report;
  }

  it('removes closed segments beyond keepSegments only once a verified archive holds them, recording the cut first', async () => {
    await fill(140);
    const before = segmentNumbers();
    expect(before.length).toBeGreaterThanOrEqual(7);
    // No archive and retention may not write one: nothing goes.
    const refused = await applyOnce(retention({ keepSegments: 3, writeArchives: false }));
    expect(refused.removals).toEqual([]);
    expect(refused.plan.segments[0]).toMatchObject({ number: 1, verdict: 'keep', reason: expect.stringContaining('no verified archive') });
    expect(segmentNumbers()).toEqual(before);

    // The operator archives segments 1 to 3 (gccgw audit archive): exactly those go.
    mkdirSync(archiveDir);
    writeFileSync(join(archiveDir, 'ops-1-3.json'), JSON.stringify(await exportArchive(dir, { from: 1, to: 3, signer, now: now() })));
    const outcome = await applyOnce(retention({ keepSegments: 3, writeArchives: false }));
    expect(outcome.removals[0]?.removed).toMatchObject({ fromSegment: 1, toSegment: 3, firstSeq: 1 });
    expect(outcome.plan.segments.find((s) => s.number === 4)).toMatchObject({ verdict: 'keep', reason: expect.stringContaining('no verified archive') });
    expect(segmentNumbers()[0]).toBe(4);

    const report = await verifiedWithSignatures();
    const body = report.retentions![0]!.body;
    expect(report.start).toMatchObject({ segment: 4, seq: body.removed.lastSeq + 1, prev: body.removed.lastHash });
    expect(report.removed).toEqual([expect.objectContaining({ atStart: true, fromSegment: 1, toSegment: 3, fromSeq: 1, toSeq: body.removed.lastSeq })]);
    expect(body.coveredBy).toMatchObject({ kind: 'archive', archives: [{ file: 'ops-1-3.json', fromSegment: 1, toSegment: 3, signer: env.pki.states.QA.gateway!.signing.clientId }] });
    // The record is in the chain after everything it removed, and the log goes on after it.
    expect(report.retentions![0]!.seq).toBeGreaterThan(body.removed.lastSeq);
    await fill(5);
    expect(verifyLog(dir)).toMatchObject({ ok: true, start: { segment: 4 } });
  });

  it('archives due segments itself, then removes them; a later pass extends the cut from the new start', async () => {
    await fill(140);
    const before = segmentNumbers();
    const first = await applyOnce(retention({ keepSegments: 4 }));
    expect(first.archived).toHaveLength(1);
    expect(readdirSync(archiveDir)).toEqual([first.archived[0]]);
    const cut = first.removals[0]!.removed;
    // The newest four segments of the pass stay (the retention record itself may start a fifth).
    expect(cut).toMatchObject({ fromSegment: 1, toSegment: before.at(-5) });
    expect(segmentNumbers()[0]).toBe(cut.toSegment + 1);

    await fill(60);
    const second = await applyOnce(retention({ keepSegments: 4 }));
    expect(second.removals[0]!.removed).toMatchObject({ fromSegment: cut.toSegment + 1, firstSeq: cut.lastSeq + 1 });
    const report = await verifiedWithSignatures();
    // The latest record anchors the start; the first one may be gone with the segments it was in.
    expect(report.removed!.find((p) => p.atStart)!.retention.seq).toBe(second.removals[0]!.seq);
    expect(report.start!.seq).toBe(second.removals[0]!.removed.lastSeq + 1);
  });

  it('works off a backlog in bounded batches, each with its own archive and retention record', async () => {
    await fill(140);
    const last = segmentNumbers().at(-1)!;
    const outcome = await applyOnce(retention({ keepSegments: 3 }, { batchMaxBytes: 8192 }));
    // At most two 4 KiB segments per batch, in order.
    expect(outcome.removals.length).toBeGreaterThanOrEqual(Math.floor((last - 3) / 2));
    expect(outcome.archived).toHaveLength(outcome.removals.length);
    for (const [i, removal] of outcome.removals.entries()) {
      expect(removal.removed.fromSegment).toBe(i === 0 ? 1 : outcome.removals[i - 1]!.removed.toSegment + 1);
      expect(removal.removed.toSegment - removal.removed.fromSegment).toBeLessThanOrEqual(1);
    }
    // Each record (about 3 KiB with its certificate chain) may close a segment: those count towards
    // keepSegments, but the pass never reaches past what was closed when it began.
    expect(outcome.removals.at(-1)!.removed.toSegment).toBeGreaterThanOrEqual(last - 3);
    expect(outcome.removals.at(-1)!.removed.toSegment).toBeLessThanOrEqual(last - 2);
    const report = await verifiedWithSignatures();
    expect(report.retentions).toHaveLength(outcome.removals.length);
  });

  it('checks the start by a full verification when its state file is lost, and goes on', async () => {
    await fill(140);
    await applyOnce(retention({ keepSegments: 5 }));
    rmSync(join(dir, RETENTION_STATE_FILE));
    await fill(40);
    const second = await applyOnce(retention({ keepSegments: 5 }));
    expect(second.removals).toHaveLength(1);
    expect(existsSync(join(dir, RETENTION_STATE_FILE))).toBe(true);
    await verifiedWithSignatures();
  });

  it('runs in the gateway process: a pass at start, then every interval, and stop waits for a pass in progress', async () => {
    await fill(140);
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096, now });
    const passes: Array<number | undefined> = [];
    const errors: unknown[] = [];
    const scheduler = new RetentionScheduler({
      log,
      retention: retention({ keepSegments: 4 }),
      checkIntervalMillis: 200,
      onPass: (outcome) => passes.push(outcome.removals.at(-1)?.removed.toSegment),
      onError: (error) => errors.push(error),
    });
    try {
      const deadline = Date.now() + 20_000;
      while (passes.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(passes[0]).toBeGreaterThan(0);
      // Appends go on while retention runs; the next passes remove what became due.
      for (let i = 0; i < 60; i++) await log.append({ type: 'test.record', i, note: 'z'.repeat(100) });
      while (passes.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(passes.filter((p) => p !== undefined).length).toBeGreaterThanOrEqual(2);
    } finally {
      await scheduler.stop();
      await log.close();
    }
    expect(errors).toEqual([]);
    await verifiedWithSignatures();
  });

  it('keeps segments whose newest record is within keepDays', async () => {
    const daysAgo = (days: number) => (): Date => new Date(env.clock.now().getTime() - days * 86_400_000);
    await fill(60, daysAgo(40));
    await fill(60, daysAgo(5));
    await fill(30);
    const outcome = await applyOnce(retention({ keepDays: 30 }));
    const removed = outcome.removals[0]!.removed;
    expect(Date.parse(removed.lastTime)).toBeLessThan(daysAgo(30)().getTime());
    // The first kept segment holds records within 30 days.
    expect(outcome.plan.segments.at(-1)).toMatchObject({ verdict: 'keep', reason: expect.stringContaining('not older than 30 day(s)') });
    await verifiedWithSignatures();
  });

  it('never removes the segment being written nor the newest closed one', async () => {
    await fill(140);
    const count = segmentNumbers().length;
    const outcome = await applyOnce(retention({ keepSegments: 2 }));
    expect(outcome.removals[0]!.removed.toSegment).toBe(count - 2);
    expect(segmentNumbers().slice(0, 2)).toEqual([count - 1, count]);
    expect(outcome.plan.segments.at(-1)).toMatchObject({ number: count - 1, verdict: 'keep', reason: expect.stringContaining('newest closed segment') });
    // And the log reopens and continues from the newest closed segment.
    await fill(3);
    await verifiedWithSignatures();
  });

  it('with requireArchive false, removes what a signed checkpoint of the head vouches for', async () => {
    await fill(140);
    const outcome = await applyOnce(retention({ keepSegments: 3, requireArchive: false }));
    expect(outcome.archived).toEqual([]);
    expect(existsSync(archiveDir)).toBe(false);
    expect(outcome.removals[0]!.coveredBy).toMatchObject({ kind: 'checkpoint', checkpoint: { upToSeq: 140 } });
    const report = await verifiedWithSignatures();
    expect(report.removed![0]!.retention.body.coveredBy.kind).toBe('checkpoint');
    expect(await verifyCheckpoints(dir, env.trust)).toMatchObject({ ok: true, checkpoints: 1 });
  });

  it('refuses an archive that does not verify as cover', async () => {
    await fill(140);
    mkdirSync(archiveDir);
    const archive = await exportArchive(dir, { from: 1, to: 2, signer, now: now() });
    writeFileSync(join(archiveDir, 'edited.json'), JSON.stringify({ ...archive, head: { ...archive.head, seq: archive.head.seq + 1 } }));
    const outcome = await applyOnce(retention({ keepSegments: 3, writeArchives: false }));
    expect(outcome.removals).toEqual([]);
    expect(outcome.plan.refusedArchives).toEqual([{ file: 'edited.json', reason: expect.stringContaining('signature refused') }]);
  });

  it('does not extend a hole it did not make', async () => {
    await fill(140);
    unlinkSync(listSegments(dir)[0]!.path);
    const outcome = await applyOnce(retention({ keepSegments: 3 }));
    expect(outcome.removals).toEqual([]);
    expect(outcome.plan.segments[0]).toMatchObject({ number: 2, verdict: 'keep', reason: expect.stringContaining('no retention record accounts') });
    expect(verifyLog(dir)).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('segment 1 is missing (records #1 to #') } });
  });

  it('finishes a removal stopped after its record without writing a second record', async () => {
    await fill(140);
    // Stop the pass right after its first deletion, as a crash would (newest first: the last segment of the range goes first).
    const stopping = retention(
      { keepSegments: 3 },
      {
        onProgress: (event) => {
          if (event.step === 'deleted') throw new Error('stop here');
        },
      },
    );
    await expect(applyOnce(stopping)).rejects.toThrow('stop here');
    expect(existsSync(join(dir, RETENTION_INTENT_FILE))).toBe(true);
    // The half-done state verifies: the hole is explained by the record; older segments of the range still chain from the genesis.
    const half = await verifiedWithSignatures();
    expect(half.start).toMatchObject({ segment: 1, seq: 1 });
    expect(half.removed).toEqual([expect.objectContaining({ atStart: false })]);
    const dryRun = await retention({ keepSegments: 3 }).plan();
    expect(dryRun.interrupted).toMatchObject({ fromSegment: 1 });

    // Finished whatever the policy is now (here: nothing more is due).
    const finished = await applyOnce(retention({ keepSegments: 100 }));
    expect(finished.finished?.removed).toEqual(half.removed![0]!.retention.body.removed);
    expect(finished.removals).toEqual([]);
    expect(existsSync(join(dir, RETENTION_INTENT_FILE))).toBe(false);
    const report = await verifiedWithSignatures();
    expect(report.retentions).toHaveLength(1);
    expect(report.removed).toEqual([expect.objectContaining({ atStart: true })]);
  });

  it('drops the intent of a pass that stopped before its record was written', async () => {
    await fill(140);
    writeFileSync(join(dir, RETENTION_INTENT_FILE), JSON.stringify({ afterSeq: 140, fromSegmentOfRecord: 7, removed: { fromSegment: 1, toSegment: 2, firstSeq: 1, lastSeq: 40, lastHash: 'a'.repeat(64), firstTime: 'x', lastTime: 'y' } }));
    const outcome = await applyOnce(retention({ keepSegments: 3 }));
    expect(outcome.finished).toBeUndefined();
    expect(outcome.removals).toHaveLength(1);
    const report = await verifiedWithSignatures();
    expect(report.retentions).toHaveLength(1);
  });

  it('is configured under audit.retention: a limit is required, archives are required by default', () => {
    const parse = (retention: unknown) => gatewayConfigSchema.safeParse({ audit: { retention } });
    const parsed = parse({ keepDays: 400 });
    expect(parsed.success && parsed.data.audit.retention).toEqual({ keepDays: 400, requireArchive: true, archiveDir: 'var/audit-archive', writeArchives: true, checkIntervalMillis: 3_600_000 });
    expect(parse({ archiveDir: 'x' }).error?.issues[0]?.message).toBe('audit.retention needs keepDays or keepSegments');
    expect(parse({ keepSegments: 1 }).success).toBe(false);
    expect(gatewayConfigSchema.parse({}).audit.retention).toBeUndefined();
  });

  describe('verification after retention', () => {
    beforeEach(async () => {
      await fill(140);
      await applyOnce(retention({ keepSegments: 4 }));
      await fill(20);
    });

    it('reports a segment deleted by hand as a gap naming the missing range', () => {
      const present = listSegments(dir);
      unlinkSync(present[1]!.path);
      const report = verifyLog(dir);
      expect(report.ok).toBe(false);
      expect(report.problem?.reason).toMatch(new RegExp(`^segment ${present[1]!.number} is missing \\(records #\\d+ to #\\d+\\) between segment ${present[0]!.number} and segment ${present[2]!.number}, and no retention record accounts`));
    });

    it('reports the first remaining segment deleted by hand, although a retention record explains the older cut', () => {
      const present = listSegments(dir);
      unlinkSync(present[0]!.path);
      expect(verifyLog(dir)).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(new RegExp(`^segments 1 to ${present[0]!.number} are missing \\(records #1 to #\\d+\\) at the start of the log, and no retention record accounts`)) } });
    });

    /** Appends a record to the last segment, chained to the head (what someone with write access can do). */
    function appendForged(body: object): void {
      const last = listSegments(dir).at(-1)!;
      const lines = readFileSync(last.path, 'utf8').trimEnd().split('\n');
      const head = JSON.parse(lines.at(-1)!) as { seq: number; hash: string };
      writeFileSync(last.path, `${lines.join('\n')}\n${encodeRecord(head.seq + 1, head.hash, now().toISOString(), body as never).line}`);
    }

    it('refuses a forged retention record that explains a hand-made hole with a signature it did not earn', async () => {
      const genuine = verifyLog(dir).retentions![0]!.body;
      const present = listSegments(dir);
      const firstKept = JSON.parse(readFileSync(present[1]!.path, 'utf8').split('\n')[0]!) as { seq: number; prev: string };
      const lastOfFirst = JSON.parse(readFileSync(present[0]!.path, 'utf8').trimEnd().split('\n').at(-1)!) as { seq: number };
      unlinkSync(present[0]!.path);
      // Consistent with the chain in every way, but signed by nobody: the genuine record's signature is reused.
      const forged: RetentionBody = {
        ...genuine,
        removed: { ...genuine.removed, toSegment: present[0]!.number, lastSeq: lastOfFirst.seq, lastHash: firstKept.prev },
        coveredBy: { kind: 'archive', archives: [{ ...(genuine.coveredBy as { archives: readonly ArchiveCover[] }).archives[0]!, toSegment: present[0]!.number, head: { seq: lastOfFirst.seq, hash: firstKept.prev } }] },
      };
      appendForged(forged);
      const report = verifyLog(dir);
      expect(report.ok).toBe(true);
      const signatures = await verifyRetentionSignatures(report.retentions ?? [], env.trust);
      expect(signatures).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('retention record signature refused') } });
      expect(retentionPayload(forged)).not.toEqual(retentionPayload(genuine));
    });

    it('refuses a retention record whose stated last hash does not match the first record kept', () => {
      const genuine = verifyLog(dir).retentions![0]!.body;
      appendForged({ ...genuine, removed: { ...genuine.removed, lastHash: 'f'.repeat(64) } });
      // The forged record claims the same cut as the genuine one, but with another hash; being the latest, it is the one checked.
      expect(verifyLog(dir)).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('states the removed part ended with hash ffffffffffff') } });
    });

    it('refuses a malformed retention record', () => {
      appendForged({ type: 'retention', removed: 'everything' });
      expect(verifyLog(dir)).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('malformed retention record') } });
    });
  });
});
