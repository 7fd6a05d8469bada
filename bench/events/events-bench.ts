/**
 * Cross-border events, end to end inside one gateway's events machinery (issue 8, "Performance"):
 * sign (the gateway's ECDSA P-256 key, detached JWS over RFC 8785), validate, write to the durable
 * outbox (fsync), relay to the transport, consume, verify (chain cached after the first event),
 * validate, dedupe, keep for catch-up, deliver to a live subscriber. For each transport:
 *
 *   1. throughput: N events published by P concurrent producers (default 256), until the subscriber
 *      has them all;
 *   2. latency at a fixed offered rate (publish -> subscriber), p50 / p99, and whether the rate held;
 *   3. for the throughput phase, the main thread's CPU time per event and the process's CPU time per
 *      event (all threads): what a profile-driven change moves, and less disturbed by other load
 *      on the machine than the rates.
 *
 * Transports: `embedded` (the durable local log), `kafka` (kafkajs against our Kafka
 * wire-protocol test broker over TCP on 127.0.0.1, the broker in this process; a real Kafka
 * cluster will differ) and `kafka-child` (the same with the broker in a child process,
 * kafka-broker-process.ts, as a broker on another machine would be; its CPU time is printed
 * apart). Signing
 * (`events.signing.mode`): `event` (one JWS per event) and `batch` (the relay signs each outbox
 * batch once over its Merkle root; each event carries its inclusion proof).
 *
 *   npm run build && node dist/bench/events/events-bench.js [events] [rate/s] [seconds] [transports] [modes] [producers]
 *   e.g. ... 20000 1000 5 embedded,kafka,kafka-child event,batch 256
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { GatewayTrust } from '../../gateway/access/gateway-trust.js';
import { gatewayConfigSchema } from '../../gateway/config/gateway-config.js';
import { startGatewayEvents, type GatewayEvents } from '../../gateway/events/gateway-events.js';
import { kafkajsFastEncoding } from '../../gateway/events/kafkajs-fast-encoding.js';
import { globalFetch, initDemoPki, loadDemoPki, RevocationChecker, startDemoTrustServices, TrustListHolder, ValidatedChainCache, type SignatureTrust } from '../../trust/index.js';
import { startKafkaTestBroker } from '../../test/kafka-broker/index.js';
import { reportComponentResult, type ComponentFigure } from '../component-result.js';

const EVENTS = Number(process.argv[2] ?? '5000');
const RATE = Number(process.argv[3] ?? '1000');
const SECONDS = Number(process.argv[4] ?? '5');
/** `kafka`: the test broker in this process; `kafka-child`: in a child process (kafka-broker-process.ts). */
const TRANSPORTS = (process.argv[5] ?? 'embedded,kafka').split(',') as Array<'embedded' | 'kafka' | 'kafka-child'>;
const MODES = (process.argv[6] ?? 'event,batch').split(',') as Array<'event' | 'batch'>;
/**
 * Producers in the throughput phase, each publishing its next event once the last is in the outbox
 * (a closed loop). By Little's law a closed loop's rate is producers / time per publish, and a
 * publish waits for the outbox's group commit, which queues behind the event loop's consumer work:
 * with too few producers the loop measures that wait, not what the pipeline can carry. 256 is where
 * the rate stopped rising on the 2-core machine (64: ~10,300/s batch-signed embedded, 256: ~14,100,
 * 512 and 1,024: 12,300-13,200; bench/events/README.md).
 */
const CONCURRENCY = Number(process.argv[7] ?? '256');
if (!(Number.isSafeInteger(CONCURRENCY) && CONCURRENCY >= 1)) {
  console.error(`events-bench: producers (the seventh argument) must be a positive integer, not "${process.argv[7] ?? ''}"`);
  process.exit(2);
}
/** Targets of the events issue: signed events with one signature each, and batch-signed events. */
const TARGET_PER_SECOND = { event: 5_000, batch: 20_000 } as const;

