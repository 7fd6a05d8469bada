import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createCloudEvent, type CloudEvent } from '../../gateway/events/cloud-event.js';
import { signCloudEvent } from '../../gateway/events/event-processor.js';
import type { Signer } from '../../trust/index.js';
import { postGraphQL, type GraphQLHttpResponse } from '../support/gateway-harness.js';

/** What a member system does, with real clients: sign and publish over HTTP, subscribe over WebSocket. */

export const PUBLISH = `mutation Publish($input: PublishEventInput!) { publishEvent(input: $input) { eventId topic } }`;
export const EVENTS = `query Events($after: String, $types: [String!], $first: Int) {
  events(after: $after, types: $types, first: $first) {
    edges { cursor node { id type source subject data topic partition offset signature signatureProof dataSensitivity cursor } }
    pageInfo { hasNextPage endCursor }
  }
}`;
export const EVENT_RECEIVED = `subscription Received($types: [String!]) {
  eventReceived(types: $types) { id type source subject time data topic partition offset signature signatureProof dataSensitivity cursor }
}`;

export interface ReceivedEventPayload {
  id: string;
  type: string;
  source: string;
  subject: string;
  data: Record<string, unknown>;
  topic: string;
  partition: number;
  offset: string;
  signature: string;
  /** The batch inclusion proof (ce_jwsproof); null for an event signed on its own. */
  signatureProof: string | null;
  dataSensitivity: string;
  cursor: string;
}

export interface EventsPage {
  edges: Array<{ cursor: string; node: ReceivedEventPayload }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The purpose a subscriber declares on the upgrade request (event payloads are personal data). */
export const SUBSCRIBE_PURPOSE = 'EMPLOYMENT_VERIFICATION';

class PurposeWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols, { headers: { 'x-gccgw-purpose': SUBSCRIBE_PURPOSE } });
  }
}

let sequence = 0;

/** An employment-ended event about a national of `nationality`, signed by `signer` as `source`. */
export async function signedEmploymentEnded(source: string, signer: Signer, time: Date, overrides: Partial<Record<string, unknown>> = {}): Promise<CloudEvent> {
  sequence += 1;
  const employeeNumber = `E${String(100000 + sequence)}`;
  const event = createCloudEvent({
    source,
    type: 'gcc.hr.employment.ended.v1',
    subject: employeeNumber,
    time: time.toISOString(),
    data: {
      employeeNumber,
      person: { nationalId: `2870${String(1000000 + sequence)}`, issuingState: 'QA' },
      nationality: 'QA',
      entity: { state: 'SA', code: 'MHRSD' },
      endDate: '2026-11-30',
      reason: 'END_OF_CONTRACT',
      ...overrides,
    },
  });
  return signCloudEvent(event, signer);
}

/** The `PublishEventInput` for a signed event. */
export function publishInput(event: CloudEvent, audience: string): Record<string, unknown> {
  return { id: event.id, source: event.source, type: event.type, subject: event.subject, time: event.time, data: event.data, signature: event.jws, audience };
}

export async function publish(graphqlUrl: string, event: CloudEvent, audience: string): Promise<GraphQLHttpResponse> {
  return postGraphQL(graphqlUrl, { query: PUBLISH, variables: { input: publishInput(event, audience) } });
}

export async function readEvents(graphqlUrl: string, variables: Record<string, unknown> = {}): Promise<EventsPage> {
  const response = await postGraphQL(graphqlUrl, { query: EVENTS, variables });
  if (response.body.errors !== undefined) throw new Error(`events query failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data?.['events'] as EventsPage;
}

export interface EventSubscriber {
  readonly client: Client;
  readonly received: ReceivedEventPayload[];
  readonly errors: unknown[];
  /** The close event of the socket, once it closed. */
  closed: { code: number; reason: string } | undefined;
  dispose(): Promise<void>;
}

/** A graphql-ws client (over the `ws` package) subscribed to `eventReceived`. */
export function subscribeToEvents(url: string, types?: string[]): EventSubscriber {
  const subscriber: EventSubscriber = {
    client: undefined as unknown as Client,
    received: [],
    errors: [],
    closed: undefined,
    dispose: async () => {
      await subscriber.client.dispose();
    },
  };
  const client = createClient({
    url,
    webSocketImpl: PurposeWebSocket,
    retryAttempts: 0,
    lazy: false,
    // A non-lazy client reports the socket closing here (console.error by default).
    onNonLazyError: (error) => subscriber.errors.push(error),
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        subscriber.closed = { code, reason };
      },
    },
  });
  Object.assign(subscriber, { client });
  client.subscribe<{ eventReceived: ReceivedEventPayload }>(
    { query: EVENT_RECEIVED, variables: types !== undefined ? { types } : {} },
    {
      next: (result) => {
        if (result.errors !== undefined) subscriber.errors.push(...result.errors);
        if (result.data?.eventReceived !== undefined) subscriber.received.push(result.data.eventReceived);
      },
      error: (error) => subscriber.errors.push(error),
      complete: () => undefined,
    },
  );
  return subscriber;
}
