import express, { type Router } from 'express';
import type { QualityStatus } from './service-status.js';
import { renderStatusPage, STATUS_ICON, STATUS_ICON_PATH, STATUS_STYLESHEET, STATUS_STYLESHEET_PATH } from './status-page.js';

export const STATUS_PATH = '/status';

/**
 * The status page's policy: server-rendered HTML and one stylesheet from this origin; no script,
 * no inline style, nothing from elsewhere, no framing (CSP Level 3, https://www.w3.org/TR/CSP3/).
 */
export const STATUS_CSP = ["default-src 'none'", "style-src 'self'", "img-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': STATUS_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * `/status` (English; `/status?lang=ar` Arabic, right to left), `/status.json` for machines and the
 * stylesheet. Mounted on every listener of the gateway through `createApp({ routers })`.
 */
export function createStatusRouter(options: { readonly status: () => QualityStatus }): Router {
  // Strict: `/status/` must not serve the page, whose relative links would then point one level down.
  const router = express.Router({ strict: true });
  router.get(STATUS_PATH, (req, res) => {
    const lang = req.query['lang'];
    const language = lang === 'ar' ? 'ar' : 'en';
    res.set({ ...SECURITY_HEADERS, 'content-language': language }).type('text/html; charset=utf-8').send(renderStatusPage(options.status(), language));
  });
  router.get(`${STATUS_PATH}/`, (_req, res) => {
    // Relative, so it also works behind a path prefix.
    res.redirect(301, '../status');
  });
  router.get(`${STATUS_PATH}.json`, (_req, res) => {
    res.set(SECURITY_HEADERS).type('application/json; charset=utf-8').send(JSON.stringify(options.status()));
  });
  router.get(`/${STATUS_STYLESHEET_PATH}`, (_req, res) => {
    res.set({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type('text/css; charset=utf-8').send(STATUS_STYLESHEET);
  });
  router.get(`/${STATUS_ICON_PATH}`, (_req, res) => {
    res.set({ ...SECURITY_HEADERS, 'cache-control': 'max-age=86400' }).type('image/svg+xml').send(STATUS_ICON);
  });
  return router;
}
