/** A CRL distribution point over HTTP (RFC 5280 §4.2.1.13: DER, application/pkix-crl). */
import { listen, type RunningServer } from './http-util.js';

export interface CrlServer extends RunningServer {
  /** Publishes (or replaces) the CRL served at `/<name>`. */
  setCrl(name: string, der: Uint8Array): void;
  requestCount(): number;
}

export async function startCrlServer(options: { readonly crls?: Readonly<Record<string, Uint8Array>>; readonly host?: string; readonly port?: number } = {}): Promise<CrlServer> {
  const crls = new Map<string, Uint8Array>(Object.entries(options.crls ?? {}));
  let count = 0;
  const server = await listen(async (req, res) => {
    count++;
    const name = decodeURIComponent((req.url ?? '/').replace(/^\/+/, '').split('?')[0] ?? '');
    const crl = req.method === 'GET' ? crls.get(name) : undefined;
    if (!crl) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': crl.length });
    res.end(crl);
  }, options);
  return {
    ...server,
    setCrl: (name, der) => {
      if (!(der instanceof Uint8Array)) throw new TypeError('setCrl needs DER bytes');
      crls.set(name, der);
    },
    requestCount: () => count,
  };
}
