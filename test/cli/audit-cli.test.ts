import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustCheckpointSigner } from '../../gateway/audit/checkpoint.js';
import { EvidenceLog, listSegments } from '../../gateway/audit/evidence-log.js';
import { initDemoPki, loadDemoPki, type LoadedDemoPki } from '../../trust/index.js';
import { packageRoot } from '../../schemas/schema-files.js';

/** The security team's evidence workflow through `gccgw audit`, with a demo PKI made by `initDemoPki`. */
const BIN = join(packageRoot(), 'bin', 'gccgw.js');
const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const result = spawnSync(process.execPath, [BIN, 'audit', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('gccgw audit with signed checkpoints and archives', () => {
  let root: string;
  let pkiDir: string;
  let logDir: string;
  let pki: LoadedDemoPki;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gccgw-audit-cli-'));
    pkiDir = join(root, 'pki');
    logDir = join(root, 'audit');
    pki = await loadDemoPki(await initDemoPki({ dir: pkiDir }));
    const gateway = pki.states.QA.gateway!.signing;
    const signer = trustCheckpointSigner({ signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain } });
    const log = EvidenceLog.open({ dir: logDir, segmentMaxBytes: 4096 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 12; i++) await log.append({ type: 'test.record', round, i, note: 'y'.repeat(40) });
      await log.checkpoint(signer);
    }
    await log.close();
  }, 60_000);
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('verifies the chain and the signed checkpoints against the trust list', () => {
    const result = run(['verify', '--dir', logDir, '--checkpoints', '--pki', pkiDir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^OK: 65 records .* 5 signed checkpoint\(s\), 0 timestamped, by GCC:QA:/);
  });

  it('exports a signed archive of closed segments that verifies on its own, and refuses a tampered one', () => {
    const last = listSegments(logDir).at(-1)!.number;
    const out = join(root, 'archive.json');
    const exported = run(['archive', '--dir', logDir, '--from', '1', '--to', String(last - 1), '--out', out, '--pki', pkiDir]);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    const verified = run(['verify', '--archive', out, '--pki', pkiDir]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^OK: archive signed by GCC:QA:/);
    const archive = JSON.parse(readFileSync(out, 'utf8')) as { head: { seq: number } };
    archive.head.seq += 1;
    writeFileSync(out, JSON.stringify(archive));
    const refused = run(['verify', '--archive', out, '--pki', pkiDir]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('BROKEN: archive signature refused');
  });

  it('refuses to archive the segment still being written', () => {
    const last = listSegments(logDir).at(-1)!.number;
    const result = run(['archive', '--dir', logDir, '--from', '1', '--to', String(last), '--out', join(root, 'x.json'), '--pki', pkiDir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('still being written');
  });
});
