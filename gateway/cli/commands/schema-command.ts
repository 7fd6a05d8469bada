import { readFileSync } from 'node:fs';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { Command } from 'commander';
import { apiSchemaFromSupergraph } from '../../docs-site/api-schema.js';

/**
 * `gccgw schema diff <old> <new>`: classifies the changes between two schemas (supergraphs or plain
 * SDL) as breaking, dangerous or safe with GraphQL Inspector's core library. Federation machinery
 * (`join__*`, `@link`, subgraph URLs) is stripped first, so only the client-facing contract counts.
 *
 * Exit codes: 0 no breaking change (or every one acknowledged in the changelog), 1 an
 * unacknowledged breaking change, 2 a file that cannot be read or is not a valid schema.
 */
export type ChangeClass = 'breaking' | 'dangerous' | 'safe';

export interface ClassifiedChange {
  readonly class: ChangeClass;
  readonly type: string;
  /** Schema coordinate the change is about, e.g. `Query.employee` or `Query.employee.nationalId`. */
  readonly coordinate: string;
  readonly message: string;
  /** For breaking changes: whether the changelog's Unreleased section acknowledges it. */
  readonly acknowledged: boolean;
}

function classOf(change: Change): ChangeClass {
  switch (change.criticality.level) {
    case CriticalityLevel.Breaking:
      return 'breaking';
    case CriticalityLevel.Dangerous:
      return 'dangerous';
    default:
      return 'safe';
  }
}

/** Diffs two SDL texts; `acknowledged` coordinates (from the changelog) mark breaking changes as accepted. */
export async function classifySchemaChanges(oldSdl: string, newSdl: string, acknowledged: ReadonlySet<string> = new Set()): Promise<ClassifiedChange[]> {
  const changes = await diff(apiSchemaFromSupergraph(oldSdl), apiSchemaFromSupergraph(newSdl));
  return changes.map((change) => {
    const coordinate = change.path ?? change.type;
    const cls = classOf(change);
    return { class: cls, type: change.type, coordinate, message: change.message, acknowledged: cls === 'breaking' && isAcknowledged(coordinate, acknowledged) };
  });
}

/** An acknowledgement of `Query.employee` covers the field and everything under it (its arguments). */
function isAcknowledged(coordinate: string, acknowledged: ReadonlySet<string>): boolean {
  for (const ack of acknowledged) {
    if (coordinate === ack || coordinate.startsWith(`${ack}.`)) return true;
  }
  return false;
}

/**
 * The schema coordinates acknowledged as breaking in the `## [Unreleased]` section of CHANGELOG.md:
 * one bullet per change, starting with the bold word Breaking and the coordinate in backticks:
 *
 *     - **Breaking** `Query.employee`: removed; use `Query.employeeByNumber` (agreed with all states on 2026-11-01).
 *
 * Only the Unreleased section counts: entries of released versions acknowledged changes against
 * older baselines and cannot let a new breaking change through.
 */
export function readChangelogAcknowledgements(markdown: string): Set<string> {
  const out = new Set<string>();
  let inUnreleased = false;
  for (const line of markdown.split('\n')) {
    const heading = /^##\s+(.*)$/.exec(line);
    if (heading !== null) {
      inUnreleased = /^\[?unreleased\]?\s*$/i.test((heading[1] ?? '').trim());
      continue;
    }
    if (!inUnreleased) continue;
    const match = /^\s*[-*]\s+\*\*Breaking\*\*:?\s+`([^`]+)`/i.exec(line);
    if (match?.[1] !== undefined) out.add(match[1].trim());
  }
  return out;
}

interface DiffFlags {
  json?: boolean;
  changelog?: string;
}

const LABELS: Record<ChangeClass, string> = { breaking: 'BREAKING ', dangerous: 'DANGEROUS', safe: 'SAFE     ' };

export function registerSchemaCommand(program: Command): void {
  const schema = program.command('schema').description('Schema checks for the API contract.');
  schema
    .command('diff')
    .description('Classify the changes from <old> to <new> (supergraph or plain SDL files) as breaking, dangerous or safe. Exit 1 on a breaking change not acknowledged in the changelog, 2 on unreadable input.')
    .argument('<old>', 'the schema before, e.g. schemas/supergraph.baseline.graphql')
    .argument('<new>', 'the schema after, e.g. schemas/supergraph.graphql')
    .option('--changelog <file>', 'accept breaking changes acknowledged in this file\'s Unreleased section ("- **Breaking** `Type.field`: why")')
    .option('--json', 'print the changes as JSON')
    .action(async (oldFile: string, newFile: string, flags: DiffFlags) => {
      let changes: ClassifiedChange[];
      try {
        const acknowledged = flags.changelog !== undefined ? readChangelogAcknowledgements(readFileSync(flags.changelog, 'utf8')) : new Set<string>();
        changes = await classifySchemaChanges(readFileSync(oldFile, 'utf8'), readFileSync(newFile, 'utf8'), acknowledged);
      } catch (error) {
        process.stderr.write(`gccgw schema diff: ${(error as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const blocking = changes.filter((c) => c.class === 'breaking' && !c.acknowledged);
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({ changes, blocking: blocking.length }, null, 2)}\n`);
      } else {
        for (const change of changes) {
          const note = change.class === 'breaking' ? (change.acknowledged ? '  (acknowledged in the changelog)' : '  (NOT acknowledged)') : '';
          process.stdout.write(`${LABELS[change.class]}  ${change.coordinate}: ${change.message}${note}\n`);
        }
        const count = (cls: ChangeClass): number => changes.filter((c) => c.class === cls).length;
        process.stdout.write(`${changes.length} change(s): ${count('breaking')} breaking (${blocking.length} not acknowledged), ${count('dangerous')} dangerous, ${count('safe')} safe\n`);
      }
      if (blocking.length > 0) {
        process.stderr.write(
          `gccgw schema diff: ${blocking.length} breaking change(s) not acknowledged${flags.changelog !== undefined ? ` in ${flags.changelog}` : ''}. ` +
            'Acknowledge each in the "## [Unreleased]" section of CHANGELOG.md as: - **Breaking** `Type.field`: why and what clients must do\n',
        );
        process.exitCode = 1;
      }
    });
}
