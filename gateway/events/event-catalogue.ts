import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { eventSchemaPath, listEventTypes } from '../../schemas/schema-files.js';
import { InvalidEventError, type CloudEvent } from './cloud-event.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export type MemberState = 'BH' | 'KW' | 'OM' | 'QA' | 'SA' | 'AE';
export const MEMBER_STATES: readonly MemberState[] = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'];

/** How sensitive an event type's data is (the `@sensitivity` levels of the GraphQL schema). */
export type EventSensitivity = 'PUBLIC' | 'INTERNAL' | 'PERSONAL' | 'FINANCIAL';
const SENSITIVITY_ORDER: readonly EventSensitivity[] = ['PUBLIC', 'INTERNAL', 'PERSONAL', 'FINANCIAL'];
/**
 * The annotation each event schema carries at its root. Unknown to JSON Schema, so it is declared
 * to Ajv as an annotation keyword (strict mode refuses unknown keywords otherwise).
 */
export const SENSITIVITY_KEYWORD = 'x-gcc-sensitivity';

/**
 * The event types this gateway knows, each with its JSON Schema (schemas/events/<type>.schema.json),
 * and the topic naming: `gcc.<state>.<domain>` for one member state, `gcc.all.<domain>` for all.
 */
export class EventCatalogue {
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #sensitivity = new Map<string, EventSensitivity>();

  private constructor(types: readonly string[]) {
    const ajv = addFormats(new Ajv2020({ allErrors: false, strict: true }));
    ajv.addKeyword({ keyword: SENSITIVITY_KEYWORD, schemaType: 'string' });
    for (const type of types) {
      const schema = JSON.parse(readFileSync(eventSchemaPath(type), 'utf8')) as Record<string, unknown>;
      const level = schema[SENSITIVITY_KEYWORD];
      // Fail closed: a schema that does not say how sensitive its data is cannot be loaded.
      if (typeof level !== 'string' || !(SENSITIVITY_ORDER as readonly string[]).includes(level)) {
        throw new TypeError(`schemas/events/${type}.schema.json must declare "${SENSITIVITY_KEYWORD}": one of ${SENSITIVITY_ORDER.join(', ')}`);
      }
      this.#sensitivity.set(type, level as EventSensitivity);
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

  has(type: string): boolean {
    return this.#validators.has(type);
  }

  /** The domains of the known types (`hr`, `cloud`, `trust`), sorted: one topic per state and domain. */
  get domains(): string[] {
    return [...new Set(this.types.map(domainOf))].sort();
  }

  /** The sensitivity the type's schema declares. */
  sensitivityOf(type: string): EventSensitivity {
    const level = this.#sensitivity.get(type);
    if (level === undefined) throw new InvalidEventError(`no schema for event type ${type}`, 'unknown-type');
    return level;
  }

  /** The most sensitive level of any type: what a field carrying any event's data must be annotated with. */
  get maxSensitivity(): EventSensitivity {
    let max = 0;
    for (const level of this.#sensitivity.values()) max = Math.max(max, SENSITIVITY_ORDER.indexOf(level));
    return SENSITIVITY_ORDER[max] as EventSensitivity;
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
