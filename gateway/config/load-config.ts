import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import { gatewayConfigSchema, type GatewayConfig } from './gateway-config.js';

/** Environment variables that override config keys: `GCCGW_SERVER__BODY_LIMIT_BYTES=2048` sets `server.bodyLimitBytes`. */
export const ENV_PREFIX = 'GCCGW_';
/** Names the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'GCCGW_CONFIG';
export const DEFAULT_CONFIG_FILE = 'gateway.config.yaml';

export interface LoadConfigOptions {
  /** Path of the YAML file; when absent, `GCCGW_CONFIG`, then `./gateway.config.yaml` if it exists. */
  readonly file?: string | undefined;
  /** The environment to read overrides from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra overrides applied last (from CLI flags), as a partial config object. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Working directory for relative paths. @default process.cwd() */
  readonly cwd?: string;
}

export interface LoadedConfig {
  readonly config: GatewayConfig;
  /** The file read, if any. */
  readonly file: string | undefined;
}

/**
 * Reads, merges and validates the configuration, failing fast with `ERR_CONFIG_INVALID` and a
 * message naming the bad key and what is allowed.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env[CONFIG_FILE_ENV];
  const file = explicit !== undefined && explicit !== '' ? resolve(cwd, explicit) : findDefaultFile(cwd);

  let fromFile: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `cannot read config file ${file}: ${(cause as Error).message}`, cause });
    }
    try {
      fromFile = parseYaml(text) ?? {};
    } catch (cause) {
      const where = cause instanceof YAMLParseError && cause.linePos ? ` at line ${cause.linePos[0].line}` : '';
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `config file ${file} is not valid YAML${where}: ${(cause as Error).message}`, cause });
    }
    if (!isPlainObject(fromFile)) {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `config file ${file} must hold a mapping of keys at the top level` });
    }
  }

  const merged = deepMerge(deepMerge(fromFile, envOverrides(env)), options.overrides ?? {});
  const result = gatewayConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new GatewayError('ERR_CONFIG_INVALID', { message: describeIssues(result.error.issues, file) });
  }
  const config = result.data;
  // Relative supergraph paths are relative to the config file, like any path written in it.
  const base = file !== undefined ? dirname(file) : cwd;
  if (config.supergraph.file !== undefined) config.supergraph.file = resolve(base, config.supergraph.file);
  config.audit.dir = resolve(base, config.audit.dir);
  if (config.audit.retention !== undefined) config.audit.retention.archiveDir = resolve(base, config.audit.retention.archiveDir);
  config.events.embedded.dir = resolve(base, config.events.embedded.dir);
  config.events.outbox.dir = resolve(base, config.events.outbox.dir);
  config.events.received.dir = resolve(base, config.events.received.dir);
  config.quality.dir = resolve(base, config.quality.dir);
  const checkpoints = config.audit.checkpoints;
  if (checkpoints !== undefined) {
    checkpoints.signingKeyFile = resolve(base, checkpoints.signingKeyFile);
    checkpoints.signingChainFile = resolve(base, checkpoints.signingChainFile);
    if (checkpoints.tsa !== undefined) {
      checkpoints.tsa.trustListFile = resolve(base, checkpoints.tsa.trustListFile);
      checkpoints.tsa.operatorAnchorFile = resolve(base, checkpoints.tsa.operatorAnchorFile);
    }
  }
  const trust = config.trust;
  trust.pkiDir = resolve(base, trust.pkiDir);
  for (const key of ['trustListFile', 'operatorAnchorFile', 'serverKeyFile', 'serverChainFile', 'signingKeyFile', 'signingChainFile'] as const) {
    const value = trust[key];
    if (value !== undefined) trust[key] = resolve(base, value);
  }
  config.access.policyFile = resolve(base, config.access.policyFile);
  config.access.trustedDocuments.manifestFile = resolve(base, config.access.trustedDocuments.manifestFile);
  return { config, file };
}

function findDefaultFile(cwd: string): string | undefined {
  const candidate = resolve(cwd, DEFAULT_CONFIG_FILE);
  try {
    readFileSync(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}

/** `GCCGW_SUBGRAPHS__DEFAULTS__TIMEOUT_MILLIS=500` -> `{ subgraphs: { defaults: { timeoutMillis: 500 } } }`. */
export function envOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || raw === undefined) continue;
    const path = name
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    if (path.some((segment) => segment === '')) continue;
    let cursor = out;
    for (const segment of path.slice(0, -1)) {
      const next = cursor[segment];
      cursor = isPlainObject(next) ? next : (cursor[segment] = {});
    }
    cursor[path[path.length - 1] as string] = parseScalar(raw);
  }
  return out;
}

function parseScalar(raw: string): unknown {
  // YAML scalar rules: `true`, `4000`, `null`, `[a, b]` all mean what they say; anything else is a string.
  try {
    return parseYaml(raw) as unknown;
  } catch {
    return raw;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[], file: string | undefined): string {
  const where = file !== undefined ? ` in ${file}` : '';
  const lines = issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
      return `unknown key ${issue.keys.map((k) => `"${prefix}${k}"`).join(', ')}`;
    }
    return `"${key}": ${issue.message}`;
  });
  return `invalid configuration${where}: ${lines.join('; ')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}
