import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { keyPairFromPem, parseCertificate, pemToDerList, readDemoPkiManifest, ValidatedChainCache, type SignatureTrust, type Signer } from '../../../trust/index.js';
import { verifySeenCheckpoints } from '../../audit/checkpoint.js';
import { exportArchive, verifyArchive, type EvidenceArchive } from '../../audit/evidence-archive.js';
import { EvidenceLog, listSegments } from '../../audit/evidence-log.js';
import { EvidenceRetention, type RetentionPlan, type RetentionPolicy, type RetentionProgress, type SegmentVerdict } from '../../audit/evidence-retention.js';
import { decodeRecord } from '../../audit/record-codec.js';
import { coveringArchives, isRetentionBody } from '../../audit/retention-record.js';
import { proveLog, type VerifyReport } from '../../audit/verify-log.js';
import { checkRetentionArchives, verifyRetentionSignatures, type RetentionSignatureReport } from '../../audit/verify-retention.js';
import { whoAccessedInArchive, whoAccessedReport, type AccessEntry } from '../../audit/who-accessed.js';
import type { GatewayConfig } from '../../config/gateway-config.js';
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
        'Prove the hash chain: every record intact, linked to the one before, nothing missing, inserted or reordered; after retention, from the first record kept, anchored by the signed retention record; with --checkpoints also the signed checkpoints and their timestamps. Exit 1 and name the first bad record otherwise.',
      )
      .option('--dir <dir>', 'evidence log directory (default: audit.dir of the configuration, var/audit)')
      .option('-c, --config <file>', 'configuration file to take audit.dir from')
      .option('--archive <file>', 'verify an exported archive instead of a log directory (signature, segment hashes, chain, checkpoints)')
      .option('--checkpoints', 'also verify checkpoint signatures and timestamps against the trust list')
      .option('--archive-dir <dir>', 'also check that the archives named by retention records are in this directory, unchanged'),
  ).action(async (flags: DirFlags & TrustListFlags & { archive?: string; checkpoints?: boolean; archiveDir?: string }) => {
    try {
      let loaded: SignatureTrust | undefined;
      const trust = async (): Promise<SignatureTrust> => {
        try {
          const trustList = await loadTrustList(flags, new Date());
          // Evidence is judged at its signing time; the trust list's status history applies, not today's revocation state.
          // One cache for the whole run: a log's checkpoints are signed by few keys, so each chain is
          // parsed and its signature accepted by jose once; the path is still validated at each signing time.
          loaded ??= { trustList: () => trustList, revocation: 'none', chainCache: new ValidatedChainCache() };
          return loaded;
        } catch (error) {
          throw new Error(`signatures cannot be checked without the signed trust list (--pki, or --trust-list and --anchor): ${(error as Error).message}`, { cause: error });
        }
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
      // One pass over the log proves the chain and, with --checkpoints, finds the checkpoints to verify.
      const { report, checkpoints: seen } = proveLog(dir, { checkpoints: flags.checkpoints === true });
      // A log cut by retention is proved from its retention records, whose signatures need the trust list.
      const retentions = report.ok && (report.retentions?.length ?? 0) > 0 ? await verifyRetentionSignatures(report.retentions ?? [], await trust()) : undefined;
      const checkpoints = report.ok && retentions?.ok !== false && flags.checkpoints === true ? await verifySeenCheckpoints(seen, await trust()) : undefined;
      const archives = report.ok && flags.archiveDir !== undefined ? checkRetentionArchives(report.retentions ?? [], flags.archiveDir) : undefined;
      const archivesOk = archives === undefined || archives.every((a) => a.state === 'present');
      const ok = report.ok && retentions?.ok !== false && checkpoints?.ok !== false && archivesOk;
      if (flags.json === true) process.stdout.write(`${JSON.stringify({ ...report, ok, retentionSignatures: retentions, checkpoints, archives }, null, 2)}\n`);
      else if (!report.ok) {
        const p = report.problem;
        process.stdout.write(`BROKEN: ${p?.reason} at ${p?.segment} line ${p?.line} (expected record #${p?.expectedSeq}); ${report.records} records before it are intact\n`);
      } else if (retentions !== undefined && !retentions.ok) {
        process.stdout.write(`BROKEN: retention record #${retentions.problem?.seq}: ${retentions.problem?.reason}\n`);
      } else if (checkpoints !== undefined && !checkpoints.ok) {
        process.stdout.write(`BROKEN: checkpoint at record #${checkpoints.problem?.seq}: ${checkpoints.problem?.reason}\n`);
      } else {
        const signed = checkpoints !== undefined ? `; ${checkpoints.checkpoints} signed checkpoint(s), ${checkpoints.timestamped} timestamped, by ${checkpoints.signers.join(', ') || 'nobody'}` : '';
        process.stdout.write(`OK: ${report.records} records in ${report.segments} segment(s); ${describeStart(report, retentions)}; head #${report.head.seq} ${report.head.hash}${signed}\n`);
        for (const part of report.removed ?? []) if (!part.atStart) process.stdout.write(`  note: segments ${part.fromSegment} to ${part.toSegment} are being removed by retention record #${part.retention.seq} (interrupted; the next retention pass finishes it)\n`);
        for (const a of archives ?? []) if (a.state !== 'present') process.stdout.write(`BROKEN: archive ${a.file} named by retention record #${a.retentionSeq} is ${a.state === 'missing' ? 'not' : 'not the same file'} in ${flags.archiveDir}\n`);
      }
      if (!ok) process.exitCode = 1;
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
    .description("Which clients read a person's data, when, for what purpose and which fields (the citizen-transparency answer). After retention, says which period is only in archives; --archive searches those too.")
    .argument('<subject>', 'the identifier, e.g. a national ID')
    .option('--kind <argument>', 'the argument name the identifier is passed as', 'nationalId')
    .option('--since <time>', 'only accesses at or after this time (ISO 8601)')
    .option('--archive <files...>', 'also search these archives (of this log: its subject key is used); verify them first with gccgw audit verify --archive')
    .action((subject: string, flags: DirFlags & { kind: string; since?: string; archive?: string[] }) => {
      try {
        const since = flags.since !== undefined ? new Date(flags.since) : undefined;
        if (since !== undefined && Number.isNaN(since.getTime())) throw new Error(`--since is not a time: ${flags.since}`);
        const dir = auditDir(flags);
        const target = { kind: flags.kind, value: subject };
        const options = since !== undefined ? { since } : {};
        const fromArchives: AccessEntry[] = [];
        for (const file of flags.archive ?? []) fromArchives.push(...whoAccessedInArchive(dir, JSON.parse(readFileSync(file, 'utf8')) as EvidenceArchive, target, options));
        const report = whoAccessedReport(dir, target, options);
        // An archive may overlap what is still in the log (archived before removal): one entry per record.
        const seen = new Set<number>();
        const entries = [...fromArchives, ...report.entries].filter((e) => !seen.has(e.seq) && seen.add(e.seq)).sort((a, b) => a.seq - b.seq);
        const only = report.onlyInArchives;
        const note =
          only !== undefined && (flags.archive ?? []).length === 0
            ? `Note: records #1 to #${only.untilSeq}${only.untilTime !== undefined ? ` (until ${only.untilTime})` : ''} are no longer in the log${only.retentionSeq !== undefined ? `: removed by retention (record #${only.retentionSeq})` : ''}; accesses in that period are only in archives${only.archives.length > 0 ? ` (${only.archives.join(', ')} and earlier ones)` : ''}. Search them with --archive <file>.\n`
            : '';
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
          process.stderr.write(note);
          return;
        }
        process.stdout.write(note);
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

  audit
    .command('retain')
    .description(
      'Apply audit.retention now: archive what is due (unless archives are written elsewhere), record the removal as a signed retention record in the chain, then remove the old closed segments. The running gateway does this itself every checkIntervalMillis; this command needs the log to be free (gateway stopped). --dry-run only says what would happen.',
    )
    .option('--dir <dir>', 'evidence log directory (default: audit.dir of the configuration, var/audit)')
    .option('-c, --config <file>', 'configuration file to take audit.dir, audit.retention and the trust material from')
    .option('--dry-run', 'change nothing: list the oldest segments and what retention would do with each')
    .option('--keep-days <days>', 'override audit.retention.keepDays')
    .option('--keep-segments <count>', 'override audit.retention.keepSegments')
    .option('--archive-dir <dir>', 'override audit.retention.archiveDir')
    .option('--signing-key <pem>', "the gateway's signing key (default: from the configuration's trust section)")
    .option('--signing-chain <pem>', "the gateway's signing certificate, then its issuers")
    .option('--pki <dir>', 'take the signing identity and the trust list from a demo PKI')
    .option('--state <state>', 'member state of the demo PKI gateway', 'QA')
    .option('--trust-list <file>', 'signed trust list, to verify archives (default: from the configuration)')
    .option('--anchor <pem>', 'pinned trust-list operator certificate')
    .option('--json', 'machine-readable output')
    .action(async (flags: RetainFlags) => {
      try {
        const { config } = loadConfig({ file: flags.config });
        const dir = flags.dir ?? config.audit.dir;
        const configured = config.audit.retention;
        const policy: RetentionPolicy = {
          keepDays: flags.keepDays !== undefined ? positive(flags.keepDays, '--keep-days') : flags.keepSegments !== undefined ? undefined : configured?.keepDays,
          keepSegments: flags.keepSegments !== undefined ? positive(flags.keepSegments, '--keep-segments') : flags.keepDays !== undefined ? undefined : configured?.keepSegments,
          requireArchive: configured?.requireArchive ?? true,
          writeArchives: configured?.writeArchives ?? true,
          archiveDir: flags.archiveDir ?? configured?.archiveDir ?? 'var/audit-archive',
        };
        if (policy.keepDays === undefined && policy.keepSegments === undefined) throw new Error('no retention limit: set audit.retention.keepDays or keepSegments in the configuration, or give --keep-days / --keep-segments');
        const trustList = await loadTrustList(trustListFlags(flags, config), new Date());
        const retention = new EvidenceRetention({
          dir,
          policy,
          signer: await loadRetentionSigner(flags, config),
          trust: { trustList: () => trustList, revocation: 'none' },
          onProgress: flags.json === true ? undefined : (event) => process.stdout.write(`${describeProgress(event)}\n`),
        });
        if (flags.dryRun === true) {
          const plan = await retention.plan();
          if (flags.json === true) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
          else printPlan(plan, policy);
          return;
        }
        const log = EvidenceLog.open({ dir });
        try {
          const outcome = await retention.apply(log);
          if (flags.json === true) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
          else if (outcome.removals.length === 0) {
            printPlan(outcome.plan, policy);
            process.stdout.write(`nothing removed${outcome.finished !== undefined ? ' (beyond the interrupted removal finished above)' : ''}\n`);
          }
        } finally {
          await log.close();
        }
      } catch (error) {
        if (isGatewayError(error) && error.code === 'ERR_AUDIT_UNAVAILABLE' && /in use by process/.test(error.message)) {
          process.stderr.write('gccgw audit: the log is in use by a running gateway, which applies audit.retention itself every checkIntervalMillis (see its log); stop it to run retain by hand, or use --dry-run\n');
        }
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
          if (isRetentionBody(record.body)) {
            const r = record.body.removed;
            process.stdout.write(`#${record.seq} ${record.time} retention removed segments ${r.fromSegment} to ${r.toSegment} (records #${r.firstSeq} to #${r.lastSeq}) ${coveringArchives(record.body).map((a) => a.file).join(', ') || 'checkpoint'}\n`);
            continue;
          }
          const body = record.body as { type: string; clientId?: string; operationName?: string; outcome?: string; errorCodes?: string[] };
          process.stdout.write(`#${record.seq} ${record.time} ${body.type} ${body.clientId ?? ''} ${body.operationName ?? ''} ${body.outcome ?? ''} ${(body.errorCodes ?? []).join(',')}\n`);
        }
      } catch (error) {
        fail(error);
      }
    });
}

interface RetainFlags {
  dir?: string;
  config?: string;
  dryRun?: boolean;
  keepDays?: string;
  keepSegments?: string;
  archiveDir?: string;
  signingKey?: string;
  signingChain?: string;
  pki?: string;
  state: string;
  trustList?: string;
  anchor?: string;
  json?: boolean;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${flag} must be a positive number, not ${value}`);
  return n;
}

/** The signed trust list: from flags, a demo PKI, or the configuration's trust section. */
function trustListFlags(flags: RetainFlags, config: GatewayConfig): TrustListFlags {
  const pki = flags.pki ?? config.trust.pkiDir;
  if (flags.trustList !== undefined || flags.pki !== undefined || config.trust.mode === 'demo') {
    return { pki, ...(flags.trustList !== undefined ? { trustList: flags.trustList } : {}), ...(flags.anchor !== undefined ? { anchor: flags.anchor } : {}) };
  }
  return { pki, ...(config.trust.trustListFile !== undefined ? { trustList: config.trust.trustListFile } : {}), ...(config.trust.operatorAnchorFile !== undefined ? { anchor: config.trust.operatorAnchorFile } : {}) };
}

/** The gateway's signing identity (it signs retention records and archives): from flags, a demo PKI, or the configuration. */
async function loadRetentionSigner(flags: RetainFlags, config: GatewayConfig): Promise<Signer> {
  let keyPath = flags.signingKey;
  let chainPath = flags.signingChain;
  if (keyPath === undefined || chainPath === undefined) {
    if (flags.pki !== undefined || config.trust.mode === 'demo') {
      const pki = flags.pki ?? config.trust.pkiDir;
      const state = flags.pki !== undefined ? flags.state : config.trust.demoState;
      const manifest = await readDemoPkiManifest(pki);
      const gateway = manifest.states[state as 'QA']?.gateway;
      if (gateway === undefined) throw new Error(`the demo PKI in ${pki} has no gateway for ${state}`);
      keyPath = gateway.signingKey;
      chainPath = gateway.signingChain;
    } else {
      keyPath = config.trust.signingKeyFile ?? config.audit.checkpoints?.signingKeyFile;
      chainPath = config.trust.signingChainFile ?? config.audit.checkpoints?.signingChainFile;
    }
  }
  if (keyPath === undefined || chainPath === undefined) throw new Error('no signing identity: give --signing-key and --signing-chain, or --pki, or set trust.signingKeyFile and trust.signingChainFile');
  return { privateKey: keyPairFromPem(readFileSync(keyPath, 'utf8')).privateKey, certificates: pemToDerList(readFileSync(chainPath, 'utf8')).map(parseCertificate) };
}

/** "chain starts at #1 (genesis)" or where it starts after retention, and what anchors it. */
function describeStart(report: VerifyReport, signatures: RetentionSignatureReport | undefined): string {
  const cut = report.removed?.find((part) => part.atStart);
  if (cut === undefined) return 'chain starts at #1 (genesis)';
  const { body, seq } = cut.retention;
  const cover =
    body.coveredBy.kind === 'archive'
      ? coveringArchives(body)
          .map((a) => `archive ${a.file} (sha256 ${a.sha256.slice(0, 16)}…)`)
          .join(', ')
      : `checkpoint #${body.coveredBy.checkpointSeq} (vouching for #${body.coveredBy.checkpoint.upToSeq}${body.coveredBy.checkpoint.timestamp !== null ? `, timestamped ${body.coveredBy.checkpoint.timestamp.genTime}` : ''})`;
  const by = signatures !== undefined && signatures.signers.length > 0 ? `, signed by ${signatures.signers.join(', ')}` : '';
  return `chain starts at #${report.start?.seq} (segment ${report.start?.segment}), anchored by retention record #${seq}${by}: records #${cut.fromSeq} to #${cut.toSeq} (to ${body.removed.lastTime}) removed on ${body.decidedAt}, held by ${cover}`;
}

function describeProgress(event: RetentionProgress): string {
  switch (event.step) {
    case 'archived':
      return `archived segments ${event.fromSegment} to ${event.toSegment} as ${event.file}`;
    case 'recorded':
      return `recorded the removal of segments ${event.removed.fromSegment} to ${event.removed.toSegment} (records #${event.removed.firstSeq} to #${event.removed.lastSeq}) as retention record #${event.seq}`;
    case 'deleted':
      return `removed segment ${event.segment}`;
    case 'finished':
      return event.interrupted
        ? `finished the removal of segments ${event.removed.fromSegment} to ${event.removed.toSegment} that a crash interrupted (retention record #${event.seq})`
        : `done: the log now starts at record #${event.removed.lastSeq + 1} (segment ${event.removed.toSegment + 1})`;
  }
}

function printPlan(plan: RetentionPlan, policy: RetentionPolicy): void {
  const limits = [policy.keepDays !== undefined ? `keepDays ${policy.keepDays}` : '', policy.keepSegments !== undefined ? `keepSegments ${policy.keepSegments}` : ''].filter(Boolean).join(', ');
  process.stdout.write(`retention at ${plan.at}: ${limits}; ${policy.requireArchive === false ? 'requireArchive false (a signed checkpoint covers what goes)' : `archives in ${policy.archiveDir}`}\n`);
  if (plan.interrupted !== undefined) process.stdout.write(`  a removal of segments ${plan.interrupted.fromSegment} to ${plan.interrupted.toSegment} was interrupted; the next run finishes it first\n`);
  if (plan.segments.length === 0) process.stdout.write('  nothing to look at: the log has no closed segment that may go\n');
  // Consecutive segments with the same verdict, reason and archive on one line.
  const runs: SegmentVerdict[][] = [];
  for (const s of plan.segments) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    if (run !== undefined && last !== undefined && last.verdict === s.verdict && last.reason === s.reason && last.archive === s.archive && last.number + 1 === s.number) run.push(s);
    else runs.push([s]);
  }
  for (const run of runs) {
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const which = run.length === 1 ? `segment ${first.number}` : `segments ${first.number} to ${last.number}`;
    const span = first.firstSeq !== undefined && last.lastSeq !== undefined ? ` (records #${first.firstSeq} to #${last.lastSeq}, ${first.firstTime} to ${last.lastTime})` : '';
    process.stdout.write(`  ${which}${span}: ${first.verdict.toUpperCase()}: ${first.reason}${first.archive !== undefined ? ` (${first.archive})` : ''}\n`);
  }
  for (const a of plan.refusedArchives) process.stdout.write(`  archive ${a.file} refused: ${a.reason}\n`);
}
