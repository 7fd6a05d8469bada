import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import { createCloudEvent, type CloudEvent } from './cloud-event.js';
import { BatchCursors, decodeEventCursor, encodeEventCursor, ReceivedEventStore } from './received-event-store.js';

let n = 0;
const event = (type = 'gcc.cloud.provisioning.completed.v1'): CloudEvent =>
  createCloudEvent({ source: 'GCC:QA:GOV:GCCGW:gateway', type, subject: `req-${++n}`, data: { requestId: `req-${n}`, tenantId: 't', state: 'SUCCEEDED' } });
const everything = (): boolean => true;
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof GatewayError ? error.code : 'not a GatewayError';
  }
  return undefined;
};

describe('the received-event store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gccgw-received-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips cursors and refuses anything it did not make', () => {
    const positions = new Map([['gcc.qa.hr:0', 12], ['gcc.all.trust:2', 0]]);
    expect(decodeEventCursor(encodeEventCursor(positions))).toEqual(positions);
    expect(encodeEventCursor(positions)).toBe(encodeEventCursor(new Map([...positions].reverse())));
    for (const bad of ['', 'x y', Buffer.from('v2;gcc.qa.hr:0:1').toString('base64url'), Buffer.from('v1;gcc.qa.hr:0').toString('base64url'), Buffer.from('v1;GCC:0:1').toString('base64url')]) {
      expect(codeOf(() => decodeEventCursor(bad))).toBe('ERR_EVENT_CURSOR_INVALID');
    }
  });

  it('reads across partitions in delivery order, continues exactly after a cursor, and filters by topic and type', async () => {
    const store = ReceivedEventStore.open({ dir, maxEvents: 1000 });
    const appended = (await Promise.all([
      store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 0 }, event()),
      store.append({ topic: 'gcc.qa.cloud', partition: 1, offset: 0 }, event()),
      store.append({ topic: 'gcc.sa.cloud', partition: 0, offset: 0 }, event()),
      store.append({ topic: 'gcc.all.trust', partition: 0, offset: 5 }, event('gcc.trust.list.published.v1')),
      store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event()),
    ])).map((e) => e?.event.id);
    const qaReader = (topic: string): boolean => topic.startsWith('gcc.qa.') || topic.startsWith('gcc.all.');
    const all = store.read({ readable: qaReader, first: 100 });
    expect(all.edges.map((e) => e.entry.event.id)).toEqual([appended[0], appended[1], appended[3], appended[4]]);
    expect(all.hasNextPage).toBe(false);
    const page = store.read({ readable: qaReader, first: 2 });
    expect(page.hasNextPage).toBe(true);
    const rest = store.read({ readable: qaReader, first: 100, after: decodeEventCursor(page.endCursor) });
    expect(rest.edges.map((e) => e.entry.event.id)).toEqual([appended[3], appended[4]]);
    // The cursor never names a topic the reader may not see.
    expect([...decodeEventCursor(all.endCursor).keys()].some((k) => k.startsWith('gcc.sa.'))).toBe(false);
    const onlyTrust = store.read({ readable: qaReader, first: 100, types: new Set(['gcc.trust.list.published.v1']) });
    expect(onlyTrust.edges.map((e) => e.entry.event.id)).toEqual([appended[3]]);
    // A replayed record (same position) is not kept twice.
    expect(await store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event())).toBeUndefined();
    await store.close();
  });

  it('gives each event of a delivered batch the cursor just after it, so reading after it continues with the next one', async () => {
    const store = ReceivedEventStore.open({ dir, maxEvents: 1000 });
    await store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 0 }, event());
    const before = store.latestPositions();
    const { before: batchBefore, entries } = await store.appendBatch([
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event: event() },
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event: event() },
      { position: { topic: 'gcc.qa.cloud', partition: 1, offset: 0 }, event: event() },
      { position: { topic: 'gcc.sa.cloud', partition: 0, offset: 0 }, event: event() },
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 2 }, event: event() },
    ]);
    expect(entries[1]).toBeUndefined();
    expect(batchBefore).toEqual(before);
    const cursors = new BatchCursors(before, entries);
    const qaReader = (topic: string): boolean => topic.startsWith('gcc.qa.');
    const kept = [0, 2, 4];
    for (const [k, i] of kept.entries()) {
      // Out of order as well as in order: each is the same.
      const after = store.read({ readable: qaReader, first: 100, after: decodeEventCursor(cursors.after(i, qaReader)) });
      expect(after.edges.map((e) => e.entry.event.id)).toEqual(kept.slice(k + 1).map((j) => entries[j]!.event.id));
    }
    expect(decodeEventCursor(cursors.after(0, qaReader))).toEqual(new Map([['gcc.qa.cloud:0', 1]]));
    expect(decodeEventCursor(cursors.after(3, everything))).toEqual(new Map([['gcc.qa.cloud:0', 1], ['gcc.qa.cloud:1', 0], ['gcc.sa.cloud:0', 0]]));
    expect(cursors.after(4, everything)).toBe(store.cursorAfterLatest(everything));
    expect(() => cursors.after(5, everything)).toThrow(RangeError);
    await store.close();
  });

  it('drops old events by whole files, never rewriting the ones it keeps, and reads a single file of an earlier version', async () => {
    let store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    for (let offset = 0; offset < 120; offset++) await store.append({ topic: 'gcc.qa.cloud', partition: 0, offset }, event());
    const files = (): string[] => readdirSync(dir).sort();
    // Files of 50: the second (events 51-100) is full; it must survive the next drop unchanged.
    const kept = files()[1] as string;
    const keptInode = statSync(join(dir, kept)).ino;
    const keptBytes = readFileSync(join(dir, kept));
    for (let offset = 120; offset < 180; offset++) await store.append({ topic: 'gcc.qa.cloud', partition: 0, offset }, event());
    expect(files()).toHaveLength(3);
    expect(files()[0]).toBe(kept);
    expect(statSync(join(dir, kept)).ino).toBe(keptInode);
    expect(readFileSync(join(dir, kept)).equals(keptBytes)).toBe(true);
    expect(store.size).toBe(130);
    for (let offset = 180; offset < 400; offset++) await store.append({ topic: 'gcc.qa.cloud', partition: 0, offset }, event());
    // Between maxEvents and maxEvents plus one file (50) are kept; the rest went with their files.
    expect(store.size).toBeGreaterThanOrEqual(100);
    expect(store.size).toBeLessThanOrEqual(150);
    expect(files().length).toBeLessThanOrEqual(4);
    expect(store.read({ readable: everything, first: 1 }).edges[0]?.entry.offset).toBe(400 - store.size);
    await store.close();

    // An earlier version's single file: read as the oldest events, and dropped like any file.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const legacy = Array.from({ length: 30 }, (_, i) => JSON.stringify({ seq: i + 1, topic: 'gcc.qa.cloud', partition: 1, offset: i, event: event() })).join('\n');
    writeFileSync(join(dir, 'received.jsonl'), `${legacy}\n`);
    store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    expect(store.size).toBe(30);
    for (let offset = 30; offset < 300; offset++) await store.append({ topic: 'gcc.qa.cloud', partition: 1, offset }, event());
    expect(files()).not.toContain('received.jsonl');
    await store.close();
    store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    expect(store.size).toBe(100);
    expect(store.read({ readable: everything, first: 1 }).edges[0]?.entry.offset).toBe(200);
    await store.close();
  });

  it('keeps what it holds across a restart, and refuses a cursor older than what it still keeps', async () => {
    let store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    for (let offset = 0; offset < 260; offset++) await store.append({ topic: 'gcc.qa.cloud', partition: 0, offset }, event());
    const oldCursor = encodeEventCursor(new Map([['gcc.qa.cloud:0', 3]]));
    await store.close();
    store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    expect(store.size).toBe(100);
    const page = store.read({ readable: everything, first: 1 });
    expect(page.edges[0]?.entry.offset).toBe(160);
    expect(codeOf(() => store.read({ readable: everything, first: 10, after: decodeEventCursor(oldCursor) }))).toBe('ERR_EVENT_CURSOR_INVALID');
    expect(store.recentIds(2)).toHaveLength(2);
    await store.close();
  });

  it('takes appends in call order, also when they are not awaited, and shows events to readers only once they are written', async () => {
    const store = ReceivedEventStore.open({ dir, maxEvents: 1000 });
    const first = store.appendMany([
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 0 }, event: event() },
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event: event() },
    ]);
    // Called before the first is written: its offset 1 is still recognised as kept by the first.
    const second = store.appendBatch([
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event: event() },
      { position: { topic: 'gcc.qa.cloud', partition: 0, offset: 2 }, event: event() },
    ]);
    expect(store.size).toBe(0);
    expect(store.read({ readable: everything, first: 10 }).edges).toHaveLength(0);
    const [a, b] = await Promise.all([first, second]);
    expect(a.map((e) => e?.seq)).toEqual([1, 2]);
    expect(b.entries.map((e) => e?.seq)).toEqual([undefined, 3]);
    expect(b.before).toEqual(new Map([['gcc.qa.cloud:0', 1]]));
    expect(store.read({ readable: everything, first: 10 }).edges.map((e) => e.entry.offset)).toEqual([0, 1, 2]);
    const last = store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 3 }, event());
    // close() waits for the appends already called; later ones are refused.
    await store.close();
    expect((await last)?.seq).toBe(4);
    await expect(store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 4 }, event())).rejects.toThrow('closed');
    const lines = readdirSync(dir).flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line !== ''));
    expect(lines.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    const reopened = ReceivedEventStore.open({ dir, maxEvents: 1000 });
    expect(reopened.size).toBe(4);
    await reopened.close();
  });
});
