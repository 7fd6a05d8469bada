/**
 * Evidence-log throughput: appends per second in each durability mode (with concurrent appenders,
 * as concurrent requests produce them), and verification rate. Prints figures and the ratio to the
 * targets of the evidence-log issue (>= 20,000 records/s in batch mode, verification >= 200,000/s).
 *
 *   npm run build && node dist/bench/audit/evidence-log-bench.js [records]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecordBody } from '../../gateway/audit/audit-record.js';
import { EvidenceLog, type Durability } from '../../gateway/audit/evidence-log.js';
import { verifyLog } from '../../gateway/audit/verify-log.js';

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

const rows: Array<[string, number, number | undefined]> = [];
const sync = await appendRate('sync');
rows.push(['append, sync durability (records/s)', sync.perSecond, undefined]);
rmSync(sync.dir, { recursive: true, force: true });
const batch = await appendRate('batch');
rows.push(['append, batch durability (records/s)', batch.perSecond, 20_000]);
const started = process.hrtime.bigint();
const report = verifyLog(batch.dir);
const verifySeconds = Number(process.hrtime.bigint() - started) / 1e9;
if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.problem)}`);
rows.push(['verify (records/s)', report.records / verifySeconds, 200_000]);
rmSync(batch.dir, { recursive: true, force: true });

console.log(`evidence log, ${RECORDS} records, ${CONCURRENCY} concurrent appenders, ${cpus().length} cores, node ${process.version}`);
for (const [name, value, target] of rows) {
  console.log(`${name.padEnd(42)} ${Math.round(value).toString().padStart(10)}${target !== undefined ? `   target ${target}  ratio ${(value / target).toFixed(2)}x` : ''}`);
}
