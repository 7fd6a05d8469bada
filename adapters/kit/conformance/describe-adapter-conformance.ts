import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import {
  execute,
  getNamedType,
  isObjectType,
  Kind,
  parse,
  type DefinitionNode,
  type ExecutionResult,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { pino } from 'pino';
import { listSubgraphSdlNames, readSubgraphSdl } from '../../../schemas/schema-files.js';
import type { Adapter, AdapterSubgraph, RunningServer } from '../adapter.js';
import { AdapterError } from '../adapter-error.js';
import { FAULTS_PATH, NO_FAULTS, type FaultSettings } from '../fault-injection.js';
import { readFieldSensitivities, SENSITIVITY_SPEC_URL } from '../sensitivity.js';

export interface AdapterConformanceOptions {
  /** Upstream timeout of the subgraph under test. @default 10000 */
  readonly upstreamTimeoutMillis?: number;
  /** Upstream timeout of a second subgraph used to check that timeouts are honoured. @default 300 */
  readonly shortTimeoutMillis?: number;
  /** Latency injected into the sandbox to exceed `shortTimeoutMillis`. @default 2000 */
  readonly injectedLatencyMillis?: number;
  /** The largest `first` every connection accepts. @default 100 */
  readonly maxPageSize?: number;
  /**
   * Whether the adapter must have at least one Query connection field. An adapter without lists in
   * pages sets it to false and passes `probe`.
   * @default true
   */
  readonly requireConnections?: boolean;
  /** Values for required (or useful) arguments of connection fields, by Query field name. */
  readonly connectionArguments?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The operation used to observe upstream failures (it must reach the upstream).
   * @default the first Query connection field with `first: 1`
   */
  readonly probe?: { readonly query: string; readonly variables?: Readonly<Record<string, unknown>> };
  /**
   * The other subgraphs to compose with.
   * @default every schemas/subgraphs/*.graphql except the adapter's own
   */
  readonly otherSubgraphs?: ReadonlyArray<{ readonly name: string; readonly typeDefs: string }>;
}

/** A connection field of Query: returns `{ edges { cursor node } pageInfo totalCount }` and takes `first`/`after`. */
export function findConnectionFields(schema: GraphQLSchema): Array<GraphQLField<unknown, unknown>> {
  const query = schema.getQueryType();
  if (query === null || query === undefined) return [];
  return Object.values(query.getFields()).filter((field) => {
    const type = getNamedType(field.type);
    if (!isObjectType(type)) return false;
    const fields = type.getFields();
    const args = new Set(field.args.map((arg) => arg.name));
    return fields['edges'] !== undefined && fields['pageInfo'] !== undefined && fields['totalCount'] !== undefined && args.has('first') && args.has('after');
  });
}

const LATIN = /[A-Za-z]/;
const ARABIC = /[\u0600-\u06FF]/;
const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Names of every definition whose description lacks English or Arabic text (the root operation types need none). */
export function findMonolingualDescriptions(typeDefs: string): string[] {
  const problems: string[] = [];
  const check = (where: string, description: { value: string } | undefined): void => {
    const text = description?.value ?? '';
    if (!LATIN.test(text) || !ARABIC.test(text)) problems.push(where);
  };
  for (const definition of parse(typeDefs, { noLocation: true }).definitions as readonly DefinitionNode[]) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const type = definition.name.value;
        if (definition.kind !== Kind.OBJECT_TYPE_EXTENSION && definition.kind !== Kind.INTERFACE_TYPE_EXTENSION && !ROOT_TYPES.has(type)) check(type, definition.description);
        for (const field of definition.fields ?? []) {
          check(`${type}.${field.name.value}`, field.description);
          for (const arg of field.arguments ?? []) check(`${type}.${field.name.value}(${arg.name.value})`, arg.description);
        }
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        check(definition.name.value, definition.description);
        for (const field of definition.fields ?? []) check(`${definition.name.value}.${field.name.value}`, field.description);
        break;
      case Kind.ENUM_TYPE_DEFINITION:
        check(definition.name.value, definition.description);
        for (const value of definition.values ?? []) check(`${definition.name.value}.${value.name.value}`, value.description);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
        check(definition.name.value, definition.description);
        break;
      case Kind.DIRECTIVE_DEFINITION:
        check(`@${definition.name.value}`, definition.description);
        for (const arg of definition.arguments ?? []) if (arg.description !== undefined) check(`@${definition.name.value}(${arg.name.value})`, arg.description);
        break;
      default:
        break;
    }
  }
  return problems;
}

