import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot, supergraphPath } from '../../schemas/schema-files.js';
import { classifySchemaChanges, readChangelogAcknowledgements } from '../../gateway/cli/commands/schema-command.js';

/** `gccgw schema diff` as CI runs it: the compiled CLI in a child process, judged by exit code. */
const BIN = join(packageRoot(), 'bin', 'gccgw.js');
const DIR = mkdtempSync(join(tmpdir(), 'gccgw-schema-diff-'));
const SUPERGRAPH = readFileSync(supergraphPath(), 'utf8');

function file(name: string, text: string): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

function diff(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, 'schema', 'diff', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function edit(from: string, to: string): string {
  expect(SUPERGRAPH).toContain(from);
  return SUPERGRAPH.replace(from, to);
}

const BASE = file('base.graphql', SUPERGRAPH);
// Breaking: a field's type changes (String! -> Int!).
const BREAKING = file('breaking.graphql', edit('  code: String! @sensitivity(level: PUBLIC)\n  """\n  The entity\'s tenants', '  code: Int! @sensitivity(level: PUBLIC)\n  """\n  The entity\'s tenants'));
// Dangerous: a new enum value (clients with exhaustive switches may break).
// (Every subgraph declares SensitivityLevel, so the value carries one @join__enumValue per subgraph.)
const FINANCIAL = /^ {2}FINANCIAL( @join__enumValue\(graph: [A-Z_]+\))+\n/m.exec(SUPERGRAPH)?.[0] ?? '(no FINANCIAL value)';
const DANGEROUS = file('dangerous.graphql', edit(FINANCIAL, `${FINANCIAL}${FINANCIAL.replace('FINANCIAL', 'SECRET')}`));
// Safe: a new nullable field.
const SAFE = file('safe.graphql', edit('  code: String! @sensitivity(level: PUBLIC)\n  """\n  The entity\'s tenants', '  code: String! @sensitivity(level: PUBLIC)\n  "Website / الموقع"\n  website: String @sensitivity(level: PUBLIC)\n  """\n  The entity\'s tenants'));

describe('gccgw schema diff', () => {
  it('finds no change between a supergraph and itself, nor when only a subgraph URL moves', () => {
    const moved = file('moved.graphql', SUPERGRAPH.replace('http://127.0.0.1:4101/graphql', 'https://mawared.example.gov.qa/graphql'));
    const result = diff(BASE, moved);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 change(s)');
  });

  it('exits 1 on a breaking change and names it', () => {
    const result = diff(BASE, BREAKING);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^BREAKING\s+GovernmentEntity\.code: .*NOT acknowledged/m);
    expect(result.stderr).toContain('**Breaking**');
  });

  it('exits 0 on a dangerous change and classifies it as dangerous', () => {
    const result = diff(BASE, DANGEROUS, '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { changes: Array<{ class: string; coordinate: string }>; blocking: number };
    expect(report.changes).toEqual([expect.objectContaining({ class: 'dangerous', coordinate: 'SensitivityLevel.SECRET' })]);
    expect(report.blocking).toBe(0);
  });

  it('exits 0 on a safe change and classifies it as safe', () => {
    const result = diff(BASE, SAFE);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^SAFE\s+GovernmentEntity\.website:/m);
  });

  it('lets a breaking change through when the changelog\u2019s Unreleased section acknowledges it', () => {
    const changelog = file('CHANGELOG.md', '# Changelog\n\n## [Unreleased]\n\n- **Breaking** `GovernmentEntity.code`: now numeric; clients must re-read the field type.\n\n## [0.1.0] - 2026-11-22\n');
    const result = diff(BASE, BREAKING, '--changelog', changelog);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('(acknowledged in the changelog)');
  });

  it('does not accept an acknowledgement that sits under a released version', () => {
    const changelog = file('CHANGELOG-old.md', '# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-11-22\n\n- **Breaking** `GovernmentEntity.code`: old entry.\n');
    expect(diff(BASE, BREAKING, '--changelog', changelog).status).toBe(1);
  });

  it('exits 2 when a file is missing or not a schema', () => {
    expect(diff(BASE, join(DIR, 'missing.graphql')).status).toBe(2);
    expect(diff(BASE, file('bad.graphql', 'type {')).status).toBe(2);
  });

  it('passes on the committed baseline, supergraph and changelog, as CI runs it', () => {
    const root = packageRoot();
    const result = diff(join(root, 'schemas', 'supergraph.baseline.graphql'), supergraphPath(), '--changelog', join(root, 'CHANGELOG.md'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('changelog acknowledgements', () => {
  it('reads the coordinates of Breaking bullets in the Unreleased section only', () => {
    const markdown = [
      '# Changelog',
      '## [Unreleased]',
      '- **Breaking** `Query.employee`: removed.',
      '* **breaking**: `Employee.salary`: moved.',
      '- Added `Query.budgets`.',
      '## [0.1.0] - 2026-11-22',
      '- **Breaking** `Query.old`: ignored.',
    ].join('\n');
    expect([...readChangelogAcknowledgements(markdown)].sort()).toEqual(['Employee.salary', 'Query.employee']);
  });

  it('treats an acknowledged field as covering its arguments', async () => {
    const before = 'type Query { employee(nationalId: String!): String }';
    const after = 'type Query { employee(nationalId: Int!): String }';
    const [change] = await classifySchemaChanges(before, after, new Set(['Query.employee']));
    expect(change).toMatchObject({ class: 'breaking', coordinate: 'Query.employee.nationalId', acknowledged: true });
  });
});
