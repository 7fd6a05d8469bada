import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { listSegments } from '../../audit/evidence-log.js';
import { decodeRecord } from '../../audit/record-codec.js';
import { verifyLog } from '../../audit/verify-log.js';
import { whoAccessed } from '../../audit/who-accessed.js';
import { loadConfig } from '../../config/load-config.js';
import { isGatewayError } from '../../errors/gateway-error.js';

interface DirFlags {
  dir?: string;
  config?: string;
  json?: boolean;
}

function auditDir(flags: DirFlags): string {
  return flags.dir ?? loadConfig({ file: flags.config }).config.audit.dir;
}

function fail(error: unknown): void {
  process.stderr.write(`gccgw audit: ${isGatewayError(error) ? `[${error.code}] ` : ''}${(error as Error).message}\n`);
  process.exitCode = 1;
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('Read and prove the evidence log.');
  const withDir = (command: Command): Command =>
    command
      .option('--dir <dir>', 'evidence log directory (default: audit.dir of the configuration, var/audit)')
      .option('-c, --config <file>', 'configuration file to take audit.dir from')
      .option('--json', 'machine-readable output');

  withDir(audit.command('verify'))
    .description('Prove the hash chain: every record intact, linked to the one before, nothing missing, inserted or reordered. Exit 1 and name the first bad record otherwise.')
    .action((flags: DirFlags) => {
      try {
        const report = verifyLog(auditDir(flags));
        if (flags.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else if (report.ok) process.stdout.write(`OK: ${report.records} records in ${report.segments} segment(s); head #${report.head.seq} ${report.head.hash}\n`);
        else {
          const p = report.problem;
          process.stdout.write(`BROKEN: ${p?.reason} at ${p?.segment} line ${p?.line} (expected record #${p?.expectedSeq}); ${report.records} records before it are intact\n`);
        }
        if (!report.ok) process.exitCode = 1;
      } catch (error) {
        fail(error);
      }
    });

  withDir(audit.command('who-accessed'))
    .description("Which clients read a person's data, when, for what purpose and which fields (the citizen-transparency answer).")
    .argument('<subject>', 'the identifier, e.g. a national ID')
    .option('--kind <argument>', 'the argument name the identifier is passed as', 'nationalId')
    .option('--since <time>', 'only accesses at or after this time (ISO 8601)')
    .action((subject: string, flags: DirFlags & { kind: string; since?: string }) => {
      try {
        const since = flags.since !== undefined ? new Date(flags.since) : undefined;
        if (since !== undefined && Number.isNaN(since.getTime())) throw new Error(`--since is not a time: ${flags.since}`);
        const entries = whoAccessed(auditDir(flags), { kind: flags.kind, value: subject }, since !== undefined ? { since } : {});
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
          return;
        }
        if (entries.length === 0) {
          process.stdout.write('No recorded access.\n');
          return;
        }
        for (const e of entries) {
          const fields = e.fields.filter((f) => f.sensitivity === 'PERSONAL' || f.sensitivity === 'FINANCIAL').map((f) => f.coordinate);
          process.stdout.write(`${e.time}  ${e.clientId ?? '(unknown client)'}  purpose=${e.purpose ?? '-'}  ${e.operationName ?? '(anonymous)'}  ${e.outcome}  ${fields.join(', ')}  [${e.requestId}]\n`);
        }
      } catch (error) {
        fail(error);
      }
    });

  withDir(audit.command('tail'))
    .description('Print the last records of the log.')
    .option('-n, --lines <count>', 'how many records', '20')
    .action((flags: DirFlags & { lines: string }) => {
      try {
        const wanted = Math.max(1, Math.min(10_000, Number(flags.lines) || 20));
        const lines: string[] = [];
        for (const segment of listSegments(auditDir(flags)).reverse()) {
          const text = readFileSync(segment.path, 'utf8').trimEnd();
          if (text === '') continue;
          lines.unshift(...text.split('\n'));
          if (lines.length >= wanted) break;
        }
        for (const line of lines.slice(-wanted)) {
          if (flags.json === true) {
            process.stdout.write(`${line}\n`);
            continue;
          }
          const record = decodeRecord(line);
          const body = record.body as { type: string; clientId?: string; operationName?: string; outcome?: string; errorCodes?: string[] };
          process.stdout.write(`#${record.seq} ${record.time} ${body.type} ${body.clientId ?? ''} ${body.operationName ?? ''} ${body.outcome ?? ''} ${(body.errorCodes ?? []).join(',')}\n`);
        }
      } catch (error) {
        fail(error);
      }
    });
}
