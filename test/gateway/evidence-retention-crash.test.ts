import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EvidenceLog, listSegments } from '../../gateway/audit/evidence-log.js';
import { EvidenceRetention, RETENTION_INTENT_FILE, type RetentionProgress } from '../../gateway/audit/evidence-retention.js';
import { verifyLog } from '../../gateway/audit/verify-log.js';
import { verifyRetentionSignatures } from '../../gateway/audit/verify-retention.js';
import { packageRoot } from '../../schemas/schema-files.js';
import { initDemoPki, loadDemoPki, TrustListHolder, type LoadedDemoPki, type SignatureTrust, type Signer } from '../../trust/index.js';
import { cachedTestKey } from '../../trust/testing/cached-keys.js';

/**
 * Retention killed with SIGKILL in the middle of a pass, at each durable step: after writing the
 * archive, after the retention record, after the first segment deletion. The child process runs the
 * built code (dist/) and stops dead at the chosen step (it blocks there until killed), so the kill
 * lands exactly between two steps. After each kill: the log reopens, verifies (signatures
 * included), and the next pass finishes the removal without a second record or a second archive.
 */
const DIST = join(packageRoot(), 'dist');
const CHILD = `
import { EvidenceLog } from ${JSON.stringify(pathToFileURL(join(DIST, 'gateway/audit/evidence-log.js')).href)};
import { EvidenceRetention } from ${JSON.stringify(pathToFileURL(join(DIST, 'gateway/audit/evidence-retention.js')).href)};
import { loadDemoPki, readDemoPkiManifest, TrustListHolder } from ${JSON.stringify(pathToFileURL(join(DIST, 'trust/index.js')).href)};
const [dir, archiveDir, pkiDir, stopAt] = process.argv.slice(1);
const pki = await loadDemoPki(await readDemoPkiManifest(pkiDir));
const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root] });
await holder.load(pki.signedTrustList);
const gateway = pki.states.QA.gateway.signing;
const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096 });
const retention = new EvidenceRetention({
  dir,
  policy: { keepSegments: 3, archiveDir },
  signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain },
  trust: { trustList: () => holder.current(), revocation: 'none' },
  onProgress: (event) => {
    if (event.step !== stopAt) return;
    process.stdout.write('stopped at ' + JSON.stringify(event) + '\\n');
    // Stand still until the parent's SIGKILL arrives.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  },
});
await retention.apply(log);
process.stdout.write('finished without stopping\\n');
`;

/** Runs a retention pass in a child process and kills it with SIGKILL at `stopAt`. */
async function killAt(dir: string, archiveDir: string, pkiDir: string, stopAt: RetentionProgress['step']): Promise<RetentionProgress> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir, archiveDir, pkiDir, stopAt], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<RetentionProgress>((resolve, reject) => {
    let event: RetentionProgress | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /stopped at (.*)\n/.exec(stdout);
      if (match !== null && event === undefined) {
        event = JSON.parse(match[1]!) as RetentionProgress;
        child.kill('SIGKILL');
      }
    });
    child.once('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && event !== undefined) resolve(event);
      else reject(new Error(`the retention child did not stop at ${stopAt}: ${stdout} ${stderr}`));
    });
  });
}

