import { createHash } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { packageRoot, supergraphPath } from '../../schemas/schema-files.js';
import { readFileSync } from 'node:fs';
import { buildDocsSite, type DocsSite } from './build-docs-site.js';
import { loadTrustErrorCodes } from './load-trust-error-codes.js';

export const DOCS_PATH = '/docs';

export interface DocsRouterOptions {
  /**
   * The supergraph SDL the gateway serves right now (the docs follow hot reloads). When it returns
   * undefined (nothing loaded yet), the committed schemas/supergraph.graphql is documented.
   */
  readonly supergraphSdl: () => string | undefined;
  /** Repository root holding docs/ and schemas/. @default the package root */
  readonly rootDir?: string;
}

/**
 * Strict policy for the docs: the pages are static HTML and one stylesheet from this origin; no
 * script, no inline style, nothing from elsewhere, no framing.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the docs site at /docs. The site is built in memory on the first request (and again when
 * the supergraph changes), so a gateway always documents the schema it serves and does not depend
 * on `npm run docs` having been run.
 */
export function createDocsRouter(options: DocsRouterOptions): Router {
  const router = express.Router();
  const rootDir = options.rootDir ?? packageRoot();
  let cached: { hash: string; site: Promise<DocsSite> } | undefined;
  let trustCodes: ReturnType<typeof loadTrustErrorCodes> | undefined;

  const site = (): Promise<DocsSite> => {
    const sdl = options.supergraphSdl() ?? readFileSync(supergraphPath(), 'utf8');
    const hash = createHash('sha256').update(sdl).digest('hex');
    if (cached?.hash !== hash) {
      trustCodes ??= loadTrustErrorCodes();
      const building = trustCodes.then((trustErrorCodes) => buildDocsSite({ supergraphSdl: sdl, rootDir, trustErrorCodes }));
      // A failed build is not cached: the next request tries again.
      building.catch(() => {
        if (cached?.site === building) cached = undefined;
      });
      cached = { hash, site: building };
    }
    return cached.site;
  };

  router.get([DOCS_PATH, `${DOCS_PATH}/`], (req, res) => {
    res.set('cache-control', 'no-store').redirect(302, `${DOCS_PATH}/${preferredLanguage(req)}/index.html`);
  });
  router.get(`${DOCS_PATH}/*path`, async (req, res, next) => {
    const segments = (req.params as { path?: string[] }).path ?? [];
    let path = segments.join('/');
    if (path === '' || path.endsWith('/')) path += 'index.html';
    if (segments.includes('..')) {
      next();
      return;
    }
    try {
      const files = await site();
      const body = files.get(path) ?? files.get(`${path}/index.html`);
      if (body === undefined) {
        next();
        return;
      }
      res.set({
        'content-security-policy': DOCS_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      });
      res.type(path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/html; charset=utf-8').send(body);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

/** `ar` when the browser prefers Arabic over English (Accept-Language, RFC 9110 §12.5.4), else `en`. */
function preferredLanguage(req: Request): 'en' | 'ar' {
  const preferred = req.acceptsLanguages('en', 'ar');
  return preferred === 'ar' ? 'ar' : 'en';
}
