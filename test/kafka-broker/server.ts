/**
 * The TCP side of the test broker: size-prefixed frames in, requests decoded and handled one at a
 * time per connection (a Kafka broker mutes a connection while it handles its request, so
 * pipelined requests are answered in order), responses framed out.
 *
 * Untrusted input is contained per connection: a frame that is too large or too small, an unknown
 * API key, an unsupported version or bytes that do not decode close that connection and nothing
 * else. ApiVersions at an unknown version is the exception the protocol defines: it is answered
 * with UNSUPPORTED_VERSION so the client can retry lower (KIP-511).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { API_ROUTES, type RequestContext } from './broker/api-routes.js';
import type { ClusterState } from './broker/cluster-state.js';
import type { RequestHandler } from './broker/request-handler.js';
import { apiName, ApiKey, isSupportedVersion, SUPPORTED_VERSIONS, type ApiName } from './protocol/api-keys.js';
import { encodeApiVersionsResponse } from './protocol/apis/api-versions.js';
import { Decoder } from './protocol/decoder.js';
import { Encoder } from './protocol/encoder.js';
import { ErrorCode, MalformedRequestError } from './protocol/errors.js';
import { decodeRequestHeader, type RequestHeader } from './protocol/request-header.js';

/** pino-compatible: `logger.warn({ ...context }, 'message')`. */
export interface KafkaTestBrokerLogger {
  debug(context: object, message?: string): void;
  info(context: object, message?: string): void;
  warn(context: object, message?: string): void;
  error(context: object, message?: string): void;
}

export const silentLogger: KafkaTestBrokerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Request header v1 is at least 10 bytes: key, version, correlation id, client id length. */
const MIN_FRAME_BYTES = 10;
/** Frames read ahead of the one being handled before the socket stops reading. */
const MAX_QUEUED_FRAMES = 64;

interface ServerOptions {
  handler: RequestHandler;
  cluster: ClusterState;
  /** Advertise every API from version 0, as real brokers do (see index.ts). */
  advertiseFromVersionZero: boolean;
  logger: KafkaTestBrokerLogger;
  maxFrameBytes: number;
}

/** What a request comes to: a response body, no response (Produce with acks=0), or a closed connection. */
type Outcome = { body: Buffer } | { body: null } | { close: string };

class Connection {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly frames: Buffer[] = [];
  private busy = false;
  closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: ServerOptions,
    private readonly onClose: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== undefined) {
      this.options.logger.warn({ remote: this.socket.remoteAddress, port: this.socket.remotePort, reason }, 'closing connection');
    }
    this.socket.destroy();
    this.onClose(this);
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= 4) {
      let first = this.pending[0] as Buffer;
      if (first.length < 4) {
        first = Buffer.concat(this.pending);
        this.pending = [first];
      }
      const size = first.readInt32BE(0);
      if (size < MIN_FRAME_BYTES || size > this.options.maxFrameBytes) {
        this.close(`frame size ${size} outside [${MIN_FRAME_BYTES}, ${this.options.maxFrameBytes}]`);
        return;
      }
      // Chunks are joined only once the whole frame is here, so a large frame is copied once.
      if (this.pendingBytes < 4 + size) break;
      const all = this.pending.length === 1 ? first : Buffer.concat(this.pending);
      this.frames.push(all.subarray(4, 4 + size));
      const rest = all.subarray(4 + size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    // Requests are handled one at a time; stop reading while a client pipelines far ahead.
    if (this.frames.length >= MAX_QUEUED_FRAMES) this.socket.pause();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let frame = this.frames.shift(); frame !== undefined && !this.closed; frame = this.frames.shift()) {
        if (this.socket.isPaused() && this.frames.length < MAX_QUEUED_FRAMES / 2) this.socket.resume();
        await this.process(frame);
      }
    } finally {
      this.busy = false;
    }
  }

  private async process(frame: Buffer): Promise<void> {
    let header: RequestHeader | undefined;
    try {
      const decoder = new Decoder(frame);
      header = decodeRequestHeader(decoder);
      this.options.logger.debug(
        { api: apiName(header.apiKey) ?? header.apiKey, version: header.apiVersion, correlationId: header.correlationId, clientId: header.clientId },
        'request',
      );
      const outcome = await dispatch(header, decoder, this.options, {
        client: { clientId: header.clientId ?? '', clientHost: this.socket.remoteAddress ?? '' },
        isClosed: () => this.closed,
      });
      if ('close' in outcome) {
        this.close(outcome.close);
        return;
      }
      if (outcome.body === null || this.closed) return;
      const response = Buffer.allocUnsafe(8 + outcome.body.length);
      response.writeInt32BE(4 + outcome.body.length, 0);
      response.writeInt32BE(header.correlationId, 4);
      outcome.body.copy(response, 8);
      this.socket.write(response);
    } catch (error) {
      if (error instanceof MalformedRequestError) {
        this.close(`malformed request: ${error.message}`);
        return;
      }
      this.options.logger.error(
        { err: error, apiKey: header?.apiKey, apiVersion: header?.apiVersion },
        'request handler failed; closing the connection',
      );
      this.close('internal error');
    }
  }
}

