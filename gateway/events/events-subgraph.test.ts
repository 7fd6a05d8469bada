import { describe, expect, it } from '@jest/globals';
import { execute, Kind, parse } from 'graphql';
import { readFieldSensitivities } from '../../adapters/kit/index.js';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { EventCatalogue } from './event-catalogue.js';
import { createEventsSubgraph, EVENTS_SUBGRAPH } from './events-subgraph.js';

describe('the events subgraph', () => {
  const sdl = readSubgraphSdl(EVENTS_SUBGRAPH);
  const levels = readFieldSensitivities(sdl);

  it('annotates event data with the most sensitive level any event schema declares, so it cannot drift from the catalogue', () => {
    const catalogue = EventCatalogue.load();
    expect(catalogue.maxSensitivity).toBe('PERSONAL');
    expect(levels.get('Event.data')).toBe(catalogue.maxSensitivity);
    // The subject may be an employee number (employment events): personal too.
    expect(levels.get('Event.subject')).toBe('PERSONAL');
  });

  it('puts @sensitivity on every output field', () => {
    const missing: string[] = [];
    for (const definition of parse(sdl).definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      for (const field of definition.fields ?? []) {
        if (!levels.has(`${definition.name.value}.${field.name.value}`)) missing.push(`${definition.name.value}.${field.name.value}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('builds a federated schema with a subscription root, and answers ERR_EVENTS_DISABLED without events', async () => {
    const subgraph = createEventsSubgraph(undefined);
    expect(subgraph.schema.getSubscriptionType()?.getFields()['eventReceived']).toBeDefined();
    const result = await execute({ schema: subgraph.schema, document: parse('{ events { edges { cursor } } }'), contextValue: { clientId: 'GCC:QA:GOV:CSGDB:hr-portal' } });
    expect(result.errors?.[0]?.extensions['code']).toBe('ERR_EVENTS_DISABLED');
  });
});
