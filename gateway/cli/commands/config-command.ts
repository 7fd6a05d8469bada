import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { isGatewayError } from '../../errors/gateway-error.js';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('Work with gateway configuration files.');
  config
    .command('check')
    .description('Validate a configuration file (and GCCGW_* environment overrides) without starting; prints the effective configuration with --print.')
    .argument('[file]', 'configuration file (default: $GCCGW_CONFIG, then ./gateway.config.yaml)')
    .option('--print', 'print the effective configuration as JSON')
    .action((file: string | undefined, flags: { print?: boolean }) => {
      try {
        const loaded = loadConfig({ file });
        process.stdout.write(`${loaded.file ?? '(defaults and environment only)'}: configuration is valid\n`);
        if (flags.print === true) process.stdout.write(`${JSON.stringify(loaded.config, null, 2)}\n`);
      } catch (error) {
        process.stderr.write(`${isGatewayError(error) ? `[${error.code}] ` : ''}${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
