import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the contract files live. This is the only code in schemas/: it locates the data files for
 * both the compiled tree (dist/) and the TypeScript sources run by the test runner.
 */
const PACKAGE_NAME = 'gcc-interop-gateway';
let cachedRoot: string | undefined;

/** The package root, found by walking up from this file to our package.json. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root`);
    dir = parent;
  }
}

export function schemasDir(): string {
  return join(packageRoot(), 'schemas');
}

export function subgraphSdlPath(name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TypeError(`invalid subgraph name: ${name}`);
  return join(schemasDir(), 'subgraphs', `${name}.graphql`);
}

export function readSubgraphSdl(name: string): string {
  return readFileSync(subgraphSdlPath(name), 'utf8');
}

/** Names of the subgraphs whose SDL is committed under schemas/subgraphs/, sorted. */
export function listSubgraphSdlNames(): string[] {
  return readdirSync(join(schemasDir(), 'subgraphs'))
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => file.slice(0, -'.graphql'.length))
    .sort();
}

export function supergraphPath(): string {
  return join(schemasDir(), 'supergraph.graphql');
}

/** Path of the JSON Schema of an event type, e.g. `gcc.hr.employment.ended.v1`. */
export function eventSchemaPath(type: string): string {
  if (!/^gcc(\.[a-z][a-z0-9-]*)+\.v[0-9]+$/.test(type)) throw new TypeError(`invalid event type: ${type}`);
  return join(schemasDir(), 'events', `${type}.schema.json`);
}

/** Event types that have a committed schema under schemas/events/, sorted. */
export function listEventTypes(): string[] {
  return readdirSync(join(schemasDir(), 'events'))
    .filter((file) => file.endsWith('.schema.json'))
    .map((file) => file.slice(0, -'.schema.json'.length))
    .sort();
}
