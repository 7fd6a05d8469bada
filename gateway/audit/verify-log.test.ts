import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceLog, listSegments, SEGMENTS_DIR } from './evidence-log.js';
import { encodeRecord } from './record-codec.js';
import { READ_WINDOW_BYTES, verifyLog } from './verify-log.js';

/**
 * Verification reads segments a window at a time (READ_WINDOW_BYTES); these logs are longer than
 * one window, so records are checked, counted and linked across the places where it moves on.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-verify-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const record = (n: number, pad = 900): { type: string; n: number; pad: string } => ({ type: 'test.record', n, pad: 'x'.repeat(pad) });

/** `count` records of about 1 KB in one segment (batch durability: one write). */
async function writeRecords(count: number, extra: Array<{ after: number; body: Record<string, unknown> }> = []): Promise<void> {
  const log = EvidenceLog.open({ dir, durability: 'batch' });
  let n = 0;
  for (let i = 1; i <= count; i++) {
    void log.append(record(++n));
    for (const e of extra) if (e.after === i) void log.append({ type: 'test.record', n: ++n, ...e.body });
  }
  await log.flush();
  await log.close();
}

function segmentLines(): string[] {
  return readFileSync(listSegments(dir)[0]!.path, 'utf8').trimEnd().split('\n');
}

function rewriteSegment(lines: string[]): void {
  writeFileSync(listSegments(dir)[0]!.path, `${lines.join('\n')}\n`);
}

/** Index of the line that holds byte `offset` of the segment (lines are ASCII here). */
function lineAt(lines: string[], offset: number): number {
  let start = 0;
  for (const [index, line] of lines.entries()) {
    if (offset < start + line.length + 1) return index;
    start += line.length + 1;
  }
  throw new Error('offset beyond the segment');
}

describe('verifyLog over segments longer than its read window', () => {
  // More than two windows: the second read fills the whole buffer, over where the first window's
  // records were (so a head not copied aside before the window moves on would be lost).
  const count = Math.ceil((READ_WINDOW_BYTES * 2.5) / 1000);

  it('proves a segment several read windows long, and names a changed record past the first window by its line', async () => {
    await writeRecords(count);
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: count, head: { seq: count } });
    const lines = segmentLines();
    const target = lineAt(lines, READ_WINDOW_BYTES + 100_000);
    lines[target] = lines[target]!.replace(`"n":${target + 1},`, `"n":${target + 2},`);
    rewriteSegment(lines);
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: target, problem: { line: target + 1, expectedSeq: target + 1, reason: expect.stringContaining('changed') } });
  });

  it('checks the link from the last record of one window to the first of the next', async () => {
    await writeRecords(count);
    const lines = segmentLines();
    // The record that straddles the window's end is read first in the next window; its `prev`
    // must match the record before it, re-encoded here with a recomputed hash of its own.
    const straddling = lineAt(lines, READ_WINDOW_BYTES);
    const before = JSON.parse(lines[straddling - 1]!) as { seq: number; prev: string; time: string };
    lines[straddling - 1] = encodeRecord(before.seq, before.prev, before.time, { type: 'test.record', n: before.seq, pad: 'w'.repeat(900) }).line.trimEnd();
    rewriteSegment(lines);
    // Same length: the boundary still falls inside the same record.
    expect(lineAt(segmentLines(), READ_WINDOW_BYTES)).toBe(straddling);
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: straddling, problem: { line: straddling + 1, expectedSeq: straddling + 1, reason: expect.stringContaining('does not link') } });
  });

  it('names records swapped across the window boundary', async () => {
    await writeRecords(count);
    const lines = segmentLines();
    const straddling = lineAt(lines, READ_WINDOW_BYTES);
    [lines[straddling - 1], lines[straddling]] = [lines[straddling]!, lines[straddling - 1]!];
    rewriteSegment(lines);
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: straddling - 1, problem: { line: straddling, reason: `expected record ${straddling} here but found record ${straddling + 1}: records are missing or out of order` } });
  });

  it('proves a record longer than the read window, and pinpoints a change inside it', async () => {
    await writeRecords(20, [{ after: 10, body: { pad: 'y'.repeat(READ_WINDOW_BYTES + 12_345) } }]);
    expect(verifyLog(dir)).toMatchObject({ ok: true, records: 21 });
    const lines = segmentLines();
    expect(lines[10]!.length).toBeGreaterThan(READ_WINDOW_BYTES);
    lines[10] = `${lines[10]!.slice(0, READ_WINDOW_BYTES)}z${lines[10]!.slice(READ_WINDOW_BYTES + 1)}`;
    rewriteSegment(lines);
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: 10, problem: { line: 11, reason: expect.stringContaining('changed') } });
  });

  it('refuses a segment that is not a regular file instead of reading it forever', async () => {
    await writeRecords(3);
    symlinkSync('/dev/zero', join(dir, SEGMENTS_DIR, '000002.jsonl'));
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: 3, problem: { segment: expect.stringContaining('000002.jsonl'), line: 1, reason: 'the segment is not a regular file' } });
  });

  it('names an incomplete last line after a full window', async () => {
    await writeRecords(count);
    const path = listSegments(dir)[0]!.path;
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: count - 1, problem: { line: count, reason: 'the last line is incomplete (no newline)' } });
  });
});

describe('verifyLog with records it has to parse', () => {
  /** A line sealed like the codec seals one (hash over the bytes before `,"hash":`), whatever its body. */
  const sealed = (seq: number, prev: string, rest: string): { line: string; hash: string } => {
    const prefix = `{"seq":${seq},"prev":"${prev}",${rest}`;
    const hash = createHash('sha256').update(prefix).digest('hex');
    return { line: `${prefix},"hash":"${hash}"}\n`, hash };
  };

  it('names a retention record that is not JSON, with a valid hash and link, instead of throwing', async () => {
    await writeRecords(3);
    const last = JSON.parse(segmentLines().at(-1)!) as { seq: number; hash: string };
    const forged = sealed(last.seq + 1, last.hash, '"time":"2026-11-23T00:00:00.000Z","body":{"type":"retention", not json');
    appendFileSync(listSegments(dir)[0]!.path, forged.line);
    expect(verifyLog(dir)).toMatchObject({ ok: false, records: 3, problem: { line: 4, reason: 'record 4 is a malformed retention record' } });
  });
});
