import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every `gccgw` subcommand, in the order of `gccgw --help`. Each command module exports one
 * `registerXxxCommand(program)` and owns its help text. Modules are imported only when needed: a
 * command line that names one command loads that command alone (the audit, trust and start
 * commands between them pull in most of the gateway, about a second of start-up for a one-shot
 * command such as `gccgw audit verify`).
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['start', async () => (await import('./start-command.js')).registerStartCommand],
  ['compose', async () => (await import('./compose-command.js')).registerComposeCommand],
  ['config', async () => (await import('./config-command.js')).registerConfigCommand],
  ['adapter', async () => (await import('./adapter-command.js')).registerAdapterCommand],
  ['sandbox', async () => (await import('./sandbox-command.js')).registerSandboxCommand],
  ['schema', async () => (await import('./schema-command.js')).registerSchemaCommand],
  ['audit', async () => (await import('./audit-command.js')).registerAuditCommand],
  ['pki', async () => (await import('./pki-command.js')).registerPkiCommand],
  ['trust', async () => (await import('./trust-command.js')).registerTrustCommand],
  ['policy', async () => (await import('./policy-command.js')).registerPolicyCommand],
  ['documents', async () => (await import('./documents-command.js')).registerDocumentsCommand],
  ['quality', async () => (await import('./quality-command.js')).registerQualityCommand],
];

/**
 * Registers the command the arguments name, or every command when they name none or one that does
 * not exist (for `--help` and for commander's "unknown command" with its suggestions).
 */
export async function registerCommands(program: Command, argv: readonly string[] = []): Promise<void> {
  const named = argv.find((arg) => !arg.startsWith('-'));
  const chosen = COMMANDS.filter(([name]) => name === named);
  for (const [, load] of chosen.length > 0 ? chosen : COMMANDS) (await load())(program);
}
