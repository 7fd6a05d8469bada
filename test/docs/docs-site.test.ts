import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestGateway } from '../support/gateway-harness.js';

/** /docs on a running gateway, over a real socket. */
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway();
});

afterAll(async () => {
  await gateway.stop();
});

describe('/docs on a running gateway', () => {
  it('redirects /docs to the English or Arabic home page according to Accept-Language', async () => {
    const en = await fetch(`${gateway.baseUrl}/docs`, { redirect: 'manual' });
    expect(en.status).toBe(302);
    expect(en.headers.get('location')).toBe('/docs/en/index.html');
    const ar = await fetch(`${gateway.baseUrl}/docs/`, { redirect: 'manual', headers: { 'accept-language': 'ar-QA,ar;q=0.9,en;q=0.5' } });
    expect(ar.headers.get('location')).toBe('/docs/ar/index.html');
  });

  it('serves the Arabic pages right-to-left under a strict Content-Security-Policy', async () => {
    const response = await fetch(`${gateway.baseUrl}/docs/ar/schema/GovernmentEntity.html`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('رمز الجهة، فريد داخل دولتها');
  });

  it('documents the supergraph it is serving and serves the stylesheet as CSS', async () => {
    const query = await (await fetch(`${gateway.baseUrl}/docs/en/schema/Query.html`)).text();
    expect(query).toContain('<section class="field" id="governmentEntity">');
    const css = await fetch(`${gateway.baseUrl}/docs/assets/site.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers an unknown page and a path escape with the gateway\u2019s 404 error', async () => {
    for (const path of ['/docs/en/nope.html', '/docs/%2e%2e/package.json', '/docs/../package.json']) {
      const response = await fetch(`${gateway.baseUrl}${path}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('ERR_NOT_FOUND');
    }
  });

  it('lists every error code, the trust library\u2019s included when it is built', async () => {
    const html = await (await fetch(`${gateway.baseUrl}/docs/en/errors.html`)).text();
    expect(html).toContain('<tr id="ERR_SUBGRAPH_UNAVAILABLE">');
  });
});
