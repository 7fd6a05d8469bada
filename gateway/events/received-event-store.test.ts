import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import { createCloudEvent, type CloudEvent } from './cloud-event.js';
import { decodeEventCursor, encodeEventCursor, ReceivedEventStore } from './received-event-store.js';

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

  it('reads across partitions in delivery order, continues exactly after a cursor, and filters by topic and type', () => {
    const store = ReceivedEventStore.open({ dir, maxEvents: 1000 });
    const appended = [
      store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 0 }, event()),
      store.append({ topic: 'gcc.qa.cloud', partition: 1, offset: 0 }, event()),
      store.append({ topic: 'gcc.sa.cloud', partition: 0, offset: 0 }, event()),
      store.append({ topic: 'gcc.all.trust', partition: 0, offset: 5 }, event('gcc.trust.list.published.v1')),
      store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event()),
    ].map((e) => e?.event.id);
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
    expect(store.append({ topic: 'gcc.qa.cloud', partition: 0, offset: 1 }, event())).toBeUndefined();
    store.close();
  });

  it('keeps what it holds across a restart, and refuses a cursor older than what it still keeps', () => {
    let store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    for (let offset = 0; offset < 260; offset++) store.append({ topic: 'gcc.qa.cloud', partition: 0, offset }, event());
    const oldCursor = encodeEventCursor(new Map([['gcc.qa.cloud:0', 3]]));
    store.close();
    store = ReceivedEventStore.open({ dir, maxEvents: 100 });
    expect(store.size).toBe(100);
    const page = store.read({ readable: everything, first: 1 });
    expect(page.edges[0]?.entry.offset).toBe(160);
    expect(codeOf(() => store.read({ readable: everything, first: 10, after: decodeEventCursor(oldCursor) }))).toBe('ERR_EVENT_CURSOR_INVALID');
    expect(store.recentIds(2)).toHaveLength(2);
    store.close();
  });
});