interface Row {
  readonly transport: string;
  readonly mode: 'event' | 'batch';
  readonly perSecond: number;
  readonly offered: number;
  readonly achieved: number;
  readonly p50: number;
  readonly p99: number;
  /**
   * Throughput phase: CPU time of the main thread (the event loop) per event, in µs, from
   * /proc/self/task/<pid>/stat (10 ms ticks), which unlike event-loop utilisation does not count
   * time the thread was runnable but descheduled on a loaded machine; NaN where there is no /proc.
   */
  readonly mainMicrosPerEvent: number;
  /** Throughput phase: process CPU time (all threads: main, libuv pool, GC helpers) per event, in µs. */
  readonly cpuMicrosPerEvent: number;
  /** Throughput phase, `kafka-child` rows: the broker process's CPU time per event, in µs (not in `cpuMicrosPerEvent`). */
  readonly brokerMicrosPerEvent?: number;
}

let sequence = 0;
const provisioningEvent = () => {
  sequence += 1;
  return { type: 'gcc.cloud.provisioning.completed.v1', subject: `op-bench-${sequence}`, time: new Date().toISOString(), data: { requestId: `op-bench-${sequence}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED', kind: 'STORAGE', sku: 'STD-1T', region: 'qa-central-1' } };
};

/** CPU time (user + system) of the main thread so far, in µs; NaN without Linux's /proc. */
function mainThreadCpuMicros(): number {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15 (proc(5)).
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
/** CPU time (user + system, all threads) of another process so far, in µs; NaN without /proc. */
function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
/** USER_HZ: 100 on every Linux architecture Node supports. */
const TICKS_PER_SECOND = 100;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Resolves when the subscriber has seen `count` events; `onEvent` gets each subject. */
async function consume(events: GatewayEvents, count: number, onEvent: (subject: string) => void): Promise<void> {
  let seen = 0;
  for await (const delivery of events.subscribe({ state: 'QA' })) {
    onEvent(delivery.entry.event.subject);
    seen += 1;
    if (seen >= count) return;
  }
}

async function measure(row: 'embedded' | 'kafka' | 'kafka-child', mode: 'event' | 'batch', trust: GatewayTrust, brokers: string[], brokerPid?: number): Promise<Row> {
  const transport = row === 'embedded' ? 'embedded' : 'kafka';
  const dir = mkdtempSync(join(tmpdir(), `gccgw-bench-events-${row}-`));
  const config = gatewayConfigSchema.parse({
    events: {
      transport,
      ...(transport === 'kafka' ? { kafka: { brokers, clientId: 'gccgw-bench' } } : {}),
      embedded: { dir: join(dir, 'log') },
      outbox: { dir: join(dir, 'outbox') },
      received: { dir: join(dir, 'received'), maxEvents: 1_000_000 },
      consumerGroup: `bench-${row}-${mode}-${Date.now()}`,
      signing: { mode },
      startAt: 'latest',
    },
  }).events;
  const events = await startGatewayEvents({ config, trust, logger: pino({ level: 'silent' }), subscriberQueueMax: 1_000_000 });
  try {
    // Warm-up: the first event validates the gateway's chain (OCSP) and, for Kafka, joins the group.
    const warm = consume(events, 1, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, transport === 'kafka' ? 3_000 : 200));
    await events.publishAsGateway(provisioningEvent());
    await warm;

    // 1. Throughput.
    const all = consume(events, EVENTS, () => undefined);
    const mainCpu = mainThreadCpuMicros();
    const brokerCpu = brokerPid !== undefined ? processCpuMicros(brokerPid) : Number.NaN;
    const cpu = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < EVENTS) await events.publishAsGateway(provisioningEvent());
      }),
    );
    await all;
    const perSecond = EVENTS / ((performance.now() - started) / 1000);
    const mainMicrosPerEvent = (mainThreadCpuMicros() - mainCpu) / EVENTS;
    const cpuUsed = process.cpuUsage(cpu);
    const cpuMicrosPerEvent = (cpuUsed.user + cpuUsed.system) / EVENTS;
    const brokerMicrosPerEvent = brokerPid !== undefined ? (processCpuMicros(brokerPid) - brokerCpu) / EVENTS : undefined;

    // 2. Latency at a fixed offered rate.
    const total = Math.round(RATE * SECONDS);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const paced = consume(events, total, (subject) => {
      const at = sentAt.get(subject);
      if (at !== undefined) latencies.push(performance.now() - at);
    });
    const begin = performance.now();
    const inFlight: Array<Promise<unknown>> = [];
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const event = provisioningEvent();
      sentAt.set(event.subject, performance.now());
      inFlight.push(events.publishAsGateway(event));
    }
    await Promise.all(inFlight);
    await paced;
    const achieved = total / ((performance.now() - begin) / 1000);
    latencies.sort((x, y) => x - y);
    return { transport: row, mode, perSecond, offered: RATE, achieved, p50: percentile(latencies, 50), p99: percentile(latencies, 99), mainMicrosPerEvent, cpuMicrosPerEvent, ...(brokerMicrosPerEvent !== undefined ? { brokerMicrosPerEvent } : {}) };
  } finally {
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pkiDir = mkdtempSync(join(tmpdir(), 'gccgw-bench-events-pki-'));
  const pki = await loadDemoPki(await initDemoPki({ dir: join(pkiDir, 'pki') }));
  const services = await startDemoTrustServices(pki);
  const broker = TRANSPORTS.includes('kafka') ? await startKafkaTestBroker({ defaultPartitions: 3 }) : undefined;
  const childBroker = TRANSPORTS.includes('kafka-child') ? await startBrokerProcess() : undefined;
  try {
    const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root] });
    await holder.load(pki.signedTrustList);
    const revocation = new RevocationChecker({ fetch: globalFetch, ocspUrlsFor: () => services.ocspUrlsFor(), crlUrlsFor: (c) => services.crlUrlsFor(c) });
    const chainCache = new ValidatedChainCache();
    // As the gateway's trust context (gateway/access/start-gateway-trust.ts): known signers checked on the thread pool.
    const signatureTrust: SignatureTrust = { trustList: () => holder.current(), revocation, chainCache, offloadSignatureChecks: true };
    const gateway = pki.states.QA.gateway!.signing;
    const trust: GatewayTrust = {
      holder,
      revocation,
      signatureTrust,
      signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain },
      gatewayClientId: gateway.clientId,
      refreshRevocation: () => {
        revocation.clearCaches();
        chainCache.clear();
      },
    };
    const load = loadavg()[0]?.toFixed(2);
    const rows: Row[] = [];
    for (const transport of TRANSPORTS) for (const mode of MODES) rows.push(await measure(transport, mode, trust, (transport === 'kafka-child' ? childBroker?.brokers : broker?.brokers) ?? [], transport === 'kafka-child' ? childBroker?.pid : undefined));
    console.log(`events end to end (sign, outbox with fsync, transport, verify, schema, dedupe, store, deliver): ${EVENTS} events by ${CONCURRENCY} producers; then ${RATE}/s offered for ${SECONDS} s`);
    console.log(`${cpus().length} cores, node ${process.version}, load average ${load} at start, ${loadavg()[0]?.toFixed(2)} at end`);
    console.log(`${'transport'.padEnd(34)} ${'signing'.padEnd(8)} ${'events/s'.padStart(9)} ${'target'.padStart(7)} ${'ratio'.padStart(6)} ${'offered/s'.padStart(10)} ${'achieved/s'.padStart(11)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'main µs/ev'.padStart(10)} ${'cpu µs/ev'.padStart(9)}`);
    for (const row of rows) {
      const name = row.transport === 'kafka' ? 'kafka (kafkajs, test broker, TCP)' : row.transport === 'kafka-child' ? 'kafka (broker in a child process)' : 'embedded (durable local log)';
      const target = TARGET_PER_SECOND[row.mode];
      console.log(
        `${name.padEnd(34)} ${row.mode.padEnd(8)} ${Math.round(row.perSecond).toString().padStart(9)} ${target.toString().padStart(7)} ${`${(row.perSecond / target).toFixed(2)}x`.padStart(6)} ${row.offered.toString().padStart(10)} ${Math.round(row.achieved).toString().padStart(11)} ${row.p50.toFixed(1).padStart(8)} ${row.p99.toFixed(1).padStart(8)} ${row.mainMicrosPerEvent.toFixed(0).padStart(10)} ${row.cpuMicrosPerEvent.toFixed(0).padStart(9)}`,
      );
    }
    if (TRANSPORTS.some((t) => t !== 'embedded')) console.log(`kafkajs produce encoding: ${kafkajsFastEncoding.applied ? 'the faster modules (kafkajs-fast-encoding.ts)' : `kafkajs's own (${kafkajsFastEncoding.reason ?? ''})`}`);
    for (const row of rows) {
      if (row.brokerMicrosPerEvent !== undefined) console.log(`kafka (broker in a child process), ${row.mode}: the broker process used ${row.brokerMicrosPerEvent.toFixed(0)} µs of CPU per event besides`);
    }
    reportComponentResult({
      figures: rows.flatMap((row): ComponentFigure[] => {
        const name = `${row.transport === 'embedded' ? 'embedded' : row.transport === 'kafka' ? 'Kafka (broker in-process)' : 'Kafka (broker in a child process)'}, ${row.mode === 'event' ? 'a signature per event' : 'batch-signed'}`;
        return [
          { label: `${name}: throughput`, value: row.perSecond, unit: 'events/s', target: TARGET_PER_SECOND[row.mode] },
          { label: `${name}: p50 at ${row.offered}/s offered`, value: row.p50, unit: 'ms', higherIsBetter: false },
          { label: `${name}: p99 at ${row.offered}/s offered`, value: row.p99, unit: 'ms', higherIsBetter: false },
          { label: `${name}: rate achieved at ${row.offered}/s offered`, value: row.achieved, unit: 'events/s' },
          { label: `${name}: event-loop CPU per event`, value: row.mainMicrosPerEvent, unit: 'µs', higherIsBetter: false },
          { label: `${name}: process CPU per event`, value: row.cpuMicrosPerEvent, unit: 'µs', higherIsBetter: false },
          ...(row.brokerMicrosPerEvent !== undefined ? [{ label: `${name}: broker process CPU per event`, value: row.brokerMicrosPerEvent, unit: 'µs', higherIsBetter: false }] : []),
        ];
      }),
      notes: [`${EVENTS} events by ${CONCURRENCY} producers, then ${RATE}/s offered for ${SECONDS} s`, `load average ${load ?? '?'} at start, ${loadavg()[0]?.toFixed(2) ?? '?'} at end`],
    });
  } finally {
    await broker?.close();
    await childBroker?.close();
    await services.close();
    rmSync(pkiDir, { recursive: true, force: true });
  }
}

/** The test broker in a child process (kafka-broker-process.ts): its bootstrap list, and how to stop it. */
async function startBrokerProcess(): Promise<{ readonly brokers: string[]; readonly pid: number | undefined; close(): Promise<void> }> {
  const child = fork(new URL('./kafka-broker-process.js', import.meta.url), ['3'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const [ready] = (await Promise.race([once(child, 'message'), exited.then(([code]) => Promise.reject(new Error(`the broker process exited (${String(code)})`)))])) as [{ brokers: string[] }];
  return {
    brokers: ready.brokers,
    pid: child.pid,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

await main();
