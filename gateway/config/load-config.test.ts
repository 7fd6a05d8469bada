import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import { envOverrides, loadConfig } from './load-config.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('ERR_CONFIG_INVALID');
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('loadConfig', () => {
  it('gives the embedded default with no file and no environment', () => {
    const { config, file } = loadConfig({ env: {}, cwd: dir });
    expect(file).toBeUndefined();
    expect(config.supergraph.source).toBe('embedded');
    expect(config.server.insecureDemoPort).toEqual({ enabled: true, host: '127.0.0.1', port: 4000, demoClientId: 'GCC:QA:GOV:CSGDB:hr-portal' });
    expect(config.adapters.map((a) => a.name)).toEqual(['mawared', 'gov-cloud']);
    expect(config.subgraphs.defaults.retry).toEqual({ maxAttempts: 2, backoffMillis: 100 });
  });

  it('reads ./gateway.config.yaml when present and resolves the supergraph path next to it', () => {
    const sub = mkdtempSync(join(dir, 'cwd-'));
    writeFileSync(join(sub, 'gateway.config.yaml'), 'supergraph:\n  source: file\n  file: prod/supergraph.graphql\nserver:\n  bodyLimitBytes: 2048\n');
    const { config, file } = loadConfig({ env: {}, cwd: sub });
    expect(file).toBe(join(sub, 'gateway.config.yaml'));
    expect(config.supergraph.file).toBe(join(sub, 'prod', 'supergraph.graphql'));
    expect(config.server.bodyLimitBytes).toBe(2048);
  });

  it('lets GCCGW_* environment variables override the file, typed as YAML scalars', () => {
    const file = write('env.yaml', 'server:\n  bodyLimitBytes: 2048\n');
    const { config } = loadConfig({
      file,
      env: { GCCGW_SERVER__BODY_LIMIT_BYTES: '4096', GCCGW_SERVER__INSECURE_DEMO_PORT__ENABLED: 'false', GCCGW_LOGGING__LEVEL: 'warn', OTHER: 'x' },
    });
    expect(config.server.bodyLimitBytes).toBe(4096);
    expect(config.server.insecureDemoPort.enabled).toBe(false);
    expect(config.logging.level).toBe('warn');
  });

  it('maps environment names onto nested camelCase keys', () => {
    expect(envOverrides({ GCCGW_SUBGRAPHS__DEFAULTS__TIMEOUT_MILLIS: '250', GCCGW_CONFIG: '/x.yaml' })).toEqual({
      subgraphs: { defaults: { timeoutMillis: 250 } },
    });
  });

  it('names the key and what is allowed when a value is bad', () => {
    const error = refusal(() => loadConfig({ file: write('bad-port.yaml', 'server:\n  insecureDemoPort:\n    port: 70000\n'), env: {} }));
    expect(error.message).toContain('"server.insecureDemoPort.port"');
    expect(error.message).toContain('65535');
    const level = refusal(() => loadConfig({ env: { GCCGW_LOGGING__LEVEL: 'loud' } }));
    expect(level.message).toContain('"logging.level"');
    expect(level.message).toMatch(/info/);
  });

  it('refuses unknown keys, naming them', () => {
    const error = refusal(() => loadConfig({ file: write('typo.yaml', 'server:\n  bodyLimit: 10\n'), env: {} }));
    expect(error.message).toContain('"server.bodyLimit"');
  });

  it('refuses a demo port on anything but loopback', () => {
    const error = refusal(() => loadConfig({ file: write('public.yaml', 'server:\n  insecureDemoPort:\n    host: 0.0.0.0\n'), env: {} }));
    expect(error.message).toContain('"server.insecureDemoPort.host"');
  });

  it('requires a supergraph file when the source is a file', () => {
    const error = refusal(() => loadConfig({ file: write('nofile.yaml', 'supergraph:\n  source: file\n'), env: {} }));
    expect(error.message).toContain('supergraph.file');
  });

  it('says where YAML is broken', () => {
    const error = refusal(() => loadConfig({ file: write('broken.yaml', 'server:\n  port: [1, 2\n'), env: {} }));
    expect(error.message).toMatch(/not valid YAML at line \d/);
  });

  it('refuses a file that cannot be read', () => {
    const error = refusal(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }));
    expect(error.message).toContain('cannot read config file');
  });
});
