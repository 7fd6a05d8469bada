import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportRecord } from './cloud-event.js';
import { EmbeddedEventTransport } from './embedded-event-transport.js';
import { EventOutbox } from './event-outbox.js';
import type { DeliveredRecord } from './event-transport.js';

describe('the event outbox file', () => {
  let dir: string;
  let transport: EmbeddedEventTransport;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gccgw-outbox-'));
    transport = new EmbeddedEventTransport({ dir: join(dir, 'log') });
  });
  afterEach(async () => {
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const header = `eyJhbGciOiJFUzI1NiJ9${'Q'.repeat(3000)}`;
  const record = (n: number, extra: Partial<TransportRecord> = {}, jws: string | undefined = `${header}..sig-${n}`): TransportRecord => ({
    topic: 'gcc.qa.cloud',
    key: `subject-${n}`,
    headers: { ce_id: `id-${n}`, ce_type: 'gcc.cloud.provisioning.completed.v1', ...(jws !== undefined ? { ce_jws: jws } : {}), 'content-type': 'application/json' },
    value: JSON.stringify({ n, text: 'quote " backslash \\ newline \n arabic \u0642\u0637\u0631' }),
    timestamp: 1_700_000_000_000 + n,
    ...extra,
  });

  it('writes lines that parse back to exactly the entries added, and re-sends them after a restart', async () => {
    const records: TransportRecord[] = [record(1), record(2), record(3, { timestamp: undefined }), record(4, {}, 'odd "jws"\n.with\u2028escapes'), record(5, {}, undefined), record(6)];
    const outbox = new EventOutbox({ dir: join(dir, 'outbox'), transport });
    await outbox.add(records.slice(0, 2));
    await outbox.add([...records.slice(2, 5).map((r) => r), { record: records[5] as TransportRecord, leaf: 'bGVhZg' }]);
    // The relay never started: everything is still pending when the process stops.
    expect(outbox.pending).toBe(records.length);
    await outbox.close();

    const lines = readFileSync(join(dir, 'outbox', 'outbox.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    // What JSON.stringify of each entry gives, parsed (member order aside).
    const expected = records.map((r, i) => JSON.parse(JSON.stringify({ key: `${r.topic}|${r.headers['ce_id']}`, record: r, ...(i === 5 ? { leaf: 'bGVhZg' } : {}) })) as unknown);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(expected);

    const published: DeliveredRecord[] = [];
    const subscription = await transport.subscribe({ groupId: 'reader', topics: ['gcc.qa.cloud'], handle: async (r) => void published.push(r) });
    const restarted = new EventOutbox({ dir: join(dir, 'outbox'), transport });
    expect(restarted.pending).toBe(records.length);
    restarted.start();
    await restarted.drained();
    await restarted.close();
    const deadline = Date.now() + 10_000;
    while (published.length < records.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await subscription.close();
    const byId = new Map(published.map((r) => [r.headers['ce_id'], r]));
    for (const r of records) {
      const got = byId.get(r.headers['ce_id']);
      expect(got?.headers).toEqual(r.headers);
      expect(got?.value).toBe(r.value);
      expect(got?.key).toBe(r.key);
    }
  });

  it('marks every published batch sent before close() returns, so a restart re-sends nothing', async () => {
    const published: DeliveredRecord[] = [];
    const subscription = await transport.subscribe({ groupId: 'reader', topics: ['gcc.qa.cloud'], handle: async (r) => void published.push(r) });
    // Small batches: the relay publishes several while earlier batches' marks are being written.
    const outbox = new EventOutbox({ dir: join(dir, 'outbox'), transport, batchSize: 3 });
    outbox.start();
    const adds = Array.from({ length: 8 }, (_, i) => outbox.add([record(3 * i + 1), record(3 * i + 2), record(3 * i + 3)]));
    await Promise.all(adds);
    await outbox.drained();
    await outbox.close();
    const sent = readFileSync(join(dir, 'outbox', 'sent.txt'), 'utf8').split('\n').filter((line) => line !== '');
    expect(new Set(sent)).toEqual(new Set(Array.from({ length: 24 }, (_, i) => `gcc.qa.cloud|id-${i + 1}`)));
    const restarted = new EventOutbox({ dir: join(dir, 'outbox'), transport });
    expect(restarted.pending).toBe(0);
    await restarted.close();
    const deadline = Date.now() + 10_000;
    while (published.length < 24 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await subscription.close();
    expect(published.map((r) => r.headers['ce_id']).sort()).toEqual(Array.from({ length: 24 }, (_, i) => `id-${i + 1}`).sort());
  });
});
