import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { eventSchemaPath, listEventTypes } from '../../schemas/schema-files.js';
import { InvalidEventError, type CloudEvent } from './cloud-event.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export type MemberState = 'BH' | 'KW' | 'OM' | 'QA' | 'SA' | 'AE';
export const MEMBER_STATES: readonly MemberState[] = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'];

/**
 * The event types this gateway knows, each with its JSON Schema (schemas/events/<type>.schema.json),
 * and the topic naming: `gcc.<state>.<domain>` for one member state, `gcc.all.<domain>` for all.
 */
export class EventCatalogue {
  readonly #validators = new Map<string, ValidateFunction>();

  private constructor(types: readonly string[]) {
    const ajv = addFormats(new Ajv2020({ allErrors: false, strict: true }));
    for (const type of types) {
      const schema = JSON.parse(readFileSync(eventSchemaPath(type), 'utf8')) as object;
      this.#validators.set(type, ajv.compile(schema));
    }
  }

  /** Loads every committed event schema. */
  static load(): EventCatalogue {
    return new EventCatalogue(listEventTypes());
  }

  get types(): string[] {
    return [...this.#validators.keys()];
  }

  /** Throws `InvalidEventError` (`unknown-type` or `schema`) unless the event's data matches its schema. */
  validate(event: CloudEvent<unknown>): void {
    const validate = this.#validators.get(event.type);
    if (validate === undefined) throw new InvalidEventError(`no schema for event type ${event.type}`, 'unknown-type');
    if (!validate(event.data)) {
      const first = validate.errors?.[0];
      throw new InvalidEventError(`data does not match ${event.type}: ${first?.instancePath || '(root)'} ${first?.message ?? 'is invalid'}`, 'schema');
    }
  }
}

/** `gcc.hr.employment.ended.v1` -> `hr`. */
export function domainOf(type: string): string {
  const domain = type.split('.')[1];
  if (domain === undefined) throw new TypeError(`invalid event type: ${type}`);
  return domain;
}

export function topicFor(audience: MemberState | 'all', domain: string): string {
  if (audience !== 'all' && !MEMBER_STATES.includes(audience)) throw new TypeError(`unknown member state: ${String(audience)}`);
  if (!/^[a-z][a-z0-9-]*$/.test(domain)) throw new TypeError(`invalid domain: ${domain}`);
  return `gcc.${audience === 'all' ? 'all' : audience.toLowerCase()}.${domain}`;
}

/** The dead-letter topic of a topic. */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}.dlq`;
}
