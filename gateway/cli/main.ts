import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';

/**
 * Entry point of the `gccgw` command. Returns the process exit code instead of exiting, so that a
 * long-running command (`start`) can keep the process alive and tests can call it in-process.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('gccgw')
    .description('GCC Interop Gateway: federated GraphQL for cross-border e-government services')
    .showHelpAfterError()
    .exitOverride();
  await registerCommands(program, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return error.exitCode;
    }
    process.stderr.write(`gccgw: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
