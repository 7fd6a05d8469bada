import type { Command } from 'commander';
import { registerAdapterCommand } from './adapter-command.js';
import { registerAuditCommand } from './audit-command.js';
import { registerComposeCommand } from './compose-command.js';
import { registerConfigCommand } from './config-command.js';
import { registerDocumentsCommand } from './documents-command.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerSchemaCommand } from './schema-command.js';
import { registerStartCommand } from './start-command.js';
import { registerPkiCommand } from './pki-command.js';
import { registerPolicyCommand } from './policy-command.js';
import { registerQualityCommand } from './quality-command.js';
import { registerTrustCommand } from './trust-command.js';

/**
 * Every `gccgw` subcommand registers itself here. Each command module exports one
 * `registerXxxCommand(program)` and owns its help text.
 */
export function registerCommands(program: Command): void {
  registerStartCommand(program);
  registerComposeCommand(program);
  registerConfigCommand(program);
  registerAdapterCommand(program);
  registerSandboxCommand(program);
  registerSchemaCommand(program);
  registerAuditCommand(program);
  registerPkiCommand(program);
  registerTrustCommand(program);
  registerPolicyCommand(program);
  registerDocumentsCommand(program);
  registerQualityCommand(program);
}
