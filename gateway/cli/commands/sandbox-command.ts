import type { Command } from 'commander';
import { BUILT_IN_ADAPTERS, loadBuiltInAdapter, type FaultSettings, type RunningServer } from '../../../adapters/kit/index.js';
import { createLogger } from '../../logging/logger.js';

interface SandboxFlags {
  port: string;
  host: string;
  latencyMillis: string;
  errorRate: string;
  errorStatus: string;
  down?: boolean;
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description(`Run an adapter's sandbox: a stand-in for its national system with seeded demo data. Adapters: ${BUILT_IN_ADAPTERS.join(', ')}.`)
    .argument('<adapter>', 'adapter name')
    .option('-p, --port <port>', 'port (0 = any free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency-millis <ms>', 'fault injection: delay every response', '0')
    .option('--error-rate <0..1>', 'fault injection: share of requests answered with an error', '0')
    .option('--error-status <status>', 'fault injection: 429, 500 or 503', '503')
    .option('--down', 'fault injection: drop every connection')
    .addHelpText('after', '\nFaults can be changed while it runs: curl -X PUT <url>/__sandbox/faults -d \'{"errorRate":0.2}\'')
    .action(async (name: string, flags: SandboxFlags) => {
      const logger = createLogger();
      let server: RunningServer;
      try {
        const adapter = await loadBuiltInAdapter(name);
        const faults: Partial<FaultSettings> = {
          latencyMillis: Number(flags.latencyMillis),
          errorRate: Number(flags.errorRate),
          errorStatus: Number(flags.errorStatus) as FaultSettings['errorStatus'],
          down: flags.down === true,
        };
        server = await adapter.startSandbox({ host: flags.host, port: Number(flags.port), logger, faults });
        process.stderr.write(`sandbox ${name}: ${server.url}\n`);
      } catch (error) {
        process.stderr.write(`gccgw sandbox: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => void server.close().then(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
