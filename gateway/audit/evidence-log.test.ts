import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import { EvidenceLog, listSegments, SEGMENTS_DIR } from './evidence-log.js';
import { verifyLog } from './verify-log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-evidence-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const record = (n: number): { type: string; n: number; note: string } => ({ type: 'test.record', n, note: `رقم ${n}` });

async function writeRecords(count: number, options: { segmentMaxBytes?: number } = {}): Promise<void> {
  const log = EvidenceLog.open({ dir, ...options });
  // In groups, as concurrent requests arrive: each group is one group-committed write.
  for (let i = 0; i < count; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => log.append(record(i + j + 1))));
  }
  await log.close();
}

function segmentLines(index = 0): string[] {
  const segment = listSegments(dir)[index];
  if (segment === undefined) throw new Error('no segment');
  return readFileSync(segment.path, 'utf8').trimEnd().split('\n');
}

function rewriteSegment(lines: string[], index = 0): void {
  writeFileSync(listSegments(dir)[index]!.path, `${lines.join('\n')}\n`);
}

describe('EvidenceLog', () => {
  it('tells durable-record listeners (the seam for shipping records to an event topic) of every record once on disk, in chain order', async () => {
    const log = EvidenceLog.open({ dir, durability: 'batch' });
    const shipped: number[] = [];
    const onDisk: number[] = [];
    const stop = log.onDurable((records) => {
      for (const r of records) {
        shipped.push(r.seq);
        // Durable means readable from the segment file by now.
        onDisk.push(segmentLines().filter((line) => JSON.parse(line).seq === r.seq).length);
      }
    });
    log.onDurable(() => {
      throw new Error('a broken listener must not disturb the log or the others');
    });
    await Promise.all([1, 2, 3].map((n) => log.append(record(n))));
    await log.close();
    expect(shipped).toEqual([1, 2, 3]);
    expect(onDisk).toEqual([1, 1, 1]);
    stop();
    expect(verifyLog(dir).ok).toBe(true);
  });

  it('chains records in append order and verifies', async () => {
    const log = EvidenceLog.open({ dir });
    const sealed = await Promise.all([log.append(record(1)), log.append(record(2)), log.append(record(3))]);
    expect(sealed.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(sealed[1]?.prev).toBe(sealed[0]?.hash);
    expect(log.head).toEqual({ seq: 3, hash: sealed[2]?.hash });
    await log.close();
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 3, head: { seq: 3 } });
  });

  it('continues the chain after a reopen', async () => {
    await writeRecords(5);
    await writeRecords(5);
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 10 });
  });

  it('rotates segments and verifies across them', async () => {
    await writeRecords(200, { segmentMaxBytes: 4096 });
    expect(listSegments(dir).length).toBeGreaterThan(3);
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 200 });
  });

  describe('tamper evidence', () => {
    beforeEach(async () => {
      await writeRecords(10);
    });

    it('pinpoints a changed record', () => {
      const lines = segmentLines();
      lines[4] = lines[4]!.replace('"n":5', '"n":6');
      rewriteSegment(lines);
      expect(verifyLog(dir)).toMatchObject({ ok: false, records: 4, problem: { line: 5, expectedSeq: 5, reason: expect.stringContaining('changed') } });
    });

    it('pinpoints a deleted record', () => {
      const lines = segmentLines();
      lines.splice(6, 1);
      rewriteSegment(lines);
      expect(verifyLog(dir)).toMatchObject({ ok: false, records: 6, problem: { line: 7, expectedSeq: 7, reason: expect.stringContaining('found record 8') } });
    });

    it('pinpoints an inserted record, even one with a valid hash of its own', async () => {
      const other = mkdtempSync(join(tmpdir(), 'gccgw-evidence-other-'));
      const forged = EvidenceLog.open({ dir: other });
      for (let i = 1; i <= 4; i++) await forged.append(record(100 + i));
      await forged.close();
      const forgedLine = readFileSync(listSegments(other)[0]!.path, 'utf8').trimEnd().split('\n')[3]!;
      rmSync(other, { recursive: true, force: true });
      const lines = segmentLines();
      lines.splice(3, 0, forgedLine);
      rewriteSegment(lines);
      expect(verifyLog(dir)).toMatchObject({ ok: false, records: 3, problem: { line: 4, expectedSeq: 4 } });
    });

    it('pinpoints reordered records', () => {
      const lines = segmentLines();
      [lines[2], lines[3]] = [lines[3]!, lines[2]!];
      rewriteSegment(lines);
      expect(verifyLog(dir)).toMatchObject({ ok: false, records: 2, problem: { line: 3, expectedSeq: 3, reason: expect.stringContaining('found record 4') } });
    });

    it('pinpoints a record rewritten with a recomputed hash, by its broken link', async () => {
      // An attacker who recomputes the hash of a changed record still breaks the next record's `prev`.
      const lines = segmentLines();
      const { encodeRecord } = await import('./record-codec.js');
      const original = JSON.parse(lines[4]!) as { seq: number; prev: string; time: string };
      lines[4] = encodeRecord(original.seq, original.prev, original.time, record(555)).line.trimEnd();
      rewriteSegment(lines);
      expect(verifyLog(dir)).toMatchObject({ ok: false, records: 5, problem: { line: 6, reason: expect.stringContaining('does not link') } });
    });
  });

  it('names the records of a segment deleted by hand', async () => {
    await writeRecords(200, { segmentMaxBytes: 4096 });
    const segments = listSegments(dir);
    const lastOfFirst = JSON.parse(segmentLines(0).at(-1)!) as { seq: number };
    const lastOfSecond = JSON.parse(segmentLines(1).at(-1)!) as { seq: number };
    rmSync(segments[1]!.path);
    expect(verifyLog(dir)).toMatchObject({
      ok: false,
      problem: { expectedSeq: lastOfFirst.seq + 1, reason: `segment 2 is missing (records #${lastOfFirst.seq + 1} to #${lastOfSecond.seq}) between segment 1 and segment 3, and no retention record accounts for them (removed by hand?)` },
    });
  });

  it('continues from the first record of a lone later segment instead of cutting it as an unlinked tail', async () => {
    await writeRecords(200, { segmentMaxBytes: 4096 });
    const segments = listSegments(dir);
    for (const segment of segments.slice(0, -1)) rmSync(segment.path);
    const kept = readFileSync(segments.at(-1)!.path);
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096 });
    expect(log.head.seq).toBe(200);
    await log.append(record(201));
    await log.close();
    expect(readFileSync(segments.at(-1)!.path).subarray(0, kept.length)).toEqual(kept);
    // The hole stays visible: nothing accounts for it.
    expect(verifyLog(dir)).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('at the start of the log, and no retention record accounts') } });
  });

  it('cuts a torn tail left by a crash and goes on from the last whole record', async () => {
    await writeRecords(5);
    appendFileSync(listSegments(dir)[0]!.path, '{"seq":6,"prev":"00');
    const log = EvidenceLog.open({ dir });
    expect(log.head.seq).toBe(5);
    await log.append(record(6));
    await log.close();
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 6 });
  });

  it('lets only one process write a log', async () => {
    const log = EvidenceLog.open({ dir });
    writeFileSync(join(dir, 'LOCK'), '1');
    // pid 1 is alive (init): the lock is held by someone else.
    expect(() => EvidenceLog.open({ dir })).toThrow(/in use by process 1/);
    writeFileSync(join(dir, 'LOCK'), String(process.pid));
    await log.close();
  });

  it('takes over the lock of a process that died', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'LOCK'), '999999999');
    const log = EvidenceLog.open({ dir });
    await log.append(record(1));
    await log.close();
    expect(verifyLog(dir).ok).toBe(true);
  });

  it('fails closed when the disk is full: the append is refused and so is every later one', async () => {
    // The second segment is /dev/full, which answers every write with ENOSPC.
    mkdirSync(join(dir, SEGMENTS_DIR), { recursive: true });
    const log = EvidenceLog.open({ dir, segmentMaxBytes: 4096 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(record(i + 1))));
    symlinkSync('/dev/full', join(dir, SEGMENTS_DIR, '000002.jsonl'));
    let failure: unknown;
    for (let i = 0; i < 50 && failure === undefined; i++) {
      await log.append(record(100 + i)).catch((error: unknown) => (failure = error));
    }
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect((failure as GatewayError).message).toContain('ENOSPC');
    expect(log.healthy).toBe(false);
    await expect(log.append(record(999))).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    await log.close();
    // A device where a segment should be is refused on open, not read forever.
    expect(() => EvidenceLog.open({ dir })).toThrow(/not a regular file/);
  });

  it('resolves appends at once in batch mode and writes them within the window', async () => {
    const log = EvidenceLog.open({ dir, durability: 'batch', batchMaxDelayMillis: 20 });
    const sealed = await log.append(record(1));
    expect(sealed.seq).toBe(1);
    await log.flush();
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 1 });
    await log.close();
  });
});
