import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isGatewayError } from '../../errors/gateway-error.js';
import { canonicalOperations, MANIFEST_FORMAT, TrustedDocuments, type TrustedDocument } from './trusted-documents.js';

let dir: string;
let manifestFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gccgw-trusted-'));
  manifestFile = join(dir, 'var', 'trusted-documents.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The GatewayError code a call fails with (or 'no error'). */
async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'no error';
  } catch (error) {
    return isGatewayError(error) ? error.code : `not a GatewayError: ${String(error)}`;
  }
}

async function messageOf(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
}

const OPERATIONS = `
  # Operations of the HR portal
  query VerifyEmployment($nationalId: String!, $state: MemberState!) {
    verifyEmployment(nationalId: $nationalId, issuingState: $state) { employed entity { ...EntityName } }
  }
  fragment EntityName on GovernmentEntity { code name { ...Names } }
  fragment Names on LocalizedName { en ar }
  fragment Unused on GovernmentEntity { kind }
  query Entity { governmentEntity(state: QA, code: "MOF") { ...EntityName } }
`;

async function manifestWith(source: string): Promise<TrustedDocuments> {
  const documents = await TrustedDocuments.load(manifestFile, { allowMissing: true });
  await documents.addSource(source, 'hr-portal.graphql');
  return documents;
}

async function writeManifest(operations: unknown[], extra: Record<string, unknown> = {}): Promise<void> {
  manifestFile = join(dir, 'hand-written.json');
  await writeFile(manifestFile, JSON.stringify({ format: MANIFEST_FORMAT, version: 1, operations, ...extra }));
}

describe('canonicalOperations', () => {
  it('makes one document per operation with the fragments it uses, sorted, printed canonically', () => {
    const [verify, entity] = canonicalOperations(OPERATIONS);
    expect(verify?.name).toBe('VerifyEmployment');
    expect(verify?.type).toBe('query');
    expect(verify?.body).toBe(
      [
        'query VerifyEmployment($nationalId: String!, $state: MemberState!) {\n  verifyEmployment(nationalId: $nationalId, issuingState: $state) {\n    employed\n    entity {\n      ...EntityName\n    }\n  }\n}',
        'fragment EntityName on GovernmentEntity {\n  code\n  name {\n    ...Names\n  }\n}',
        'fragment Names on LocalizedName {\n  en\n  ar\n}',
      ].join('\n\n'),
    );
    expect(verify?.id).toBe(sha256(verify?.body ?? ''));
    expect(entity?.body).not.toContain('Unused');
  });

  it('gives the same id however the source is formatted', () => {
    const compact = 'fragment Names on LocalizedName{en ar} query VerifyEmployment($nationalId:String!,$state:MemberState!){verifyEmployment(nationalId:$nationalId,issuingState:$state){employed entity{...EntityName}}} fragment EntityName on GovernmentEntity{code name{...Names}}';
    expect(canonicalOperations(compact)[0]?.id).toBe(canonicalOperations(OPERATIONS)[0]?.id);
  });

  it('refuses anonymous operations, repeated names, undefined fragments and schema definitions', async () => {
    expect(await messageOf(() => canonicalOperations('{ cloudSkus { name } }', 'a.graphql'))).toBe('a.graphql: every operation needs a name; an anonymous query cannot be a trusted document');
    expect(await codeOf(() => canonicalOperations('query A { a } query A { b }'))).toBe('ERR_CONFIG_INVALID');
    expect(await messageOf(() => canonicalOperations('query A { ...Missing }', 'a.graphql'))).toBe('a.graphql: operation "A" uses fragment "Missing", which is not defined');
    expect(await codeOf(() => canonicalOperations('type Query { a: Int }'))).toBe('ERR_CONFIG_INVALID');
    expect(await codeOf(() => canonicalOperations('fragment F on Query { a }'))).toBe('ERR_CONFIG_INVALID');
    expect(await codeOf(() => canonicalOperations('query A {'))).toBe('ERR_GRAPHQL_PARSE_FAILED');
  });
});

