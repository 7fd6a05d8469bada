import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { EXAMPLE_OPERATIONS } from './example-operations.js';

const require = createRequire(import.meta.url);

/** Files of the offline explorer, served from the installed packages (no CDN, nothing fetched). */
function assetFiles(): Record<string, string> {
  const graphiql = dirname(require.resolve('graphiql/package.json'));
  const react = dirname(require.resolve('react/package.json'));
  const reactDom = dirname(require.resolve('react-dom/package.json'));
  return {
    'graphiql.min.js': join(graphiql, 'graphiql.min.js'),
    'graphiql.min.css': join(graphiql, 'graphiql.min.css'),
    'react.production.min.js': join(react, 'umd', 'react.production.min.js'),
    'react-dom.production.min.js': join(reactDom, 'umd', 'react-dom.production.min.js'),
  };
}

export interface ExplorerOptions {
  /** Shown in a banner above the explorer, e.g. that the port is insecure. */
  readonly notice?: string;
  readonly graphqlPath: string;
}

/**
 * The explorer: GraphiQL, bundled and served by the gateway, pre-loaded with example operations.
 * Its page allows scripts from this origin only (Content-Security-Policy), so it works offline and
 * cannot be made to load code from elsewhere.
 */
export function createExplorerRouter(options: ExplorerOptions): Router {
  const router = express.Router();
  const files = assetFiles();
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    // GraphiQL and CodeMirror set inline styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  router.get('/', (_req, res) => {
    res.set({ 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    res.type('html').send(explorerHtml(options.notice));
  });
  router.get('/explorer/config.json', (_req, res) => {
    res.json({ graphqlPath: options.graphqlPath, examples: EXAMPLE_OPERATIONS });
  });
  router.get('/explorer/init.js', (_req, res) => {
    res.type('application/javascript').set('cache-control', 'no-cache').send(INIT_SCRIPT);
  });
  router.get('/explorer/:file', (req, res, next) => {
    const path = files[req.params.file];
    if (path === undefined) {
      next();
      return;
    }
    res.set({ 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
    res.sendFile(path);
  });
  return router;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function explorerHtml(notice: string | undefined): string {
  const banner =
    notice === undefined
      ? ''
      : `<div id="gccgw-notice" role="alert" style="background:#8a1c1c;color:#fff;font:14px system-ui,sans-serif;padding:6px 12px">${escapeHtml(notice)}</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GCC Interop Gateway · Explorer · مستكشف بوابة التكامل الخليجية</title>
<link rel="stylesheet" href="/explorer/graphiql.min.css">
<style>html,body{height:100%;margin:0}body{display:flex;flex-direction:column}#graphiql{flex:1;min-height:0}</style>
</head>
<body>
${banner}
<div id="graphiql">Loading the explorer… جارٍ تحميل المستكشف…</div>
<script src="/explorer/react.production.min.js"></script>
<script src="/explorer/react-dom.production.min.js"></script>
<script src="/explorer/graphiql.min.js"></script>
<script src="/explorer/init.js"></script>
</body>
</html>
`;
}

/** Runs in the browser: loads the config and mounts GraphiQL with one tab per example. */
const INIT_SCRIPT = `(async function () {
  var config = await (await fetch('/explorer/config.json')).json();
  var base = GraphiQL.createFetcher({ url: config.graphqlPath });
  // Each example declares its purpose of use; GraphiQL does not send a default tab's headers, so
  // the fetcher adds the purpose of the example whose operation runs (headers typed in the editor win).
  var purposes = {};
  config.examples.forEach(function (example) {
    var name = /(?:query|mutation|subscription)\\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(example.query);
    if (name && example.purpose) purposes[name[1]] = example.purpose;
  });
  var fetcher = function (params, options) {
    var purpose = params && params.operationName ? purposes[params.operationName] : undefined;
    var headers = Object.assign({}, purpose ? { 'x-gccgw-purpose': purpose } : {}, (options && options.headers) || {});
    return base(params, Object.assign({}, options, { headers: headers }));
  };
  var tabs = config.examples.map(function (example) {
    return example.purpose ? { query: example.query, headers: JSON.stringify({ 'x-gccgw-purpose': example.purpose }, null, 2) } : { query: example.query };
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultTabs: tabs,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }));
})();
`;
