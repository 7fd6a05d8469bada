import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceLog } from '../../gateway/audit/evidence-log.js';
import { verifyLog } from '../../gateway/audit/verify-log.js';
import { packageRoot } from '../../schemas/schema-files.js';

const WRITER = join(packageRoot(), 'dist', 'test', 'fixtures', 'audit', 'audit-writer.js');
const ROUNDS = 12;

/** Runs the writer until it has acknowledged some records, then kills it with SIGKILL. */
async function writeAndKill(dir: string, killAfterMillis: number): Promise<number> {
  const child = spawn(process.execPath, [WRITER, dir, '16'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let maxAcked = 0;
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) maxAcked = Math.max(maxAcked, Number(line.slice(4)));
        if (timer === undefined && line.startsWith('ack ')) timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, killAfterMillis);
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`));
    });
  });
  await exited;
  // Acks still in the pipe were sent before the kill: count them too.
  for (const line of buffered.split('\n')) if (line.startsWith('ack ')) maxAcked = Math.max(maxAcked, Number(line.slice(4)));
  return maxAcked;
}

describe('evidence log crash safety', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gccgw-crash-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`never loses an acknowledged record nor breaks the chain across ${ROUNDS} SIGKILLs under load`, async () => {
    let acknowledged = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const acked = await writeAndKill(dir, 20 + Math.floor(Math.random() * 200));
      acknowledged = Math.max(acknowledged, acked);
      // Restart: recovery cuts whatever was torn by the kill, then the whole chain must verify.
      const log = EvidenceLog.open({ dir });
      const head = log.head.seq;
      await log.close();
      const report = verifyLog(dir);
      expect({ round, ok: report.ok, problem: report.problem }).toEqual({ round, ok: true, problem: undefined });
      // Sequence numbers are contiguous from 1 (verified), so every acknowledged record is there.
      expect(head).toBeGreaterThanOrEqual(acknowledged);
      expect(report.records).toBe(head);
    }
    expect(acknowledged).toBeGreaterThan(ROUNDS);
  });
});
