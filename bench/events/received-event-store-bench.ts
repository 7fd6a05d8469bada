/**
 * The received-event store under retention (issue 8, "Performance"; bench/events/README.md): the
 * consumer appends delivered batches on the event loop, and once the store holds more than
 * `maxEvents` the oldest are dropped. Prints the total time of the appends and the slowest single
 * append (a stall of the event loop, seen by every request and event the gateway handles then).
 *
 * Events look like batch-signed ones: ~3 KB `jws` (the batch's JWS with the x5c chain) and an
 * inclusion proof each.
 *
 *   npm run build && node dist/bench/events/received-event-store-bench.js [events=160000] [maxEvents=100000] [batch=200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CloudEvent } from '../../gateway/events/cloud-event.js';
import { ReceivedEventStore } from '../../gateway/events/received-event-store.js';

const EVENTS = Number(process.argv[2] ?? '160000');
const MAX_EVENTS = Number(process.argv[3] ?? '100000');
const BATCH = Number(process.argv[4] ?? '200');

const dir = mkdtempSync(join(tmpdir(), 'gccgw-bench-received-'));
try {
  const store = ReceivedEventStore.open({ dir, maxEvents: MAX_EVENTS });
  const jws = `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(2950)}.sig`;
  const eventAt = (n: number, indexInBatch: number): CloudEvent => ({
    specversion: '1.0',
    id: `id-${n}`,
    source: 'GCC:QA:GOV:GCCGW:gateway',
    type: 'gcc.cloud.provisioning.completed.v1',
    subject: `op-${n}`,
    time: '2026-11-23T09:00:00.000Z',
    datacontenttype: 'application/json',
    data: { requestId: `op-${n}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' },
    jws,
    jwsproof: `${indexInBatch}.${BATCH}.${'A'.repeat(340)}`,
  });
  let worst = 0;
  let total = 0;
  const load = loadavg()[0]?.toFixed(2);
  for (let start = 0; start < EVENTS; start += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, EVENTS - start) }, (_, i) => ({ position: { topic: 'gcc.qa.cloud', partition: 0, offset: start + i }, event: eventAt(start + i, i) }));
    const began = performance.now();
    await store.appendMany(items);
    const took = performance.now() - began;
    total += took;
    worst = Math.max(worst, took);
  }
  const kept = store.size;
  await store.close();
  console.log(`received-event store: ${EVENTS} events appended in batches of ${BATCH}, maxEvents ${MAX_EVENTS}; load average ${load} at start, ${loadavg()[0]?.toFixed(2)} at end`);
  console.log(`total ${total.toFixed(0)} ms (${((total * 1000) / EVENTS).toFixed(1)} µs per event), slowest append ${worst.toFixed(0)} ms, ${kept} events kept`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