describe('evidence-log retention killed mid-pass', () => {
  let root: string;
  let pki: LoadedDemoPki;
  let trust: SignatureTrust;
  let signer: Signer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gccgw-retention-crash-'));
    pki = await loadDemoPki(await initDemoPki({ dir: join(root, 'pki'), generateKey: cachedTestKey }));
    const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root] });
    await holder.load(pki.signedTrustList);
    trust = { trustList: () => holder.current(), revocation: 'none' };
    const gateway = pki.states.QA.gateway!.signing;
    signer = { privateKey: gateway.key.privateKey, certificates: gateway.chain };
  }, 60_000);
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  async function freshLog(name: string): Promise<{ dir: string; archiveDir: string }> {
    const dir = join(root, name, 'audit');
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096 });
    for (let i = 0; i < 160; i += 8) await Promise.all(Array.from({ length: 8 }, (_, j) => log.append({ type: 'test.record', n: i + j, note: 'w'.repeat(120) })));
    await log.close();
    return { dir, archiveDir: join(root, name, 'archive') };
  }

  async function restartAndFinish(dir: string, archiveDir: string): Promise<Awaited<ReturnType<EvidenceRetention['apply']>>> {
    // Restart: recovery, then the first pass (as the gateway's scheduler runs at start).
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096 });
    try {
      return await new EvidenceRetention({ dir, policy: { keepSegments: 3, archiveDir }, signer, trust }).apply(log);
    } finally {
      await log.close();
    }
  }

  async function expectProven(dir: string): Promise<ReturnType<typeof verifyLog>> {
    const report = verifyLog(dir);
    expect({ ok: report.ok, problem: report.problem }).toEqual({ ok: true, problem: undefined });
    expect(await verifyRetentionSignatures(report.retentions ?? [], trust)).toMatchObject({ ok: true });
    return report;
  }

  it('after the archive is written: nothing removed; the restart removes with that archive, not a second one', async () => {
    const { dir, archiveDir } = await freshLog('archived');
    const segmentsBefore = listSegments(dir).length;
    const event = await killAt(dir, archiveDir, join(root, 'pki'), 'archived');
    expect(event).toMatchObject({ step: 'archived', fromSegment: 1 });
    expect(listSegments(dir).length).toBe(segmentsBefore);
    expect(existsSync(join(dir, RETENTION_INTENT_FILE))).toBe(false);
    expect((await expectProven(dir)).retentions).toEqual([]);

    const outcome = await restartAndFinish(dir, archiveDir);
    expect(outcome.archived).toEqual([]);
    expect(outcome.removals[0]?.coveredBy).toMatchObject({ kind: 'archive', archives: [{ file: (event as { file: string }).file }] });
    expect(readdirSync(archiveDir)).toEqual([(event as { file: string }).file]);
    expect((await expectProven(dir)).start?.segment).toBe(outcome.removals[0]!.removed.toSegment + 1);
  });

  it('after the retention record: the log still verifies whole; the restart deletes without a second record', async () => {
    const { dir, archiveDir } = await freshLog('recorded');
    const segmentsBefore = listSegments(dir).length;
    const event = await killAt(dir, archiveDir, join(root, 'pki'), 'recorded');
    if (event.step !== 'recorded') throw new Error('unexpected step');
    expect(listSegments(dir).length).toBeGreaterThanOrEqual(segmentsBefore);
    const before = await expectProven(dir);
    expect(before.start?.seq).toBe(1);
    expect(before.retentions?.map((r) => r.seq)).toEqual([event.seq]);

    const outcome = await restartAndFinish(dir, archiveDir);
    expect(outcome.finished).toEqual({ seq: event.seq, removed: event.removed });
    const after = await expectProven(dir);
    expect(after.retentions?.filter((r) => r.body.removed.fromSegment === event.removed.fromSegment)).toHaveLength(1);
    expect(after.removed?.find((p) => p.atStart)).toMatchObject({ toSeq: outcome.removals.at(-1)?.removed.lastSeq ?? event.removed.lastSeq });
    expect(existsSync(join(dir, RETENTION_INTENT_FILE))).toBe(false);
  });

  it('after the first deletion: the hole is explained by the record; the restart deletes the rest', async () => {
    const { dir, archiveDir } = await freshLog('deleted');
    const event = await killAt(dir, archiveDir, join(root, 'pki'), 'deleted');
    if (event.step !== 'deleted') throw new Error('unexpected step');
    // Newest first: the last segment of the range went, the older ones still chain from the genesis.
    expect(listSegments(dir).map((s) => s.number)).not.toContain(event.segment);
    expect(listSegments(dir)[0]?.number).toBe(1);
    const half = await expectProven(dir);
    expect(half.start?.seq).toBe(1);
    expect(half.removed).toEqual([expect.objectContaining({ atStart: false, fromSegment: event.segment, toSegment: event.segment })]);

    const outcome = await restartAndFinish(dir, archiveDir);
    expect(outcome.finished?.removed.toSegment).toBe(event.segment);
    const after = await expectProven(dir);
    expect(after.start?.segment).toBeGreaterThan(event.segment);
    expect(after.retentions?.filter((r) => r.body.removed.toSegment === event.segment)).toHaveLength(1);
  });
});