/** `Type.field` of every field of every object and interface type in the SDL (root types included). */
export function listObjectFields(typeDefs: string): string[] {
  const fields: string[] = [];
  for (const definition of parse(typeDefs, { noLocation: true }).definitions) {
    if (
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_EXTENSION
    ) {
      for (const field of definition.fields ?? []) fields.push(`${definition.name.value}.${field.name.value}`);
    }
  }
  return fields;
}

/** Composes the adapter's SDL with the others (Federation v2 rules, The Guild's composition); returns errors or the supergraph. */
export function composeWithOthers(name: string, typeDefs: string, others: ReadonlyArray<{ readonly name: string; readonly typeDefs: string }>): { errors: string[]; supergraphSdl?: string } {
  const services = [{ name, typeDefs }, ...others.filter((other) => other.name !== name)]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((service) => ({ name: service.name, url: `http://127.0.0.1/${service.name}/graphql`, typeDefs: parse(service.typeDefs) }));
  const result = composeServices(services);
  if (compositionHasErrors(result)) return { errors: result.errors.map((error) => error.message) };
  return { errors: [], supergraphSdl: result.supergraphSdl };
}

interface ConnectionPage {
  readonly totalCount: number;
  readonly edges: ReadonlyArray<{ readonly cursor: string }>;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly hasPreviousPage: boolean; readonly startCursor: string | null; readonly endCursor: string | null };
}

const errorCode = (result: ExecutionResult): unknown => result.errors?.[0]?.extensions?.['code'];

/**
 * Declares the adapter conformance suite (DESIGN.md, "Adapters"; see ./README.md) as Jest tests for
 * one adapter: its SDL composes with the other subgraphs, every connection keeps the Relay
 * pagination contract, upstream failures map to the kit's error codes, timeouts are honoured, every
 * field carries `@sensitivity`, and every description is in English and Arabic. It starts the
 * adapter's sandbox (a real HTTP server on port 0) and runs operations against the subgraph schema
 * in-process, as the gateway's embedded mode does. Call it at the top level of a `*.test.ts` file.
 */
