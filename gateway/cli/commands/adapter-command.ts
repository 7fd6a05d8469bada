import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BUILT_IN_ADAPTERS, DEFAULT_SUBGRAPH_PORTS, serveSubgraph, startBuiltInAdapter, type RunningServer, type StartedAdapter } from '../../../adapters/kit/index.js';
import { createLogger } from '../../logging/logger.js';

interface ServeFlags {
  port?: string;
  host: string;
  upstreamUrl?: string;
  upstreamTimeoutMillis: string;
  logLevel: string;
  gatewayCert?: string[];
}

export function registerAdapterCommand(program: Command): void {
  const adapter = program.command('adapter').description('Run built-in adapters on their own.');
  adapter
    .command('serve')
    .description(`Serve one adapter as a remote subgraph over HTTP (distributed mode). Adapters: ${BUILT_IN_ADAPTERS.join(', ')}.`)
    .argument('<name>', 'adapter name')
    .option('-p, --port <port>', 'port (default: the adapter\'s own, e.g. mawared 4101, gov-cloud 4102)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--upstream-url <url>', 'base URL of the national system; without it the adapter\'s sandbox is started and used')
    .option('--upstream-timeout-millis <ms>', 'deadline for one upstream call', '5000')
    .option('--log-level <level>', 'log level', 'info')
    .option('--gateway-cert <pem...>', 'signing certificate(s) of the gateway(s) allowed to call; then every call must carry the gateway-signed context (x-gccgw-context) and plain identity headers are ignored')
    .action(async (name: string, flags: ServeFlags) => {
      const logger = createLogger({ level: flags.logLevel });
      let started: StartedAdapter | undefined;
      let server: RunningServer;
      try {
        started = await startBuiltInAdapter({ name, upstreamUrl: flags.upstreamUrl, upstreamTimeoutMillis: Number(flags.upstreamTimeoutMillis), logger });
        const port = flags.port !== undefined ? Number(flags.port) : (DEFAULT_SUBGRAPH_PORTS[name] ?? 0);
        const gatewayCertificatesPem = flags.gatewayCert?.map((file) => readFileSync(file, 'utf8'));
        server = await serveSubgraph(started.subgraph, { host: flags.host, port, logger, ...(gatewayCertificatesPem !== undefined ? { gatewayCertificatesPem } : {}) });
        if (gatewayCertificatesPem === undefined) logger.warn({ adapter: name }, 'no --gateway-cert: caller identity headers are believed as sent; expose this port to the gateway only');
        const viaSandbox = started.sandbox !== undefined ? ', sandbox' : '';
        logger.info({ adapter: name, graphql: `${server.url}/graphql`, upstream: started.upstreamUrl, sandbox: started.sandbox !== undefined }, 'adapter serving');
        process.stderr.write(`adapter ${name}: ${server.url}/graphql (upstream ${started.upstreamUrl}${viaSandbox})\n`);
      } catch (error) {
        await started?.close();
        process.stderr.write(`gccgw adapter serve: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void Promise.allSettled([server.close(), started?.close()]).then(() => resolve());
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
