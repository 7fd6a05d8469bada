import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Parser, fromFile, DiagnosticSeverity, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { schemasDir } from '../../schemas/schema-files.js';
import { deadLetterTopicFor, EventCatalogue, MEMBER_STATES, topicFor } from '../../gateway/events/event-catalogue.js';

/**
 * schemas/asyncapi.yaml against the event catalogue: the document must parse with no error, and
 * its messages must be exactly the catalogue's event types (both directions), each with its JSON
 * Schema as payload, so the two can never drift apart. Nothing may be fetched: remote references
 * are refused by the resolver and any outgoing TCP connection fails the test.
 */
const DOCUMENT = join(schemasDir(), 'asyncapi.yaml');
const DEAD_LETTER = 'deadLetter';

describe('schemas/asyncapi.yaml', () => {
  const remoteReads: string[] = [];
  const connections: string[] = [];
  const originalConnect = net.Socket.prototype.connect;
  let document: AsyncAPIDocumentInterface | undefined;
  let diagnostics: Diagnostic[] = [];
  const catalogue = EventCatalogue.load();
  const raw = parseYaml(readFileSync(DOCUMENT, 'utf8')) as {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    components: { messages: Record<string, { name: string; payload: { $ref?: string }; headers: { allOf?: Array<{ properties?: { ce_type?: { const?: string } } }> } }> };
  };

  beforeAll(async () => {
    // Refuse the network for the whole parse: a connection attempt is recorded and fails.
    // Loopback connections are let through: they are other suites' servers in this Jest worker
    // (a client of an earlier suite reconnecting), never a parser reaching out to the Internet.
    net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
      // net.connect() and http agents call connect() with Node's normalised arguments: one array
      // whose first element holds the options.
      const first = args[0];
      const target = (Array.isArray(first) ? first[0] : first) as { host?: unknown } | undefined;
      const host = typeof target === 'object' && target !== null ? target.host : undefined;
      if (host === '127.0.0.1' || host === '::1' || host === 'localhost') return originalConnect.apply(this, args as Parameters<typeof originalConnect>);
      connections.push(JSON.stringify(args[0]));
      throw new Error('the AsyncAPI parse must not open network connections');
    } as typeof originalConnect;
    const refuseRemote = (uri: { toString(): string }): string => {
      remoteReads.push(uri.toString());
      // A string stops the parser's own http(s) readers from running after this one.
      return '{}';
    };
    const parser = new Parser({
      __unstable: {
        resolver: {
          cache: false,
          resolvers: [
            { schema: 'http', order: 1, read: refuseRemote },
            { schema: 'https', order: 1, read: refuseRemote },
          ],
        },
      },
    });
    const result = await fromFile(parser, DOCUMENT).parse();
    document = result.document;
    diagnostics = result.diagnostics;
  }, 60_000);
  afterAll(() => {
    net.Socket.prototype.connect = originalConnect;
  });

  it('parses as AsyncAPI 3.0.0 with no error and without touching the network', () => {
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    expect(errors.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document?.version()).toBe('3.0.0');
    expect(remoteReads).toEqual([]);
    expect(connections).toEqual([]);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
  });

  it('has one message per catalogue event type and no other, each with its local JSON Schema as payload', () => {
    const eventMessages = Object.entries(raw.components.messages).filter(([key]) => key !== DEAD_LETTER);
    expect(eventMessages.map(([key]) => key).sort()).toEqual(catalogue.types.sort());
    for (const [key, message] of eventMessages) {
      expect(message.name).toBe(key);
      expect(message.payload.$ref).toBe(`./events/${key}.schema.json`);
      const typeConst = message.headers.allOf?.map((part) => part.properties?.ce_type?.const).find((c) => c !== undefined);
      expect(typeConst).toBe(key);
    }
  });

  it('resolves every message payload to the same schema the catalogue validates with', () => {
    const messages = document?.components().messages().all() ?? [];
    const payloadTitles = messages
      .filter((m) => m.id() !== DEAD_LETTER)
      .map((m) => {
        const json = m.payload()?.json() as { title?: string; 'x-gcc-sensitivity'?: string } | undefined;
        const id = m.id();
        const onDisk = JSON.parse(readFileSync(join(schemasDir(), 'events', `${id}.schema.json`), 'utf8')) as { title: string };
        expect(json?.title).toBe(onDisk.title);
        expect(json?.['x-gcc-sensitivity']).toBe(catalogue.sensitivityOf(id));
        return json?.title;
      });
    expect(payloadTitles.sort()).toEqual(catalogue.types.sort());
  });

  it('carries every catalogue event on both the per-state and the broadcast channel, and dead letters on the .dlq channels', () => {
    const byAddress = new Map(Object.values(raw.channels).map((c) => [c.address, c]));
    for (const address of ['gcc.{state}.{domain}', 'gcc.all.{domain}']) {
      const channel = byAddress.get(address);
      expect(Object.keys(channel?.messages ?? {}).sort()).toEqual(catalogue.types.sort());
    }
    for (const address of ['gcc.{state}.{domain}.dlq', 'gcc.all.{domain}.dlq']) {
      expect(Object.keys(byAddress.get(address)?.messages ?? {})).toEqual([DEAD_LETTER]);
    }
    expect(deadLetterTopicFor(topicFor('QA', 'hr'))).toBe('gcc.qa.hr.dlq');
  });

  it('lists the catalogue\u2019s domains and the six member states as the channel parameters', () => {
    const channel = document?.channels().all().find((c) => c.address() === 'gcc.{state}.{domain}');
    const parameters = Object.fromEntries((channel?.parameters().all() ?? []).map((p) => [p.id(), (p.json() as { enum?: string[] }).enum]));
    expect([...(parameters['domain'] ?? [])].sort()).toEqual(catalogue.domains);
    expect(parameters['state']).toEqual(MEMBER_STATES.map((s) => s.toLowerCase()));
  });

  it('uses the Kafka bindings: the subject as key, acks all on the relay, servers for both transports', () => {
    const servers = document?.servers().all().map((s) => [s.id(), s.protocol()]);
    expect(servers).toEqual(expect.arrayContaining([['embedded', 'file'], ['kafka', 'kafka']]));
    const message = document?.components().messages().all().find((m) => m.id() === 'gcc.hr.employment.ended.v1');
    const key = message?.bindings().get('kafka')?.value<{ key?: { description?: string } }>().key;
    expect(key?.description).toContain('subject');
    const relay = document?.operations().all().find((o) => o.id() === 'sendToState');
    expect(relay?.action()).toBe('send');
    expect(relay?.description()).toMatch(/acks all \(-1\)/);
    expect(raw.asyncapi).toBe('3.0.0');
  });
});
