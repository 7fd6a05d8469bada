import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { keyPairFromPem, parseCertificate, pemToDerList, readDemoPkiManifest, type SignatureTrust, type Signer } from '../../../trust/index.js';
import { verifyCheckpoints } from '../../audit/checkpoint.js';
import { exportArchive, verifyArchive, type EvidenceArchive } from '../../audit/evidence-archive.js';
import { listSegments } from '../../audit/evidence-log.js';
import { decodeRecord } from '../../audit/record-codec.js';
import { verifyLog } from '../../audit/verify-log.js';
import { whoAccessed } from '../../audit/who-accessed.js';
import { loadConfig } from '../../config/load-config.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import { loadTrustList, withTrustListOptions, type TrustListFlags } from './trust-material.js';

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

  withTrustListOptions(
    audit
      .command('verify')
      .description(
        'Prove the hash chain: every record intact, linked to the one before, nothing missing, inserted or reordered; with --checkpoints also the signed checkpoints and their timestamps. Exit 1 and name the first bad record otherwise.',
      )
      .option('--dir <dir>', 'evidence log directory (default: audit.dir of the configuration, var/audit)')
      .option('-c, --config <file>', 'configuration file to take audit.dir from')
      .option('--archive <file>', 'verify an exported archive instead of a log directory (signature, segment hashes, chain, checkpoints)')
      .option('--checkpoints', 'also verify checkpoint signatures and timestamps against the trust list'),
  ).action(async (flags: DirFlags & TrustListFlags & { archive?: string; checkpoints?: boolean }) => {
    try {
      const trust = async (): Promise<SignatureTrust> => {
        const trustList = await loadTrustList(flags, new Date());
        // Evidence is judged at its signing time; the trust list's status history applies, not today's revocation state.
        return { trustList: () => trustList, revocation: 'none' };
      };
      if (flags.archive !== undefined) {
        const archive = JSON.parse(readFileSync(flags.archive, 'utf8')) as EvidenceArchive;
        const report = await verifyArchive(archive, await trust());
        if (flags.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else if (report.ok) {
          process.stdout.write(`OK: archive signed by ${report.signer}; records ${archive.previous.seq + 1} to ${archive.head.seq} in ${archive.segments.length} segment(s); ${report.checkpoints?.checkpoints ?? 0} checkpoint(s), ${report.checkpoints?.timestamped ?? 0} timestamped\n`);
        } else process.stdout.write(`BROKEN: ${report.problem}\n`);
        if (!report.ok) process.exitCode = 1;
        return;
      }
      const dir = auditDir(flags);
      const report = verifyLog(dir);
      const checkpoints = report.ok && flags.checkpoints === true ? await verifyCheckpoints(dir, await trust()) : undefined;
      if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...report, checkpoints }, null, 2)}\n`);
      else if (!report.ok) {
        const p = report.problem;
        process.stdout.write(`BROKEN: ${p?.reason} at ${p?.segment} line ${p?.line} (expected record #${p?.expectedSeq}); ${report.records} records before it are intact\n`);
      } else if (checkpoints !== undefined && !checkpoints.ok) {
        process.stdout.write(`BROKEN: checkpoint at record #${checkpoints.problem?.seq}: ${checkpoints.problem?.reason}\n`);
      } else {
        const signed = checkpoints !== undefined ? `; ${checkpoints.checkpoints} signed checkpoint(s), ${checkpoints.timestamped} timestamped, by ${checkpoints.signers.join(', ') || 'nobody'}` : '';
        process.stdout.write(`OK: ${report.records} records in ${report.segments} segment(s); head #${report.head.seq} ${report.head.hash}${signed}\n`);
      }
      if (!report.ok || checkpoints?.ok === false) process.exitCode = 1;
    } catch (error) {
      fail(error);
    }
  });

  audit
    .command('archive')
    .description('Export closed segments with their checkpoints as one signed bundle that can be verified elsewhere (gccgw audit verify --archive).')
    .requiredOption('--from <segment>', 'first segment number')
    .requiredOption('--to <segment>', 'last segment number (the segment being written cannot be archived)')
    .requiredOption('-o, --out <file>', 'where to write the archive (JSON)')
    .option('--dir <dir>', 'evidence log directory (default: audit.dir of the configuration, var/audit)')
    .option('-c, --config <file>', 'configuration file to take audit.dir from')
    .option('--signing-key <pem>', "the gateway's signing key")
    .option('--signing-chain <pem>', "the gateway's signing certificate, then its issuers")
    .option('--pki <dir>', 'take the signing identity of a demo PKI instead', undefined)
    .option('--state <state>', 'member state of the demo PKI gateway', 'QA')
    .action(async (flags: DirFlags & { from: string; to: string; out: string; signingKey?: string; signingChain?: string; pki?: string; state: string }) => {
      try {
        let keyPath = flags.signingKey;
        let chainPath = flags.signingChain;
        if (flags.pki !== undefined) {
          const gateway = (await readDemoPkiManifest(flags.pki)).states[flags.state as 'QA']?.gateway;
          if (gateway === undefined) throw new Error(`the demo PKI has no gateway for ${flags.state}`);
          keyPath = gateway.signingKey;
          chainPath = gateway.signingChain;
        }
        if (keyPath === undefined || chainPath === undefined) throw new Error('give --signing-key and --signing-chain, or --pki');
        const signer: Signer = { privateKey: keyPairFromPem(readFileSync(keyPath, 'utf8')).privateKey, certificates: pemToDerList(readFileSync(chainPath, 'utf8')).map(parseCertificate) };
        const archive = await exportArchive(auditDir(flags), { from: Number(flags.from), to: Number(flags.to), signer });
        writeFileSync(flags.out, `${JSON.stringify(archive)}\n`, { mode: 0o600 });
        process.stdout.write(`wrote ${flags.out}: records ${archive.previous.seq + 1} to ${archive.head.seq} in ${archive.segments.length} segment(s)\n`);
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
