/**
 * Test support (the CLI's tests only; production code must not import it): runs `gccgw <args>`
 * in-process with the given commands registered, and returns what it printed and its exit code.
 */
import { Command } from 'commander';

export interface CommandOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export function commandRunner(...register: ReadonlyArray<(program: Command) => void>): (...args: string[]) => Promise<CommandOutcome> {
  return async (...args) => {
    const program = new Command('gccgw').exitOverride();
    for (const add of register) add(program);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const writeOut = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => stdout.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    process.exitCode = undefined;
    try {
      await program.parseAsync(args, { from: 'user' });
    } finally {
      process.stdout.write = writeOut;
      process.stderr.write = writeErr;
    }
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    process.exitCode = undefined;
    return { stdout: stdout.join(''), stderr: stderr.join(''), code };
  };
}