function encode(write: (encoder: Encoder) => void): Outcome {
  const encoder = new Encoder();
  write(encoder);
  return { body: encoder.toBuffer() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function dispatch(
  header: RequestHeader,
  decoder: Decoder,
  options: ServerOptions,
  context: RequestContext,
): Promise<Outcome> {
  const name: ApiName | undefined = apiName(header.apiKey);
  if (name === undefined) return { close: `unknown api key ${header.apiKey}` };
  if (name === 'ApiVersions') {
    // An unknown ApiVersions version is answered in the v0 layout every client reads (KIP-511).
    const supported = isSupportedVersion(name, header.apiVersion);
    const version = supported ? header.apiVersion : 0;
    const response = apiVersions(supported ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_VERSION, options.advertiseFromVersionZero);
    return encode((e) => encodeApiVersionsResponse(e, version, response));
  }
  // No response layout exists for a version we do not speak, so, like a Kafka broker, drop the
  // connection; only ApiVersions has a version-independent error answer (above).
  if (!isSupportedVersion(name, header.apiVersion)) return { close: `${name} v${header.apiVersion} is not implemented` };
  const route = API_ROUTES[name];
  const request = route.decode(decoder, header.apiVersion);
  const fault = options.cluster.faults.take(name, {
    brokerId: options.handler.nodeId,
    clientId: context.client.clientId,
    topics: route.topics(request),
  });
  if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
  if (fault?.closeConnection === true) return { close: `injected fault on ${name}` };
  const response =
    fault?.errorCode !== undefined
      ? route.fail(request, fault.errorCode)
      : await route.handle(options.handler, request, context);
  // acks=0: the producer expects no response at all, not even an empty one.
  if (route.expectsResponse?.(request) === false) return { body: null };
  return encode((e) => route.encode(e, response, header.apiVersion));
}

function apiVersions(errorCode: number, fromVersionZero: boolean) {
  return {
    errorCode,
    apiKeys: (Object.keys(SUPPORTED_VERSIONS) as ApiName[])
      .map((name) => ({
        apiKey: ApiKey[name],
        minVersion: fromVersionZero ? 0 : SUPPORTED_VERSIONS[name].minVersion,
        maxVersion: SUPPORTED_VERSIONS[name].maxVersion,
      }))
      .sort((left, right) => left.apiKey - right.apiKey),
  };
}

/** Owns the listening socket and every open connection. */
export class KafkaTestServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(private readonly options: ServerOptions) {
    this.server = createServer((socket) => {
      const connection = new Connection(socket, this.options, (closed) => this.connections.delete(closed));
      this.connections.add(connection);
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the broker is not listening on a TCP port'));
          return;
        }
        resolve(address.port);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, drops every connection, and resolves once the listener is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const connection of [...this.connections]) connection.close();
    });
  }
}
