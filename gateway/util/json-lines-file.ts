import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync } from 'node:fs';

export interface RecoveredLines {
  /** The whole lines kept, without their newline, as views into the file's bytes. */
  readonly lines: readonly Buffer[];
  /** Bytes kept: the file's length after recovery. */
  readonly validBytes: number;
  /** Bytes cut off the end. */
  readonly droppedBytes: number;
}

/**
 * Reads an append-only JSON-lines file after a possible crash: keeps the longest prefix of whole
 * lines that `accept` takes, in order, and cuts everything after it off the file (fsync'd). What is
 * cut was never acknowledged, since every writer here acknowledges only after fsync. Works on bytes,
 * in one pass. Used by the evidence log, the embedded event log and the event outbox.
 */
export function recoverJsonLines(path: string, accept: (line: Buffer, index: number) => boolean): RecoveredLines {
  if (!existsSync(path)) return { lines: [], validBytes: 0, droppedBytes: 0 };
  const bytes = readFileSync(path);
  const lines: Buffer[] = [];
  let position = 0;
  while (position < bytes.length) {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) break;
    const line = bytes.subarray(position, end);
    if (!accept(line, lines.length)) break;
    lines.push(line);
    position = end + 1;
  }
  if (position < bytes.length) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, position);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return { lines, validBytes: position, droppedBytes: bytes.length - position };
}

/** `JSON.parse` of a line, or undefined when it is not JSON. */
export function parseJsonLine<T>(line: Buffer): T | undefined {
  try {
    return JSON.parse(line.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
