import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../gateway/config/load-config.js';
import { createSilentLogger } from '../../gateway/logging/logger.js';
import { startGateway, type RunningGateway } from '../../gateway/runtime/gateway-runtime.js';

/**
 * Starts a gateway the way `gccgw start` does, on a free loopback port, with no config file. Each
 * gets its own evidence-log and service-quality directories; synthetic probes are off unless the
 * test configures some (they would add subgraph calls to what other tests count).
 */
export async function startTestGateway(overrides: Record<string, unknown> = {}): Promise<RunningGateway & { readonly graphqlUrl: string; readonly baseUrl: string }> {
  const defaults = {
    server: { insecureDemoPort: { port: 0 } },
    logging: { level: 'silent' },
    audit: { dir: mkdtempSync(join(tmpdir(), 'gccgw-audit-')) },
    quality: { dir: mkdtempSync(join(tmpdir(), 'gccgw-quality-')), probes: [], cloudHealthIncidents: { enabled: false } },
  };
  const { config } = loadConfig({ env: {}, cwd: tmpdir(), overrides: deepMerge(defaults, overrides) });
  const gateway = await startGateway({ config, logger: createSilentLogger(), processMetrics: false });
  const graphqlUrl = gateway.urls.insecureDemo?.graphql;
  if (graphqlUrl === undefined) throw new Error('the demo listener is off');
  return Object.assign(gateway, { graphqlUrl, baseUrl: graphqlUrl.replace(/\/graphql$/, '') });
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

/** POSTs a GraphQL request and parses the answer; never throws on 4xx/5xx. */
export async function postGraphQL(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<GraphQLHttpResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
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
