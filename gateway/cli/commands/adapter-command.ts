import type { Command } from 'commander';
import { BUILT_IN_ADAPTERS, DEFAULT_SUBGRAPH_PORTS, loadBuiltInAdapter, serveSubgraph, type RunningServer } from '../../../adapters/kit/index.js';
import { createLogger } from '../../logging/logger.js';

interface ServeFlags {
  port?: string;
  host: string;
  upstreamUrl?: string;
  upstreamTimeoutMillis: string;
  logLevel: string;
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
    .action(async (name: string, flags: ServeFlags) => {
      const logger = createLogger({ level: flags.logLevel });
      let sandbox: RunningServer | undefined;
      let server: RunningServer;
      try {
        const loaded = await loadBuiltInAdapter(name);
        let upstreamUrl = flags.upstreamUrl;
        if (upstreamUrl === undefined) {
          sandbox = await loaded.startSandbox({ logger: logger.child({ component: 'sandbox', adapter: name }) });
          upstreamUrl = sandbox.url;
        }
        const subgraph = loaded.createSubgraph({ upstreamUrl, upstreamTimeoutMillis: Number(flags.upstreamTimeoutMillis), logger: logger.child({ component: 'adapter', adapter: name }) });
        const port = flags.port !== undefined ? Number(flags.port) : (DEFAULT_SUBGRAPH_PORTS[name] ?? 0);
        server = await serveSubgraph(subgraph, { host: flags.host, port, logger });
        logger.info({ adapter: name, graphql: `${server.url}/graphql`, upstream: upstreamUrl, sandbox: sandbox !== undefined }, 'adapter serving');
        process.stderr.write(`adapter ${name}: ${server.url}/graphql (upstream ${upstreamUrl}${sandbox !== undefined ? ', sandbox' : ''})\n`);
      } catch (error) {
        await sandbox?.close();
        process.stderr.write(`gccgw adapter serve: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void Promise.allSettled([server.close(), sandbox?.close()]).then(() => resolve());
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
