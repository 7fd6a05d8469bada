import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLExchangeRecord } from '../../gateway/audit/audit-record.js';
import { EvidenceLog, listSegments } from '../../gateway/audit/evidence-log.js';
import { SubjectHasher } from '../../gateway/audit/subject-hasher.js';
import { packageRoot } from '../../schemas/schema-files.js';
import { initDemoPki } from '../../trust/index.js';
import { cachedTestKey } from '../../trust/testing/cached-keys.js';

/** The operator's retention workflow through `gccgw audit retain | verify | who-accessed | tail`, on real files. */
const BIN = join(packageRoot(), 'bin', 'gccgw.js');
const NATIONAL_ID = '28763400123';

describe('gccgw audit retain', () => {
  let root: string;
  let pkiDir: string;
  let logDir: string;
  let archiveDir: string;
  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    // Run from the temp root, so no gateway.config.yaml of the checkout is picked up.
    const result = spawnSync(process.execPath, [BIN, 'audit', ...args], { encoding: 'utf8', timeout: 60_000, cwd: root, env: { ...process.env, GCCGW_CONFIG: '' } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const retain = (extra: string[] = []): ReturnType<typeof run> => run(['retain', '--dir', logDir, '--keep-segments', '4', '--archive-dir', archiveDir, '--pki', pkiDir, ...extra]);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'gccgw-retain-cli-'));
    pkiDir = join(root, 'pki');
    logDir = join(root, 'audit');
    archiveDir = join(root, 'archive');
    await initDemoPki({ dir: pkiDir, generateKey: cachedTestKey });
    const subject = SubjectHasher.forLog(logDir).hash('nationalId', NATIONAL_ID);
    const log = EvidenceLog.open({ dir: logDir, segmentMaxBytes: 4096 });
    for (let i = 0; i < 100; i++) {
      const record: GraphQLExchangeRecord = {
        type: 'graphql.exchange',
        requestId: `req-${i}`,
        clientId: 'GCC:SA:GOV:GOSI:pensions',
        authenticatedBy: 'mtls',
        purpose: 'pension-eligibility',
        operationName: `Employment${i}`,
        operationType: 'query',
        operationHash: null,
        variablesHash: null,
        fields: [{ coordinate: 'Employee.nationalId', sensitivity: 'PERSONAL' }],
        // Every tenth exchange looked this person up.
        subjects: i % 10 === 0 ? [subject] : [],
        subgraphs: ['mawared'],
        requestSignature: null,
        requestHash: null,
        responseSignature: null,
        responseHash: null,
        startedAt: new Date().toISOString(),
        durationMillis: 4,
        outcome: 'success',
        errorCodes: [],
      };
      await log.append(record);
    }
    await log.close();
  }, 60_000);
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('says what it would do with --dry-run and changes nothing', () => {
    const before = listSegments(logDir).map((s) => s.number);
    const result = retain(['--dry-run']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`segments 1 to ${before.length - 4} \\(records #1 to #\\d+, .*\\): ARCHIVE: past the limit`));
    expect(result.stdout).toMatch(/KEEP: among the newest 4 segments/);
    expect(listSegments(logDir).map((s) => s.number)).toEqual(before);
  });

  it('refuses while the log is in use, naming the running gateway', () => {
    writeFileSync(join(logDir, 'LOCK'), '1');
    try {
      const result = retain();
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('in use by a running gateway, which applies audit.retention itself');
    } finally {
      unlinkSync(join(logDir, 'LOCK'));
    }
  });

  it('archives, records and removes; verify proves the rest from the retention record; who-accessed says what is only in archives', () => {
    const total = listSegments(logDir).length;
    const result = retain();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const archive = readdirSync(archiveDir)[0]!;
    expect(result.stdout).toContain(`archived segments 1 to ${total - 4} as ${archive}`);
    const recorded = /recorded the removal of segments 1 to \d+ \(records #1 to #(\d+)\) as retention record #(\d+)/.exec(result.stdout);
    expect(recorded).not.toBeNull();
    const [lastRemoved, recordSeq] = [Number(recorded![1]), Number(recorded![2])];
    expect(result.stdout).toContain(`done: the log now starts at record #${lastRemoved + 1} (segment ${total - 3})`);

    const verified = run(['verify', '--dir', logDir, '--pki', pkiDir, '--archive-dir', archiveDir]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(
      new RegExp(`^OK: \\d+ records in \\d+ segment\\(s\\); chain starts at #${lastRemoved + 1} \\(segment ${total - 3}\\), anchored by retention record #${recordSeq}, signed by GCC:QA:GOV:GCCGW:gateway: records #1 to #${lastRemoved} .* held by archive ${archive.replace('.', '\\.')} \\(sha256 [0-9a-f]{16}…\\)`),
    );

    const who = run(['who-accessed', NATIONAL_ID, '--dir', logDir]);
    expect(who.status).toBe(0);
    expect(who.stdout).toContain(`Note: records #1 to #${lastRemoved}`);
    expect(who.stdout).toContain(`removed by retention (record #${recordSeq}); accesses in that period are only in archives (${archive}`);
    const inLog = who.stdout.split('\n').filter((l) => l.includes('GCC:SA:GOV:GOSI:pensions'));
    expect(inLog.length).toBe(Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 === 0 && i + 1 > lastRemoved).length);
    const withArchive = run(['who-accessed', NATIONAL_ID, '--dir', logDir, '--archive', join(archiveDir, archive)]);
    expect(withArchive.stdout).not.toContain('Note:');
    expect(withArchive.stdout.split('\n').filter((l) => l.includes('GCC:SA:GOV:GOSI:pensions'))).toHaveLength(10);

    expect(run(['tail', '--dir', logDir, '-n', '1']).stdout).toContain(`#${recordSeq} `);
  });

  it('fails verification when an archive a retention record names is gone, or a kept segment is deleted by hand', () => {
    const elsewhere = join(root, 'moved');
    mkdirSync(elsewhere);
    const missing = run(['verify', '--dir', logDir, '--pki', pkiDir, '--archive-dir', elsewhere]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/BROKEN: archive evidence-.*\.json named by retention record #\d+ is not in/);

    const copy = join(root, 'tampered');
    cpSync(logDir, copy, { recursive: true });
    const segments = listSegments(copy);
    unlinkSync(segments[1]!.path);
    const broken = run(['verify', '--dir', copy, '--pki', pkiDir]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(new RegExp(`^BROKEN: segment ${segments[1]!.number} is missing \\(records #\\d+ to #\\d+\\) between segment ${segments[0]!.number} and segment ${segments[2]!.number}, and no retention record accounts for them`));
  });

  it('cannot prove a cut log without the trust list', () => {
    const result = run(['verify', '--dir', logDir, '--pki', join(root, 'no-such-pki')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('signatures cannot be checked without the signed trust list');
  });
});
