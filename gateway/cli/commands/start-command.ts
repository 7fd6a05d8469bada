import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { createLogger } from '../../logging/logger.js';
import { startGateway, type RunningGateway } from '../../runtime/gateway-runtime.js';
import { isGatewayError } from '../../errors/gateway-error.js';

interface StartFlags {
  config?: string;
  supergraph?: string;
  port?: string;
  mtlsPort?: string;
  logLevel?: string;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Start the gateway. With no configuration: embedded mode (built-in adapters in-process, their sandboxes started) on the loopback demo port 4000.',
    )
    .option('-c, --config <file>', 'configuration file (default: $GCCGW_CONFIG, then ./gateway.config.yaml if present)')
    .option('-s, --supergraph <file>', 'serve this composed supergraph; its subgraphs are called at their URLs (production mode); hot-reloaded on change and SIGHUP')
    .option('-p, --port <port>', 'port of the insecure loopback demo listener (0 = any free port)')
    .option('--mtls-port <port>', 'port of the member-state mutual-TLS listener (0 = any free port)')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent')
    .addHelpText(
      'after',
      `
Signals: SIGHUP reloads the supergraph; SIGTERM/SIGINT stop gracefully (in-flight requests finish).
Environment: any config key as GCCGW_<SECTION>__<KEY>, e.g. GCCGW_SERVER__BODY_LIMIT_BYTES=2097152.`,
    )
    .action(async (flags: StartFlags) => {
      const overrides: Record<string, unknown> = {};
      if (flags.supergraph !== undefined) overrides['supergraph'] = { source: 'file', file: flags.supergraph };
      if (flags.port !== undefined) {
        const port = Number(flags.port);
        overrides['server'] = { insecureDemoPort: { port: Number.isInteger(port) ? port : flags.port } };
      }
      if (flags.mtlsPort !== undefined) {
        const port = Number(flags.mtlsPort);
        overrides['access'] = { mtls: { port: Number.isInteger(port) ? port : flags.mtlsPort } };
      }
      if (flags.logLevel !== undefined) overrides['logging'] = { level: flags.logLevel };
      let gateway: RunningGateway;
      try {
        const { config, file } = loadConfig({ file: flags.config, overrides });
        const logger = createLogger({ level: config.logging.level, format: config.logging.format });
        if (file !== undefined) logger.info({ file }, 'configuration loaded');
        gateway = await startGateway({ config, logger });
        process.stderr.write(banner(gateway));
        installSignalHandlers(gateway, logger);
      } catch (error) {
        process.stderr.write(`gccgw start: ${isGatewayError(error) ? `[${error.code}] ` : ''}${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      // Keep the command alive until the gateway stops.
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (gateway.status === 'stopped') {
            clearInterval(timer);
            resolve();
          }
        }, 200);
      });
    });
}

function installSignalHandlers(gateway: RunningGateway, logger: ReturnType<typeof createLogger>): void {
  let stopping = false;
  const onStop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second stop signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stop signal received');
    gateway.stop().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => void gateway.reload('SIGHUP'));
}

function banner(gateway: RunningGateway): string {
  const lines = ['', '  GCC Interop Gateway · بوابة التكامل الحكومي الخليجية', ''];
  const demo = gateway.urls.insecureDemo;
  if (demo !== undefined) {
    lines.push(
      '  !! INSECURE DEMO PORT (loopback, plain HTTP, acts as the configured demo client; no TLS, no signatures)',
      `     GraphQL   ${demo.graphql}`,
      `     Explorer  ${demo.explorer}`,
      `     Health    ${demo.healthz}   Ready ${demo.readyz}`,
      `     Metrics   ${demo.metrics}`,
      `     Docs      ${demo.explorer}docs`,
    );
    if (gateway.quality.enabled) lines.push(`     Status    ${demo.explorer}status`);
  }
  lines.push(
    '  Member-state port (mutual TLS, signed requests, signed responses, access policy):',
    `     GraphQL   ${gateway.urls.mtls.graphql}`,
    `     Trust     ${gateway.trust.trustListFile} (${gateway.trust.holder.state().status}); gateway signs as ${gateway.trust.gatewayClientId}`,
    '     Client    node examples/member-client.mjs --state SA --purpose PENSION_PROTECTION',
  );
  const source = gateway.source.kind === 'file' ? `supergraph file ${gateway.source.file}` : 'embedded (built-in adapters in-process)';
  lines.push(`  Supergraph: ${source}; subgraphs: ${gateway.supergraph.subgraphNames.join(', ')}`);
  for (const [adapter, url] of Object.entries(gateway.urls.sandboxes)) lines.push(`  Sandbox for ${adapter}: ${url}`);
  lines.push('', '  Try:', `    curl -s ${demo?.graphql ?? 'http://127.0.0.1:4000/graphql'} -H 'content-type: application/json' \\`);
  lines.push(`      -d '{"query":"{ governmentEntity(state: QA, code: \\"MOF\\") { name { en ar } headcount cloudSpend(month: \\"2026-10\\") { totalQar } } }"}'`, '', '');
  return lines.join('\n');
}
