import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLine, recoverJsonLines } from './json-lines-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-jsonl-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('recoverJsonLines', () => {
  it('keeps whole accepted lines and cuts a torn tail off the file', () => {
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, '{"n":0,"t":"ع"}\n{"n":1}\n{"n":2');
    const { lines, validBytes, droppedBytes } = recoverJsonLines(file, (line) => parseJsonLine(line) !== undefined);
    expect(lines.map((l) => parseJsonLine<{ n: number }>(l)?.n)).toEqual([0, 1]);
    expect(droppedBytes).toBe(6);
    expect(readFileSync(file).length).toBe(validBytes);
    expect(readFileSync(file, 'utf8')).toBe('{"n":0,"t":"ع"}\n{"n":1}\n');
  });

  it('stops at the first line the caller refuses, even if later lines are whole', () => {
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, '{"n":0}\n{"n":5}\n{"n":2}\n');
    const { lines } = recoverJsonLines(file, (line, index) => parseJsonLine<{ n: number }>(line)?.n === index);
    expect(lines).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe('{"n":0}\n');
  });

  it('treats a missing file as empty', () => {
    expect(recoverJsonLines(join(dir, 'none.jsonl'), () => true)).toEqual({ lines: [], validBytes: 0, droppedBytes: 0 });
  });
});
