import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from './adapter.js';
import type { FaultInjector } from './fault-injection.js';

export interface JsonRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
}

export interface JsonResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type JsonHandler = (request: JsonRequest) => Promise<JsonResponse> | JsonResponse;

export interface JsonHttpServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
  /** @default 1 MiB */
  readonly bodyLimitBytes?: number;
  /** Called with errors the handler threw (the client gets a 500 without details). */
  readonly onError?: (error: unknown) => void;
  /** Sandbox fault injection; also serves its control endpoint (`/__sandbox/faults`). */
  readonly faults?: FaultInjector;
}

/**
 * A small JSON-over-HTTP server for sandboxes (the stand-in national systems) and standalone
 * subgraphs: body limit, JSON parsing with a 400 on bad input, keep-alive, graceful close.
 */
export async function startJsonHttpServer(handler: JsonHandler, options: JsonHttpServerOptions = {}): Promise<RunningServer & { readonly server: Server }> {
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = await readJsonBody(req, bodyLimit);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      send(res, { status, body: { error: { code: status === 413 ? 'BodyTooLarge' : 'BadRequest', message: (error as Error).message } } });
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      const request: JsonRequest = { method: req.method ?? 'GET', url, headers: req.headers, body };
      const faults = options.faults;
      if (faults !== undefined) {
        const control = faults.control(request);
        if (control !== undefined) {
          send(res, control);
          return;
        }
        const decision = await faults.decide();
        if (decision.kind === 'drop') {
          req.socket.destroy();
          return;
        }
        if (decision.kind === 'respond') {
          send(res, decision.response);
          return;
        }
      }
      send(res, await handler(request));
    } catch (error) {
      options.onError?.(error);
      send(res, { status: 500, body: { error: { code: 'InternalError', message: 'internal error' } } });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () => closeServer(server),
  };
}

function send(res: ServerResponse, response: JsonResponse): void {
  if (res.headersSent) return;
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...(payload.length > 0 ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(payload),
    ...response.headers,
  });
  res.end(payload);
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error(`body larger than ${limit} bytes`), { status: 413 });
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('body is not valid JSON'), { status: 400 });
  }
}

/** Stops accepting, lets in-flight responses finish, then closes idle keep-alive sockets. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), 5_000);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
