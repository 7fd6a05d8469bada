/**
 * Child process of the federation benchmark: serves the four fixture subgraphs
 * (test/fixtures/federation) on 127.0.0.1, each on an ephemeral port, and prints one JSON line
 * `{"subgraphs":[{"name","url","typeDefs"}]}` on stdout once they listen. Runs until SIGTERM/SIGINT.
 * In a process of its own so the subgraphs do not share an event loop with the load generator.
 */
import { startFixtureSubgraphs } from '../../test/fixtures/federation/serve.js';

const fixtures = await startFixtureSubgraphs({ host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ subgraphs: fixtures.subgraphs })}\n`);

const stop = (): void => {
  fixtures.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
