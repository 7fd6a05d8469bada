import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { checkLineBytes } from './record-codec.js';

/** One end of a segment: a whole, intact record. */
export interface SegmentEdge {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
  readonly time: string;
}

export type SegmentEdges =
  | { readonly ok: true; readonly first: SegmentEdge; readonly last: SegmentEdge }
  | { readonly ok: false; readonly reason: string };

const CHUNK = 64 * 1024;

function edge(line: Buffer): SegmentEdge | string {
  const check = checkLineBytes(line);
  if (!check.ok) return check.reason;
  const time = (JSON.parse(line.toString('utf8')) as { time?: unknown }).time;
  if (typeof time !== 'string') return 'the record has no time';
  return { seq: check.seq, prev: check.prev, hash: check.hash, time };
}

/**
 * The first and last record of a closed segment, read from its two ends only (retention looks at
 * many old segments and must not read them whole just to learn their age). Every line of a
 * segment ends with a newline; a segment that does not is still being written or was torn.
 */
export function readSegmentEdges(path: string): SegmentEdges {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { ok: false, reason: 'the segment is empty' };
    const read = (position: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buffer, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return buffer.subarray(0, done);
    };
    // First line: grow the window until it holds a newline.
    let head = read(0, Math.min(size, CHUNK));
    while (head.indexOf(0x0a) < 0 && head.length < size) head = read(0, Math.min(size, head.length * 2));
    const firstEnd = head.indexOf(0x0a);
    if (firstEnd < 0) return { ok: false, reason: 'the first line is incomplete (no newline)' };
    // Last line: the bytes between the second-to-last newline and the final one.
    let window = Math.min(size, CHUNK);
    let tail = read(size - window, window);
    if (tail[tail.length - 1] !== 0x0a) return { ok: false, reason: 'the last line is incomplete (no newline)' };
    // (A negative offset would make lastIndexOf count from the end: guard it.)
    const previousNewline = (bytes: Buffer): number => (bytes.length >= 2 ? bytes.lastIndexOf(0x0a, bytes.length - 2) : -1);
    while (previousNewline(tail) < 0 && window < size) {
      window = Math.min(size, window * 2);
      tail = read(size - window, window);
    }
    const lastStart = previousNewline(tail) + 1;
    const first = edge(head.subarray(0, firstEnd));
    if (typeof first === 'string') return { ok: false, reason: `first record: ${first}` };
    const last = edge(tail.subarray(lastStart, tail.length - 1));
    if (typeof last === 'string') return { ok: false, reason: `last record: ${last}` };
    return { ok: true, first, last };
  } finally {
    closeSync(fd);
  }
}
