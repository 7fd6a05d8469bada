/**
 * A minimal Kafka client over a raw socket, for tests that must control the exact bytes (pipelined
 * requests, corrupt batches, garbage frames) where kafkajs would not let them. Requests use header
 * v1; responses are matched by correlation id and must arrive in request order.
 */
import { connect, type Socket } from 'node:net';
import { Decoder } from './protocol/decoder.js';
import { Encoder } from './protocol/encoder.js';

interface Waiting {
  correlationId: number;
  resolve: (body: Decoder) => void;
  reject: (error: Error) => void;
}

export class RawKafkaClient {
  private nextCorrelationId = 1;
  private readonly waiting: Waiting[] = [];
  private buffered = Buffer.alloc(0);
  /** Resolves when the broker (or we) closed the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.once('close', () => {
      for (const waiting of this.waiting.splice(0)) waiting.reject(new Error('connection closed'));
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RawKafkaClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Encodes one request (header v1); `send` writes it. */
  frame(apiKey: number, apiVersion: number, writeBody: (encoder: Encoder) => void, clientId = 'raw-client') {
    const correlationId = this.nextCorrelationId++;
    const body = new Encoder().writeInt16(apiKey).writeInt16(apiVersion).writeInt32(correlationId).writeString(clientId);
    writeBody(body);
    const bytes = body.toBuffer();
    const framed = Buffer.allocUnsafe(4 + bytes.length);
    framed.writeInt32BE(bytes.length, 0);
    bytes.copy(framed, 4);
    return { correlationId, bytes: framed };
  }

  /** Sends a request and resolves with a decoder positioned after the response header. */
  request(apiKey: number, apiVersion: number, writeBody: (encoder: Encoder) => void): Promise<Decoder> {
    const { correlationId, bytes } = this.frame(apiKey, apiVersion, writeBody);
    const response = this.expect(correlationId);
    this.socket.write(bytes);
    return response;
  }

  /** Registers interest in the response to `correlationId` (for frames written with `writeRaw`). */
  expect(correlationId: number): Promise<Decoder> {
    return new Promise((resolve, reject) => this.waiting.push({ correlationId, resolve, reject }));
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const decoder = new Decoder(this.buffered.subarray(4, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
      const correlationId = decoder.readInt32();
      const next = this.waiting.shift();
      if (next === undefined) continue;
      if (next.correlationId !== correlationId) {
        next.reject(new Error(`expected correlation id ${next.correlationId}, got ${correlationId}`));
        continue;
      }
      next.resolve(decoder);
    }
  }
}
