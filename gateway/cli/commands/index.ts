import type { Command } from 'commander';

/**
 * Every `gccgw` subcommand registers itself here. Each command module exports one
 * `registerXxxCommand(program)` and owns its help text.
 */
export function registerCommands(program: Command): void {
  void program;
}
