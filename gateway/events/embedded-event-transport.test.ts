import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportRecord } from './cloud-event.js';
import { EmbeddedEventTransport } from './embedded-event-transport.js';
import type { DeliveredRecord } from './event-transport.js';

describe('the embedded event log on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gccgw-embedded-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back every record, its headers and a batch’s shared ce_jws exactly after a reopen', async () => {
    const jws = `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(3000)}.sig`;
    const records: TransportRecord[] = Array.from({ length: 12 }, (_, i) => ({
      topic: 'gcc.qa.cloud',
      key: `op-${i % 4}`,
      value: JSON.stringify({ requestId: `op-${i}`, note: 'line\nbreak "quoted" \u2028' }),
      timestamp: 1_700_000_000_000 + i,
      headers: { ce_id: `e-${i}`, ...(i === 5 ? {} : { ce_jws: i < 8 ? jws : `${jws}-${i}` }), ce_jwsproof: `${i}.12.AAAA` },
    }));
    const first = new EmbeddedEventTransport({ dir, partitions: 3 });
    await first.publish(records.slice(0, 7));
    await first.publish(records.slice(7));
    await first.close();
    for (const file of ['0', '1', '2']) for (const line of readFileSync(join(dir, 'topics', 'gcc.qa.cloud', `${file}.jsonl`), 'utf8').split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();

    const second = new EmbeddedEventTransport({ dir, partitions: 3 });
    const seen: DeliveredRecord[] = [];
    const all = new Promise<void>((resolve) => {
      void second.subscribe({
        groupId: 'reopen',
        topics: ['gcc.qa.cloud'],
        handleBatch: async (batch) => {
          seen.push(...batch);
          if (seen.length === records.length) resolve();
        },
        handle: async () => undefined,
      });
    });
    await all;
    await second.close();
    const byId = new Map(seen.map((r) => [r.headers['ce_id'], r]));
    for (const record of records) {
      const back = byId.get(record.headers['ce_id']);
      expect(back).toMatchObject({ topic: record.topic, key: record.key, value: record.value, timestamp: record.timestamp });
      expect(back?.headers).toEqual(record.headers);
    }
  });

  it('waits in close() for a position flush in flight: the positions are on disk and no temporary file is left', async () => {
    // Positions flushed every millisecond, so that close() often comes while one is being written.
    for (let round = 0; round < 25; round++) {
      const roundDir = join(dir, `round-${round}`);
      const transport = new EmbeddedEventTransport({ dir: roundDir, partitions: 1, positionFlushMillis: 1 });
      let handled = 0;
      let done: () => void = () => undefined;
      const consumed = new Promise<void>((resolve) => {
        done = resolve;
      });
      await transport.subscribe({
        groupId: 'flush',
        topics: ['gcc.qa.cloud'],
        handleBatch: async (batch) => {
          handled += batch.length;
          if (handled === 3) done();
        },
        handle: async () => undefined,
      });
      await transport.publish([0, 1, 2].map((i) => ({ topic: 'gcc.qa.cloud', key: 'k', value: '{}', headers: { ce_id: `e-${i}` } })));
      await consumed;
      await new Promise((resolve) => setTimeout(resolve, round % 5));
      await transport.close();
      expect(readdirSync(join(roundDir, 'groups'))).toEqual(['flush.json']);
      expect(JSON.parse(readFileSync(join(roundDir, 'groups', 'flush.json'), 'utf8'))).toEqual({ 'gcc.qa.cloud:0': 3 });
    }
  });
});
