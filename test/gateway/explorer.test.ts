import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';
import type { EXAMPLE_OPERATIONS } from '../../gateway/http/explorer/example-operations.js';

describe('the explorer', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('serves a page that loads only scripts from this origin and labels the insecure port', async () => {
    const response = await fetch(`${gateway.baseUrl}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('INSECURE DEMO PORT');
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThanOrEqual(5);
    for (const source of sources) expect(source).toMatch(/^\/explorer\//);
  });

  it('serves the bundled GraphiQL and React files itself', async () => {
    for (const file of ['graphiql.min.js', 'graphiql.min.css', 'react.production.min.js', 'react-dom.production.min.js', 'init.js']) {
      const response = await fetch(`${gateway.baseUrl}/explorer/${file}`);
      expect({ file, status: response.status }).toEqual({ file, status: 200 });
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await fetch(`${gateway.baseUrl}/explorer/..%2Fpackage.json`)).status).toBe(404);
  });

  it('pre-loads example operations, and every example runs without errors', async () => {
    const config = (await (await fetch(`${gateway.baseUrl}/explorer/config.json`)).json()) as { graphqlPath: string; examples: typeof EXAMPLE_OPERATIONS };
    expect(config.graphqlPath).toBe('/graphql');
    expect(config.examples.length).toBeGreaterThanOrEqual(3);
    for (const example of config.examples) {
      const response = await postGraphQL(gateway.graphqlUrl, { query: example.query }, example.purpose !== undefined ? { 'x-gccgw-purpose': example.purpose } : { 'x-gccgw-purpose': null });
      expect({ title: example.title, errors: response.body.errors }).toEqual({ title: example.title, errors: undefined });
      expect(Object.values(response.body.data ?? {}).every((value) => value !== null)).toBe(true);
    }
  });
});