describe('TrustedDocuments.add', () => {
  it('writes an Apollo persisted query manifest that loads again, sorted by name', async () => {
    const documents = await manifestWith(OPERATIONS);
    const written = JSON.parse(await readFile(manifestFile, 'utf8')) as { format: string; version: number; operations: TrustedDocument[] };
    expect(written.format).toBe('apollo-persisted-query-manifest');
    expect(written.version).toBe(1);
    expect(written.operations.map((o) => o.name)).toEqual(['Entity', 'VerifyEmployment']);
    for (const operation of written.operations) expect(operation.id).toBe(sha256(operation.body));
    const reloaded = await TrustedDocuments.load(manifestFile);
    expect(reloaded.list()).toEqual(documents.list());
    // Written through a temporary file and a rename: nothing else is left in the directory.
    expect(await readdir(join(dir, 'var'))).toEqual(['trusted-documents.json']);
  });

  it('adds from a .graphql file and reports what was new and what was already there', async () => {
    const file = join(dir, 'hr-portal.graphql');
    await writeFile(file, OPERATIONS);
    const documents = await TrustedDocuments.load(manifestFile, { allowMissing: true });
    const first = await documents.add(file);
    expect(first.added.map((d) => d.name)).toEqual(['VerifyEmployment', 'Entity']);
    expect(first.unchanged).toEqual([]);
    const again = await documents.add(file);
    expect(again.added).toEqual([]);
    expect(again.unchanged.map((d) => d.name)).toEqual(['VerifyEmployment', 'Entity']);
  });

  it('refuses a name already trusted with another text and writes nothing', async () => {
    const documents = await manifestWith(OPERATIONS);
    const before = await readFile(manifestFile, 'utf8');
    const changed = 'query Entity { governmentEntity(state: QA, code: "MOF") { code headcount } } query Fresh { cloudSkus { name } }';
    expect(await codeOf(() => documents.addSource(changed, 'changed.graphql'))).toBe('ERR_CONFIG_INVALID');
    expect(await messageOf(() => documents.addSource(changed, 'changed.graphql'))).toMatch(/^changed\.graphql: operation "Entity" is already trusted with another text \(sha256:[0-9a-f]{64}\)/);
    expect(await readFile(manifestFile, 'utf8')).toBe(before);
    expect(documents.list().map((d) => d.name)).toEqual(['Entity', 'VerifyEmployment']);
  });

  it('refuses a file that cannot be read', async () => {
    const documents = await TrustedDocuments.load(manifestFile, { allowMissing: true });
    expect(await codeOf(() => documents.add(join(dir, 'missing.graphql')))).toBe('ERR_CONFIG_INVALID');
  });
});

describe('TrustedDocuments.load', () => {
  const body = 'query Skus {\n  cloudSkus {\n    name\n  }\n}';
  const entry = { id: sha256(body), name: 'Skus', type: 'query', body };

  it('loads a valid manifest', async () => {
    await writeManifest([entry]);
    expect((await TrustedDocuments.load(manifestFile)).list()).toEqual([entry]);
  });

  it('refuses a body changed after its id was computed, naming the entry', async () => {
    await writeManifest([{ ...entry, body: body.replace('name', 'name units') }]);
    const message = await messageOf(() => TrustedDocuments.load(manifestFile));
    expect(message).toContain('operations[0] ("Skus").id is not the SHA-256 of its body');
    expect(await codeOf(() => TrustedDocuments.load(manifestFile))).toBe('ERR_CONFIG_INVALID');
  });

  it.each([
    ['another format', { format: 'relay' }, '"format" must be "apollo-persisted-query-manifest"'],
    ['another version', { version: 2 }, '"version" must be 1'],
    ['no operations array', { operations: {} }, '"operations" must be an array'],
  ])('refuses %s', async (_label, extra, expected) => {
    await writeManifest([entry], extra);
    expect(await messageOf(() => TrustedDocuments.load(manifestFile))).toContain(expected);
  });

  it.each([
    ['an upper-case or short id', [{ ...entry, id: entry.id.toUpperCase() }], 'must be 64 lower-case hex digits'],
    ['a body that does not parse', [{ ...entry, body: 'query Skus {', id: sha256('query Skus {') }], 'body does not parse'],
    ['a body with two operations', [{ ...entry, body: `${body}\nquery Two { __typename }`, id: sha256(`${body}\nquery Two { __typename }`) }], 'exactly one operation, found 2'],
    ['a name that is not the body\'s', [{ ...entry, name: 'Other' }], 'the entry says query "Other" but its body is query "Skus"'],
    ['a type that is not the body\'s', [{ ...entry, type: 'mutation' }], 'the entry says mutation "Skus"'],
    ['the same name twice', [entry, { ...entry, body: `${body} `, id: sha256(`${body} `) }], 'two operations are named "Skus"'],
    ['the same id twice', [entry, entry], 'repeats id'],
  ])('refuses %s', async (_label, operations, expected) => {
    await writeManifest(operations);
    expect(await messageOf(() => TrustedDocuments.load(manifestFile))).toContain(expected);
  });

  it('refuses a missing or non-JSON file unless a missing one is allowed', async () => {
    expect(await codeOf(() => TrustedDocuments.load(manifestFile))).toBe('ERR_CONFIG_INVALID');
    expect((await TrustedDocuments.load(manifestFile, { allowMissing: true })).size).toBe(0);
    await writeFile(join(dir, 'bad.json'), '{ not json');
    expect(await messageOf(() => TrustedDocuments.load(join(dir, 'bad.json')))).toContain('not valid JSON');
  });
});

