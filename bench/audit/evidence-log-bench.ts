/**
 * Evidence-log throughput: appends per second in each durability mode (with concurrent appenders,
 * as concurrent requests produce them), and verification rate. Prints figures and the ratio to the
 * targets of the evidence-log issue (>= 20,000 records/s in batch mode, verification >= 200,000/s).
 *
 * Verification is measured as `gccgw audit verify` runs it, on one pass in this process (the CLI's
 * own start-up is not counted): `verifyLog` on the batch log, and `proveLog` with checkpoints plus
 * `verifySeenCheckpoints` (`--checkpoints`) on a log with a signed, timestamped checkpoint every
 * 10,000 records (the scheduler's default), made with the demo PKI and its TSA on 127.0.0.1.
 *
 *   npm run build && node dist/bench/audit/evidence-log-bench.js [records]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFetch, startDemoEnvironment } from '../../trust/testing/demo-environment.js';
import { ValidatedChainCache } from '../../trust/index.js';
import type { AuditRecordBody } from '../../gateway/audit/audit-record.js';
import { trustCheckpointSigner, verifySeenCheckpoints } from '../../gateway/audit/checkpoint.js';
import { EvidenceLog, type Durability } from '../../gateway/audit/evidence-log.js';
import { proveLog, verifyLog } from '../../gateway/audit/verify-log.js';
import { reportComponentResult } from '../component-result.js';

const RECORDS = Number(process.argv[2] ?? '50000');
const CONCURRENCY = 64;

/** A record shaped like a real GraphQL exchange record (~600 bytes). */
function exchange(n: number): AuditRecordBody {
  return {
    type: 'graphql.exchange',
    requestId: `bench-${n}`,
    clientId: 'GCC:SA:GOV:MHRSD:pension',
    authenticatedBy: 'mtls',
    purpose: 'PENSION_VERIFICATION',
    operationName: 'VerifyEmployment',
    operationType: 'query',
    operationHash: 'a'.repeat(64),
    variablesHash: 'b'.repeat(64),
    fields: [
      { coordinate: 'Query.verifyEmployment', sensitivity: 'PERSONAL' },
      { coordinate: 'EmploymentVerification.salaryBand', sensitivity: 'FINANCIAL' },
    ],
    subjects: [`hmac-sha256:${'c'.repeat(64)}`],
    subgraphs: ['mawared'],
    requestSignature: null,
    requestHash: null,
    responseSignature: null,
    responseHash: null,
    startedAt: new Date().toISOString(),
    durationMillis: 3.2,
    outcome: 'success',
    errorCodes: [],
  };
}

async function appendRate(durability: Durability): Promise<{ perSecond: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `gccgw-bench-audit-${durability}-`));
  const log = EvidenceLog.open({ dir, durability });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RECORDS) {
        next += 1;
        await log.append(exchange(next));
      }
    }),
  );
  await log.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await log.close();
  return { perSecond: RECORDS / seconds, dir };
}

/** Wall-clock and CPU seconds (this process, user + system) that `work` takes. */
async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

const loadAtStart = loadavg()[0]!;
/** Name, records/s (wall clock), target, and for verification records per CPU second (steadier on a shared machine). */
const rows: Array<[string, number, number | undefined, number?]> = [];
const sync = await appendRate('sync');
rows.push(['append, sync durability (records/s)', sync.perSecond, undefined]);
rmSync(sync.dir, { recursive: true, force: true });
const batch = await appendRate('batch');
rows.push(['append, batch durability (records/s)', batch.perSecond, 20_000]);
const chain = await timed(() => verifyLog(batch.dir));
if (!chain.value.ok) throw new Error(`verification failed: ${JSON.stringify(chain.value.problem)}`);
rows.push(['verify (records/s)', chain.value.records / chain.seconds, 200_000, chain.value.records / chain.cpuSeconds]);
rmSync(batch.dir, { recursive: true, force: true });

// The same records with a signed, timestamped checkpoint after every 10,000.
const env = await startDemoEnvironment();
const checkpointed = mkdtempSync(join(tmpdir(), 'gccgw-bench-audit-checkpoints-'));
try {
  const gateway = env.pki.states.QA.gateway!.signing;
  const signer = trustCheckpointSigner({
    signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain, clock: env.clock },
    tsa: { url: env.services.tsa!.url, fetch: nodeFetch, trustList: () => env.holder.current() },
  });
  const log = EvidenceLog.open({ dir: checkpointed, durability: 'batch', now: () => env.clock.now() });
  for (let n = 1; n <= RECORDS; n++) {
    void log.append(exchange(n));
    if (n % 10_000 === 0 || n === RECORDS) await log.checkpoint(signer);
  }
  await log.close();
  // As the CLI judges evidence: at signing time, with the trust list's status history.
  // As `gccgw audit verify --checkpoints` builds it (gateway/cli/commands/audit-command.ts).
  const trust = { trustList: () => env.holder.current(), revocation: 'none' as const, chainCache: new ValidatedChainCache() };
  const proved = await timed(async () => {
    const { report, checkpoints } = proveLog(checkpointed, { checkpoints: true });
    return { report, checkpoints: await verifySeenCheckpoints(checkpoints, trust) };
  });
  const { report, checkpoints } = proved.value;
  if (!report.ok || !checkpoints.ok || checkpoints.timestamped !== checkpoints.checkpoints) {
    throw new Error(`verification with checkpoints failed: ${JSON.stringify(report.problem ?? checkpoints.problem ?? checkpoints)}`);
  }
  rows.push([`verify with ${checkpoints.checkpoints} signed checkpoints (records/s)`, report.records / proved.seconds, 200_000, report.records / proved.cpuSeconds]);
} finally {
  rmSync(checkpointed, { recursive: true, force: true });
  await env.close();
}

const loadAtEnd = loadavg()[0]!;
const node = process.version;
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`evidence log, ${RECORDS} records, ${CONCURRENCY} concurrent appenders, ${cpus().length} cores (${cpu}), node ${node}, load average ${loadAtStart.toFixed(2)} -> ${loadAtEnd.toFixed(2)}`);
for (const [name, value, target, perCpuSecond] of rows) {
  const ratio = target !== undefined ? `   target ${target}  ratio ${(value / target).toFixed(2)}x` : '';
  const cpu = perCpuSecond !== undefined ? `   (${Math.round(perCpuSecond)} per CPU second)` : '';
  console.log(`${name.padEnd(50)} ${Math.round(value).toString().padStart(10)}${ratio}${cpu}`);
}
reportComponentResult({
  figures: rows.flatMap(([name, value, target, perCpuSecond]) => {
    const label = name.replace(/ \(records\/s\)$/, '');
    return [
      { label, value, unit: 'records/s', ...(target !== undefined ? { target } : {}) },
      ...(perCpuSecond !== undefined ? [{ label: `${label}, per CPU second`, value: perCpuSecond, unit: 'records/CPU s' }] : []),
    ];
  }),
  notes: [`${RECORDS} records of about 1 KB, ${CONCURRENCY} concurrent appenders`, `load average ${loadAtStart.toFixed(2)} -> ${loadAtEnd.toFixed(2)}`],
});
