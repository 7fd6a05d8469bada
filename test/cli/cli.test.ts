import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraph, serveSubgraph, type RunningServer } from '../../adapters/kit/index.js';
import { packageRoot, supergraphPath } from '../../schemas/schema-files.js';
import { composeSupergraph } from '../../gateway/federation/compose-supergraph.js';
import { postGraphQL } from '../support/gateway-harness.js';

/**
 * The `gccgw` command as a user runs it: the compiled CLI (`npm test` builds first) in a child
 * process, talking over real sockets and signals.
 */
const BIN = join(packageRoot(), 'bin', 'gccgw.js');
const AUDIT_DIR = mkdtempSync(join(tmpdir(), 'gccgw-cli-audit-'));
const QUALITY_DIR = mkdtempSync(join(tmpdir(), 'gccgw-cli-quality-'));
const ENV = { ...process.env, GCCGW_LOGGING__LEVEL: 'warn', GCCGW_LOGGING__FORMAT: 'json', GCCGW_AUDIT__DIR: AUDIT_DIR, GCCGW_QUALITY__DIR: QUALITY_DIR, NO_COLOR: '1' };

function run(args: string[], env: NodeJS.ProcessEnv = ENV): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Started {
  readonly child: ChildProcess;
  readonly graphqlUrl: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts a long-running command and waits for the URL it prints. */
async function start(args: string[], urlPattern: RegExp, env: NodeJS.ProcessEnv = ENV): Promise<Started> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = urlPattern.exec(output);
    if (match?.[1] !== undefined) return { child, graphqlUrl: match[1], output: () => output, exited };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`command did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const BANNER_URL = /GraphQL\s+(http:\/\/127\.0\.0\.1:\d+\/graphql)/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('gccgw', () => {
  it('lists its commands with help text', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['start', 'compose', 'config', 'adapter', 'sandbox']) expect(result.stdout).toContain(command);
    const start = run(['start', '--help']);
    expect(start.stdout).toContain('--supergraph');
    expect(start.stdout).toContain('SIGHUP');
  });

  it('fails on an unknown command with a usage message', () => {
    const result = run(['launch']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command/);
  });

  describe('config check', () => {
    it('accepts a valid file', () => {
      const file = join(dir, 'ok.yaml');
      writeFileSync(file, 'server:\n  bodyLimitBytes: 65536\n');
      const result = run(['config', 'check', file]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('configuration is valid');
    });

    it('refuses a bad value, naming the key and what is allowed, without starting', () => {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'subgraphs:\n  defaults:\n    retry:\n      maxAttempts: 9\n');
      const result = run(['config', 'check', file]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('[ERR_CONFIG_INVALID]');
      expect(result.stderr).toContain('"subgraphs.defaults.retry.maxAttempts"');
      expect(result.stderr).toMatch(/5/);
    });

    it('makes start fail fast on the same bad configuration', () => {
      const file = join(dir, 'bad-start.yaml');
      writeFileSync(file, 'server:\n  bodyLimitBytes: 5\n');
      const result = run(['start', '--config', file]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('"server.bodyLimitBytes"');
    });
  });

  describe('compose', () => {
    it('reports the committed supergraph as up to date', () => {
      const result = run(['compose', '--check']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('detects a stale supergraph and rewrites it', () => {
      const copy = join(dir, 'supergraph.graphql');
      copyFileSync(supergraphPath(), copy);
      writeFileSync(copy, readFileSync(copy, 'utf8').replace('headcount', 'headcountOld'));
      const stale = run(['compose', '--check', '--out', copy]);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('is stale');
      expect(run(['compose', '--out', copy]).status).toBe(0);
      expect(readFileSync(copy, 'utf8')).not.toContain('headcountOld');
      expect(run(['compose', '--check', '--out', copy]).status).toBe(0);
    });
  });

  describe('start --supergraph', () => {
    let slow: RunningServer;
    let marker: RunningServer;
    let supergraphA: string;
    let supergraphB: string;
    const slowSdl = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ntype Query { slow(millis: Int!): String! }';
    const markerSdl = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ntype Query { reloadMarker: String! }';

    beforeAll(async () => {
      slow = await serveSubgraph({
        name: 'slow',
        schema: buildSubgraph(slowSdl, {
          Query: { slow: async (_: unknown, args: unknown) => new Promise((resolve) => setTimeout(() => resolve('done'), (args as { millis: number }).millis)) },
        }),
      });
      marker = await serveSubgraph({ name: 'marker', schema: buildSubgraph(markerSdl, { Query: { reloadMarker: () => 'B' } }) });
      supergraphA = composeSupergraph([{ name: 'slow', typeDefs: slowSdl, url: `${slow.url}/graphql` }]);
      supergraphB = composeSupergraph([
        { name: 'slow', typeDefs: slowSdl, url: `${slow.url}/graphql` },
        { name: 'marker', typeDefs: markerSdl, url: `${marker.url}/graphql` },
      ]);
    });
    afterAll(async () => {
      await slow.close();
      await marker.close();
    });

    it('reloads the supergraph on SIGHUP', async () => {
      const file = join(dir, 'sighup.graphql');
      writeFileSync(file, supergraphA);
      const gateway = await start(['start', '--supergraph', file, '--port', '0'], BANNER_URL, { ...ENV, GCCGW_SUPERGRAPH__WATCH: 'false' });
      try {
        const before = await postGraphQL(gateway.graphqlUrl, { query: '{ reloadMarker }' });
        expect(before.body.errors?.[0]?.extensions?.['code']).toBe('ERR_GRAPHQL_VALIDATION_FAILED');
        writeFileSync(file, supergraphB);
        gateway.child.kill('SIGHUP');
        const deadline = Date.now() + 10_000;
        let answer: unknown;
        while (Date.now() < deadline) {
          answer = (await postGraphQL(gateway.graphqlUrl, { query: '{ reloadMarker }' })).body.data?.['reloadMarker'];
          if (answer === 'B') break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(answer).toBe('B');
      } finally {
        gateway.child.kill('SIGTERM');
        await gateway.exited;
      }
    });

    it('drains on SIGTERM: the request in flight completes, new ones are refused, the exit code is 0', async () => {
      const file = join(dir, 'drain.graphql');
      writeFileSync(file, supergraphA);
      const gateway = await start(['start', '--supergraph', file, '--port', '0'], BANNER_URL, { ...ENV, GCCGW_LOGGING__LEVEL: 'info' });
      const inFlight = postGraphQL(gateway.graphqlUrl, { query: '{ slow(millis: 1500) }' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      gateway.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const late = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then(
        (response) => response.status,
        () => 'refused',
      );
      expect(late === 'refused' || late === 503).toBe(true);
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { slow: 'done' } });
      expect(await gateway.exited).toBe(0);
      expect(gateway.output()).toContain('gateway stopped');
    });
  });

  it('serves an adapter standalone as a remote subgraph', async () => {
    const adapter = await start(['adapter', 'serve', 'mawared', '--port', '0'], /adapter mawared: (http:\/\/127\.0\.0\.1:\d+\/graphql)/);
    try {
      const response = await postGraphQL(adapter.graphqlUrl, { query: '{ governmentEntity(state: QA, code: "MOF") { name { en } } }' });
      expect(response.body).toEqual({ data: { governmentEntity: { name: { en: 'Ministry of Finance' } } } });
      const sdl = await postGraphQL(adapter.graphqlUrl, { query: '{ _service { sdl } }' });
      expect(String((sdl.body.data?.['_service'] as { sdl: string }).sdl)).toContain('@key(fields: "state code")');
    } finally {
      adapter.child.kill('SIGTERM');
      await adapter.exited;
    }
  });
});