describe('TrustedDocuments.resolve', () => {
  let documents: TrustedDocuments;
  let entity: TrustedDocument;

  beforeEach(async () => {
    documents = await manifestWith(OPERATIONS);
    entity = documents.list().find((d) => d.name === 'Entity') as TrustedDocument;
  });

  it('resolves a documentId given as sha256:<hex>, bare hex or upper-case hex to the manifest text', () => {
    for (const documentId of [`sha256:${entity.id}`, entity.id, entity.id.toUpperCase()]) {
      expect(documents.resolve({ documentId })).toEqual({ query: entity.body, id: entity.id, name: 'Entity', type: 'query' });
    }
  });

  it('resolves an automatic persisted query hash', () => {
    expect(documents.resolve({ extensions: { persistedQuery: { sha256Hash: entity.id } } }).query).toBe(entity.body);
  });

  it('accepts the full text only when its SHA-256 is in the manifest', async () => {
    expect(documents.resolve({ query: entity.body }).id).toBe(entity.id);
    expect(documents.resolve({ query: entity.body, extensions: { persistedQuery: { sha256Hash: entity.id } } }).id).toBe(entity.id);
    expect(await codeOf(() => documents.resolve({ query: `${entity.body} ` }))).toBe('ERR_DOCUMENT_NOT_TRUSTED');
    expect(await codeOf(() => documents.resolve({ query: '{ employees(first: 100) { totalCount } }' }))).toBe('ERR_DOCUMENT_NOT_TRUSTED');
  });

  it('refuses a trusted hash sent with a different text', async () => {
    const request = { query: '{ employees(first: 100) { totalCount } }', extensions: { persistedQuery: { sha256Hash: entity.id } } };
    expect(await codeOf(() => documents.resolve(request))).toBe('ERR_DOCUMENT_NOT_TRUSTED');
    expect(await messageOf(() => documents.resolve(request))).toBe('The query text does not match the document id sent with it.');
    expect(await codeOf(() => documents.resolve({ query: '{ employees(first: 100) { totalCount } }', documentId: `sha256:${entity.id}` }))).toBe('ERR_DOCUMENT_NOT_TRUSTED');
  });

  it('refuses a documentId and an APQ hash that disagree', async () => {
    const other = documents.list().find((d) => d.name === 'VerifyEmployment') as TrustedDocument;
    expect(await codeOf(() => documents.resolve({ documentId: entity.id, extensions: { persistedQuery: { sha256Hash: other.id } } }))).toBe('ERR_DOCUMENT_NOT_TRUSTED');
  });

  it('answers ERR_DOCUMENT_UNKNOWN for an unknown or malformed id, or no document at all', async () => {
    expect(await messageOf(() => documents.resolve({ documentId: `sha256:${sha256('query X { a }')}` }))).toBe(`No trusted document has the id sha256:${sha256('query X { a }')}.`);
    expect(await codeOf(() => documents.resolve({ extensions: { persistedQuery: { sha256Hash: sha256('other') } } }))).toBe('ERR_DOCUMENT_UNKNOWN');
    expect(await codeOf(() => documents.resolve({ documentId: 'md5:abc' }))).toBe('ERR_DOCUMENT_UNKNOWN');
    expect(await codeOf(() => documents.resolve({ documentId: `sha256:${entity.id}00` }))).toBe('ERR_DOCUMENT_UNKNOWN');
    expect(await codeOf(() => documents.resolve({ extensions: { persistedQuery: { sha256Hash: 'xyz' } } }))).toBe('ERR_DOCUMENT_UNKNOWN');
    expect(await codeOf(() => documents.resolve({}))).toBe('ERR_DOCUMENT_UNKNOWN');
    expect(await codeOf(() => documents.resolve({ query: '' }))).toBe('ERR_DOCUMENT_UNKNOWN');
  });
});