export function describeAdapterConformance(adapter: Adapter, options: AdapterConformanceOptions = {}): void {
  const upstreamTimeoutMillis = options.upstreamTimeoutMillis ?? 10_000;
  const shortTimeoutMillis = options.shortTimeoutMillis ?? 300;
  const injectedLatencyMillis = options.injectedLatencyMillis ?? 2_000;
  const maxPageSize = options.maxPageSize ?? 100;
  const logger = pino({ level: 'silent' });
  // Declaring tests needs the schema now; creating a subgraph does not contact the upstream.
  const offline = adapter.createSubgraph({ upstreamUrl: 'http://127.0.0.1:9/', upstreamTimeoutMillis, logger });
  const connections = findConnectionFields(offline.schema);

  const argumentsOf = (field: GraphQLField<unknown, unknown>): Readonly<Record<string, unknown>> => options.connectionArguments?.[field.name] ?? {};

  /** `query ($first: Int, $after: String, ...) { field(first: $first, after: $after, ...) { ... } }` */
  function connectionQuery(field: GraphQLField<unknown, unknown>): string {
    const extra = Object.keys(argumentsOf(field));
    const definitions = ['$first: Int', '$after: String', ...extra.map((name) => `$${name}: ${field.args.find((arg) => arg.name === name)?.type.toString() ?? 'String'}`)];
    const passed = ['first: $first', 'after: $after', ...extra.map((name) => `${name}: $${name}`)];
    return `query Conformance(${definitions.join(', ')}) { ${field.name}(${passed.join(', ')}) { totalCount edges { cursor node { __typename } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
  }

  let sandbox: RunningServer;
  let subgraph: AdapterSubgraph;
  let shortSubgraph: AdapterSubgraph;

  async function run(schema: GraphQLSchema, query: string, variables: Readonly<Record<string, unknown>> = {}): Promise<ExecutionResult> {
    // A fresh context object per operation, as the gateway gives every request.
    return (await execute({ schema, document: parse(query), variableValues: { ...variables }, contextValue: {} })) as ExecutionResult;
  }

  async function page(field: GraphQLField<unknown, unknown>, first: number, after?: string): Promise<ConnectionPage> {
    const result = await run(subgraph.schema, connectionQuery(field), { ...argumentsOf(field), first, ...(after !== undefined ? { after } : {}) });
    expect(result.errors).toBeUndefined();
    return (result.data as Record<string, ConnectionPage>)[field.name] as ConnectionPage;
  }

  async function setFaults(faults: Partial<FaultSettings>): Promise<void> {
    const response = await fetch(new URL(FAULTS_PATH, sandbox.url), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    expect(response.status).toBe(200);
  }

  function probe(): { query: string; variables: Readonly<Record<string, unknown>> } {
    if (options.probe !== undefined) return { query: options.probe.query, variables: options.probe.variables ?? {} };
    const field = connections[0];
    if (field === undefined) throw new TypeError(`adapter ${adapter.name} has no connection field; pass options.probe`);
    return { query: connectionQuery(field), variables: { ...argumentsOf(field), first: 1 } };
  }

  describe(`adapter conformance: ${adapter.name}`, () => {
    beforeAll(async () => {
      sandbox = await adapter.startSandbox({ logger });
      subgraph = adapter.createSubgraph({ upstreamUrl: sandbox.url, upstreamTimeoutMillis, logger });
      shortSubgraph = adapter.createSubgraph({ upstreamUrl: sandbox.url, upstreamTimeoutMillis: shortTimeoutMillis, logger });
    });

    afterEach(async () => {
      await setFaults(NO_FAULTS);
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    describe('schema', () => {
      test('composes with every other subgraph into a supergraph', () => {
        const others = options.otherSubgraphs ?? listSubgraphSdlNames().filter((name) => name !== adapter.name).map((name) => ({ name, typeDefs: readSubgraphSdl(name) }));
        const { errors, supergraphSdl } = composeWithOthers(adapter.name, offline.typeDefs, others);
        expect(errors).toEqual([]);
        expect(supergraphSdl).toContain(`@join__graph(name: "${adapter.name}"`);
      });

      test('links the @sensitivity directive and keeps it through composition', () => {
        expect(offline.typeDefs).toContain(`@link(url: "${SENSITIVITY_SPEC_URL}", import: ["@sensitivity"])`);
        expect(offline.typeDefs).toContain('@composeDirective(name: "@sensitivity")');
        const others = options.otherSubgraphs ?? listSubgraphSdlNames().filter((name) => name !== adapter.name).map((name) => ({ name, typeDefs: readSubgraphSdl(name) }));
        const { supergraphSdl } = composeWithOthers(adapter.name, offline.typeDefs, others);
        const inSupergraph = readFieldSensitivities(supergraphSdl ?? '');
        const missing = [...readFieldSensitivities(offline.typeDefs).keys()].filter((key) => !inSupergraph.has(key));
        expect(missing).toEqual([]);
      });

      test('gives every field of every object type a @sensitivity level', () => {
        const levels = readFieldSensitivities(offline.typeDefs);
        expect(listObjectFields(offline.typeDefs).filter((field) => !levels.has(field))).toEqual([]);
      });

      test('describes every type, field, argument and enum value in English and Arabic', () => {
        expect(findMonolingualDescriptions(offline.typeDefs)).toEqual([]);
      });
    });

    describe('Relay pagination contract', () => {
      if (options.requireConnections ?? true) {
        test('the adapter has at least one connection field to check', () => {
          expect(connections.length).toBeGreaterThan(0);
        });
      }

      for (const field of connections) {
        test(`${field.name}: pages with first/after, totalCount and pageInfo`, async () => {
          const first = await page(field, 2);
          expect(Number.isInteger(first.totalCount)).toBe(true);
          expect(first.edges.length).toBeLessThanOrEqual(2);
          expect(first.edges.length).toBe(Math.min(2, first.totalCount));
          expect(first.pageInfo.hasPreviousPage).toBe(false);
          expect(first.pageInfo.hasNextPage).toBe(first.totalCount > 2);
          expect(first.pageInfo.startCursor).toBe(first.edges[0]?.cursor ?? null);
          expect(first.pageInfo.endCursor).toBe(first.edges[first.edges.length - 1]?.cursor ?? null);
          if (first.pageInfo.endCursor !== null && first.totalCount > 2) {
            const second = await page(field, 2, first.pageInfo.endCursor);
            expect(second.totalCount).toBe(first.totalCount);
            expect(second.pageInfo.hasPreviousPage).toBe(true);
            expect(second.edges.length).toBe(Math.min(2, first.totalCount - 2));
            const seen = new Set(first.edges.map((edge) => edge.cursor));
            expect(second.edges.filter((edge) => seen.has(edge.cursor))).toEqual([]);
          }
          const empty = await page(field, 0);
          expect(empty.edges).toEqual([]);
          expect(empty.totalCount).toBe(first.totalCount);
        });

        test(`${field.name}: cursors are opaque and forged ones are refused with ERR_BAD_USER_INPUT`, async () => {
          const first = await page(field, 2);
          for (const edge of first.edges) {
            expect(edge.cursor).not.toMatch(/^\d+$/);
            expect(edge.cursor.length).toBeGreaterThan(0);
          }
          for (const forged of ['1', 'not a cursor', Buffer.from('x:5').toString('base64url')]) {
            const result = await run(subgraph.schema, connectionQuery(field), { ...argumentsOf(field), first: 1, after: forged });
            expect(errorCode(result)).toBe('ERR_BAD_USER_INPUT');
          }
        });

        test(`${field.name}: refuses first over ${maxPageSize} or negative with ERR_BAD_USER_INPUT, without calling the upstream`, async () => {
          // With the upstream down, an answer other than ERR_BAD_USER_INPUT would mean it was called.
          await setFaults({ down: true });
          for (const first of [maxPageSize + 1, 1_000_000, -1]) {
            const result = await run(subgraph.schema, connectionQuery(field), { ...argumentsOf(field), first });
            expect(errorCode(result)).toBe('ERR_BAD_USER_INPUT');
            expect(result.errors?.[0]?.message).toMatch(/first/);
          }
          await setFaults(NO_FAULTS);
          const max = await page(field, maxPageSize);
          expect(max.edges.length).toBe(Math.min(maxPageSize, max.totalCount));
        });
      }
    });

    describe('upstream failures and timeouts', () => {
      test('answers the probe operation when the upstream is healthy', async () => {
        const { query, variables } = probe();
        const result = await run(subgraph.schema, query, variables);
        expect(result.errors).toBeUndefined();
        await expect(subgraph.checkHealth()).resolves.toBeUndefined();
      });

      test('maps a dropped connection (upstream down) to ERR_UPSTREAM_UNAVAILABLE', async () => {
        await setFaults({ down: true });
        const { query, variables } = probe();
        expect(errorCode(await run(subgraph.schema, query, variables))).toBe('ERR_UPSTREAM_UNAVAILABLE');
        const health = await subgraph.checkHealth().then(() => undefined, (error: unknown) => error);
        expect(health).toBeInstanceOf(AdapterError);
        expect((health as AdapterError).code).toBe('ERR_UPSTREAM_UNAVAILABLE');
      });

      test.each([503, 500] as const)('maps HTTP %i from the upstream to ERR_UPSTREAM_UNAVAILABLE', async (errorStatus) => {
        await setFaults({ errorRate: 1, errorStatus });
        const { query, variables } = probe();
        const result = await run(subgraph.schema, query, variables);
        expect(errorCode(result)).toBe('ERR_UPSTREAM_UNAVAILABLE');
      });

      test('maps an upstream slower than the timeout to ERR_UPSTREAM_TIMEOUT, and gives up at the timeout', async () => {
        await setFaults({ latencyMillis: injectedLatencyMillis });
        const { query, variables } = probe();
        const started = performance.now();
        const result = await run(shortSubgraph.schema, query, variables);
        const elapsed = performance.now() - started;
        expect(errorCode(result)).toBe('ERR_UPSTREAM_TIMEOUT');
        expect(elapsed).toBeGreaterThanOrEqual(shortTimeoutMillis - 20);
        expect(elapsed).toBeLessThan(injectedLatencyMillis);
        // Let the sandbox finish the delayed answer, so no timer outlives the suite.
        await new Promise((resolve) => setTimeout(resolve, injectedLatencyMillis - elapsed + 50));
      });
    });
  });
}
