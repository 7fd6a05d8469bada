/**
 * Child process of the federation benchmark: serves one peer gateway on 127.0.0.1, port 0, from a
 * composed supergraph file, and prints `{"url":"http://127.0.0.1:N/graphql"}` on stdout once it
 * listens. Runs until SIGTERM/SIGINT.
 *
 *   node dist/bench/federation/peer-gateway-server.js apollo <supergraph.graphql>
 *   node dist/bench/federation/peer-gateway-server.js hive <supergraph.graphql> [--no-dedupe]
 *
 * Each peer runs as its vendor documents it for Node, with its defaults, except what would make it
 * talk to the outside world: Apollo Gateway (Elastic-licensed, a devDependency only) must find
 * APOLLO_TELEMETRY_DISABLED set and no APOLLO_KEY, and every Apollo reporting plugin is disabled, so
 * nothing calls out to Apollo's services. `--no-dedupe` turns off Hive Gateway's default
 * de-duplication of identical in-flight subgraph requests (executor-http `deduplicateInflightRequests`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

const [kind, supergraphFile, ...flags] = process.argv.slice(2);
if ((kind !== 'apollo' && kind !== 'hive') || supergraphFile === undefined) {
  process.stderr.write('usage: peer-gateway-server.js apollo|hive <supergraph.graphql> [--no-dedupe]\n');
  process.exit(2);
}

function listening(url: string): void {
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

function onStop(stop: () => Promise<void>): void {
  const handler = (): void => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

if (kind === 'apollo') {
  // Checked before @apollo/gateway is loaded: its constructor starts an OTLP exporter to Apollo
  // unless this variable is set.
  if (process.env['APOLLO_TELEMETRY_DISABLED'] !== '1' && process.env['APOLLO_TELEMETRY_DISABLED'] !== 'true') {
    process.stderr.write('refusing to start Apollo Gateway without APOLLO_TELEMETRY_DISABLED=1\n');
    process.exit(2);
  }
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('APOLLO_') && name !== 'APOLLO_TELEMETRY_DISABLED') {
      process.stderr.write(`refusing to start Apollo Gateway with ${name} set\n`);
      process.exit(2);
    }
  }
  const { ApolloGateway } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const disabled = await import('@apollo/server/plugin/disabled');
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
  const server = new ApolloServer({
    gateway,
    plugins: [
      disabled.ApolloServerPluginLandingPageDisabled(),
      disabled.ApolloServerPluginUsageReportingDisabled(),
      disabled.ApolloServerPluginSchemaReportingDisabled(),
      disabled.ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  listening(new URL('/graphql', url).href);
  onStop(() => server.stop());
} else {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const dedupe = !flags.includes('--no-dedupe');
  const runtime = createGatewayRuntime({
    supergraph: supergraphFile,
    logging: 'error',
    landingPage: false,
    graphiql: false,
    ...(dedupe ? {} : { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } }),
  });
  const server: Server = createServer(runtime);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  listening(`http://127.0.0.1:${port}/graphql`);
  onStop(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.dispose();
  });
}
