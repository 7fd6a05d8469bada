import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDemoPki, readDemoPkiManifest, type Clock, type DemoPkiManifest } from '../../trust/index.js';
import { cachedTestKey } from '../../trust/testing/cached-keys.js';
import { loadConfig } from '../../gateway/config/load-config.js';
import { createSilentLogger } from '../../gateway/logging/logger.js';
import { startGateway, type RunningGateway } from '../../gateway/runtime/gateway-runtime.js';

let sharedPki: Promise<DemoPkiManifest> | undefined;

/**
 * One demo PKI per test process (keys from the test key cache), shared by the gateways a test file
 * starts: generating a PKI per gateway would cost seconds each.
 */
export function testPki(): Promise<DemoPkiManifest> {
  sharedPki ??= (async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gccgw-pki-')), 'pki');
    await initDemoPki({ dir, generateKey: cachedTestKey });
    return readDemoPkiManifest(dir);
  })();
  return sharedPki;
}

/**
 * Starts a gateway the way `gccgw start` does, on free loopback ports, with no config file, its own
 * evidence-log and service-quality directories, and the shared test PKI.
 */
export async function startTestGateway(overrides: Record<string, unknown> = {}, options: { readonly clock?: Clock } = {}): Promise<RunningGateway & { readonly graphqlUrl: string; readonly baseUrl: string; readonly pki: DemoPkiManifest }> {
  const pki = await testPki();
  const { config } = loadConfig({
    env: {},
    cwd: tmpdir(),
    overrides: deepMerge(
      {
        server: { insecureDemoPort: { port: 0 } },
        access: { mtls: { host: '127.0.0.1', port: 0 } },
        trust: { pkiDir: pki.dir },
        logging: { level: process.env['GCCGW_TEST_LOG'] ?? 'silent' },
        audit: { dir: mkdtempSync(join(tmpdir(), 'gccgw-audit-')) },
        // Synthetic probes off unless a test configures some: they would add subgraph calls to what other tests count.
        quality: { dir: mkdtempSync(join(tmpdir(), 'gccgw-quality-')), probes: [], cloudHealthIncidents: { enabled: false } },
      },
      overrides,
    ),
  });
  const gateway = await startGateway({ config, logger: createSilentLogger(), processMetrics: false, ...(options.clock !== undefined ? { clock: options.clock } : {}) });
  const graphqlUrl = gateway.urls.insecureDemo?.graphql;
  if (graphqlUrl === undefined) throw new Error('the demo listener is off');
  return Object.assign(gateway, { graphqlUrl, baseUrl: graphqlUrl.replace(/\/graphql$/, ''), pki });
}

export interface GraphQLHttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
  readonly text: string;
}

/**
 * The purpose tests declare unless they say otherwise: the audit mandate, under which the demo
 * policy lets the demo client read every field (queries). Tests about the policy itself set their
 * own purpose, or `null` for none.
 */
export const TEST_PURPOSE = 'AUDIT_OVERSIGHT';

/** POSTs a GraphQL request and parses the answer; never throws on 4xx/5xx. */
export async function postGraphQL(url: string, payload: unknown, headers: Record<string, string | null> = {}): Promise<GraphQLHttpResponse> {
  const sent: Record<string, string> = { 'content-type': 'application/json', 'x-gccgw-purpose': TEST_PURPOSE };
  for (const [key, value] of Object.entries(headers)) {
    if (value === null) delete sent[key];
    else sent[key] = value;
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: sent,
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await response.text();
  let body: GraphQLHttpResponse['body'] = {};
  try {
    body = JSON.parse(text) as GraphQLHttpResponse['body'];
  } catch {
    // left empty: the test asserts on `text`
  }
  return { status: response.status, headers: response.headers, body, text };
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      typeof current === 'object' && current !== null && !Array.isArray(current) && typeof value === 'object' && value !== null && !Array.isArray(value)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** The README's example query: one entity from Mawared beside its cloud spend from the government cloud. */
export const JOIN_QUERY = `query EntityWithCloudSpend($state: MemberState!, $code: String!, $month: String!) {
  governmentEntity(state: $state, code: $code) {
    state
    code
    name { en ar }
    headcount
    cloudTenants { id displayName }
    cloudSpend(month: $month) { month totalQar totalUsd }
  }
}`;
