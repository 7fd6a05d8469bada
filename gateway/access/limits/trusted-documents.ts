import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Kind, parse, print, visit, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Trusted documents (persisted operations used as an allow-list): in this mode only operations
 * listed in a manifest run. The manifest has the format of Apollo's persisted query manifests
 * (https://www.apollographql.com/docs/graphos/platform/security/persisted-queries), so the tools
 * that generate those work unchanged:
 *
 *     { "format": "apollo-persisted-query-manifest", "version": 1,
 *       "operations": [ { "id": "<sha256 hex of body>", "name": "GetEmployee", "type": "query", "body": "query GetEmployee ..." } ] }
 *
 * A client names an operation by its id (`documentId`, GraphQL over HTTP's persisted documents,
 * `sha256:<hex>` or the bare hex; or an automatic-persisted-query hash in
 * `extensions.persistedQuery.sha256Hash`), or sends the full text, which runs only if its SHA-256 is
 * in the manifest. The id binds the text exactly: one changed byte is another operation.
 */

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
export const MANIFEST_VERSION = 1;

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface TrustedDocument {
  /** Lower-case hex SHA-256 of `body` (UTF-8). */
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  /** One operation and the fragments it uses, printed with graphql-js `print`. */
  readonly body: string;
}

export interface TrustedDocumentRequest {
  readonly query?: string | null;
  readonly documentId?: string | null;
  readonly extensions?: { readonly persistedQuery?: { readonly sha256Hash?: string | null } | null } | null;
}

export interface ResolvedDocument {
  /** The manifest's text of the operation, to execute in place of whatever the request carried. */
  readonly query: string;
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
}

export interface AddResult {
  /** Operations that were not in the manifest and now are. */
  readonly added: readonly TrustedDocument[];
  /** Operations that were already there with the same text. */
  readonly unchanged: readonly TrustedDocument[];
}

const HEX_ID = /^[0-9a-f]{64}$/;

/** SHA-256 of the text as lower-case hex: a trusted document's id. */
export function documentId(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

function invalidManifest(file: string, message: string, cause?: unknown): GatewayError {
  return new GatewayError('ERR_CONFIG_INVALID', { message: `trusted-documents manifest ${file}: ${message}`, ...(cause !== undefined ? { cause } : {}) });
}

function operationsOf(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/**
 * Splits a GraphQL source into one canonical document per operation: the operation followed by the
 * fragments it uses (transitively), sorted by name, printed with graphql-js `print`, so the same
 * operation always gets the same id however the source was formatted.
 * @throws GatewayError ERR_GRAPHQL_PARSE_FAILED when the source does not parse, ERR_CONFIG_INVALID
 *   for an anonymous operation, a repeated name, or a fragment that is not defined.
 */
export function canonicalOperations(source: string, sourceName = 'document'): TrustedDocument[] {
  let document: DocumentNode;
  try {
    document = parse(source, { noLocation: true });
  } catch (cause) {
    throw new GatewayError('ERR_GRAPHQL_PARSE_FAILED', { message: `${sourceName}: ${(cause as Error).message}`, cause });
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  const names = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      if (fragments.has(definition.name.value)) throw new GatewayError('ERR_CONFIG_INVALID', { message: `${sourceName}: fragment "${definition.name.value}" is defined twice` });
      fragments.set(definition.name.value, definition);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      // A trusted document is found, listed and audited by its name: anonymous operations cannot be told apart.
      if (definition.name === undefined) throw new GatewayError('ERR_CONFIG_INVALID', { message: `${sourceName}: every operation needs a name; an anonymous ${definition.operation} cannot be a trusted document` });
      if (names.has(definition.name.value)) throw new GatewayError('ERR_CONFIG_INVALID', { message: `${sourceName}: operation "${definition.name.value}" is defined twice` });
      names.add(definition.name.value);
    } else {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `${sourceName}: only operations and fragments may be listed, found a ${definition.kind}` });
    }
  }
  const operations = operationsOf(document);
  if (operations.length === 0) throw new GatewayError('ERR_CONFIG_INVALID', { message: `${sourceName}: no operation to add` });
  return operations.map((operation) => {
    const used = new Map<string, FragmentDefinitionNode>();
    const pending: Array<OperationDefinitionNode | FragmentDefinitionNode> = [operation];
    while (pending.length > 0) {
      const next = pending.pop() as OperationDefinitionNode | FragmentDefinitionNode;
      visit(next, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          if (used.has(name)) return;
          const fragment = fragments.get(name);
          if (fragment === undefined) throw new GatewayError('ERR_CONFIG_INVALID', { message: `${sourceName}: operation "${operation.name?.value}" uses fragment "${name}", which is not defined` });
          used.set(name, fragment);
          pending.push(fragment);
        },
      });
    }
    const sorted = [...used.values()].sort((a, b) => (a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0));
    const body = print({ kind: Kind.DOCUMENT, definitions: [operation, ...sorted] });
    return { id: documentId(body), name: operation.name?.value ?? '', type: operation.operation as OperationType, body };
  });
}

function checkEntry(file: string, index: number, entry: unknown): TrustedDocument {
  const where = `operations[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalidManifest(file, `${where} is not an object`);
  const { id, name, type, body } = entry as Record<string, unknown>;
  if (typeof body !== 'string' || body.length === 0) throw invalidManifest(file, `${where}.body must be a non-empty string`);
  if (typeof name !== 'string' || name.length === 0) throw invalidManifest(file, `${where}.name must be a non-empty string`);
  if (type !== 'query' && type !== 'mutation' && type !== 'subscription') throw invalidManifest(file, `${where} ("${name}").type must be query, mutation or subscription`);
  if (typeof id !== 'string' || !HEX_ID.test(id)) throw invalidManifest(file, `${where} ("${name}").id must be 64 lower-case hex digits (the SHA-256 of the body)`);
  const actual = documentId(body);
  if (id !== actual) throw invalidManifest(file, `${where} ("${name}").id is not the SHA-256 of its body (that is ${actual}); the body was changed or the id is wrong`);
  let document: DocumentNode;
  try {
    document = parse(body, { noLocation: true });
  } catch (cause) {
    throw invalidManifest(file, `${where} ("${name}").body does not parse: ${(cause as Error).message}`, cause);
  }
  const operations = operationsOf(document);
  const operation = operations[0];
  if (operations.length !== 1 || operation === undefined) throw invalidManifest(file, `${where} ("${name}").body must hold exactly one operation, found ${operations.length}`);
  if (operation.name?.value !== name || operation.operation !== type) {
    throw invalidManifest(file, `${where}: the entry says ${type} "${name}" but its body is ${operation.operation} "${operation.name?.value ?? '(anonymous)'}"`);
  }
  return { id, name, type, body };
}

/** Parses and checks a manifest (format, version, every id = SHA-256 of its body, every body). */
function readManifest(file: string, text: string): TrustedDocument[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (cause) {
    throw invalidManifest(file, `not valid JSON: ${(cause as Error).message}`, cause);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw invalidManifest(file, 'not a JSON object');
  const { format, version, operations } = manifest as Record<string, unknown>;
  if (format !== MANIFEST_FORMAT) throw invalidManifest(file, `"format" must be "${MANIFEST_FORMAT}", found ${JSON.stringify(format)}`);
  if (version !== MANIFEST_VERSION) throw invalidManifest(file, `"version" must be ${MANIFEST_VERSION}, found ${JSON.stringify(version)}`);
  if (!Array.isArray(operations)) throw invalidManifest(file, '"operations" must be an array');
  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  return (operations as unknown[]).map((entry, index) => {
    const document = checkEntry(file, index, entry);
    if (seenIds.has(document.id)) throw invalidManifest(file, `operations[${index}] ("${document.name}") repeats id ${document.id}`);
    if (seenNames.has(document.name)) throw invalidManifest(file, `operations[${index}]: two operations are named "${document.name}"`);
    seenIds.add(document.id);
    seenNames.add(document.name);
    return document;
  });
}

function byName(a: TrustedDocument, b: TrustedDocument): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Writes through a temporary file in the same directory and a rename, so readers never see half a manifest. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

function badHash(value: string, field: string): GatewayError {
  return new GatewayError('ERR_DOCUMENT_UNKNOWN', { message: `${field} must be a SHA-256 document id (sha256:<64 hex digits>), got "${value.slice(0, 80)}".` });
}

/** `sha256:<hex>` or bare hex (GraphQL over HTTP persisted documents) to lower-case hex. */
function parseDocumentId(value: string): string {
  const hex = value.startsWith('sha256:') ? value.slice('sha256:'.length) : value;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw badHash(value, 'documentId');
  return hex.toLowerCase();
}

/** The trusted documents of one manifest file. Immutable apart from {@link TrustedDocuments.add}. */
export class TrustedDocuments {
  readonly file: string;
  #byId: Map<string, TrustedDocument>;

  private constructor(file: string, documents: readonly TrustedDocument[]) {
    this.file = file;
    this.#byId = new Map(documents.map((document) => [document.id, document]));
  }

  /**
   * Reads and checks a manifest. With `allowMissing`, a file that does not exist is an empty
   * manifest (for `gccgw documents add` creating it).
   * @throws GatewayError ERR_CONFIG_INVALID naming the file and the entry at fault.
   */
  static async load(file: string, options: { readonly allowMissing?: boolean } = {}): Promise<TrustedDocuments> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT' && options.allowMissing === true) return new TrustedDocuments(file, []);
      throw invalidManifest(file, `cannot be read: ${(cause as Error).message}`, cause);
    }
    return new TrustedDocuments(file, readManifest(file, text));
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Every trusted document, sorted by name. */
  list(): TrustedDocument[] {
    return [...this.#byId.values()].sort(byName);
  }

  /**
   * The operation a request may run, or why it may not:
   * - `documentId` or an APQ `sha256Hash` must be a manifest id, else ERR_DOCUMENT_UNKNOWN;
   * - a full `query` runs only if its SHA-256 is a manifest id, else ERR_DOCUMENT_NOT_TRUSTED; a hash
   *   sent with it must be that SHA-256 (a text that differs from its claimed hash is refused);
   * - `documentId` and `sha256Hash` together must agree.
   */
  resolve(request: TrustedDocumentRequest): ResolvedDocument {
    const claimed: string[] = [];
    if (typeof request.documentId === 'string') claimed.push(parseDocumentId(request.documentId));
    else if (request.documentId !== undefined && request.documentId !== null) throw new GatewayError('ERR_DOCUMENT_UNKNOWN', { message: 'documentId must be a string.' });
    const apq = request.extensions?.persistedQuery?.sha256Hash;
    if (typeof apq === 'string') {
      if (!/^[0-9a-fA-F]{64}$/.test(apq)) throw badHash(apq, 'extensions.persistedQuery.sha256Hash');
      claimed.push(apq.toLowerCase());
    }
    if (claimed.length === 2 && claimed[0] !== claimed[1]) {
      throw new GatewayError('ERR_DOCUMENT_NOT_TRUSTED', { message: 'documentId and extensions.persistedQuery.sha256Hash name different documents.' });
    }
    const query = typeof request.query === 'string' && request.query.length > 0 ? request.query : undefined;
    let id: string;
    if (query !== undefined) {
      id = documentId(query);
      if (claimed.length > 0 && claimed[0] !== id) {
        throw new GatewayError('ERR_DOCUMENT_NOT_TRUSTED', { message: 'The query text does not match the document id sent with it.' });
      }
      if (!this.#byId.has(id)) {
        throw new GatewayError('ERR_DOCUMENT_NOT_TRUSTED', { message: 'This operation text is not in the trusted-documents manifest; send the text exactly as listed, or its documentId.' });
      }
    } else {
      const first = claimed[0];
      if (first === undefined) throw new GatewayError('ERR_DOCUMENT_UNKNOWN', { message: 'The request has neither a query nor a documentId.' });
      id = first;
    }
    const document = this.#byId.get(id);
    if (document === undefined) throw new GatewayError('ERR_DOCUMENT_UNKNOWN', { message: `No trusted document has the id sha256:${id}.` });
    return { query: document.body, id: document.id, name: document.name, type: document.type };
  }

  /**
   * Adds every operation of a `.graphql` file (see {@link canonicalOperations}) and rewrites the
   * manifest atomically. All or nothing: an operation whose name is already listed with another
   * text is refused (ERR_CONFIG_INVALID) and nothing is written; give the new version a new name.
   */
  async add(graphqlFile: string): Promise<AddResult> {
    let source: string;
    try {
      source = await readFile(graphqlFile, 'utf8');
    } catch (cause) {
      throw new GatewayError('ERR_CONFIG_INVALID', { message: `${graphqlFile} cannot be read: ${(cause as Error).message}`, cause });
    }
    return this.addSource(source, graphqlFile);
  }

  /** {@link TrustedDocuments.add} for a source already in memory. */
  async addSource(source: string, sourceName = 'document'): Promise<AddResult> {
    const candidates = canonicalOperations(source, sourceName);
    const listedByName = new Map([...this.#byId.values()].map((document) => [document.name, document]));
    const added: TrustedDocument[] = [];
    const unchanged: TrustedDocument[] = [];
    for (const candidate of candidates) {
      const existing = listedByName.get(candidate.name);
      if (existing === undefined) added.push(candidate);
      else if (existing.id === candidate.id) unchanged.push(existing);
      else {
        throw new GatewayError('ERR_CONFIG_INVALID', {
          message: `${sourceName}: operation "${candidate.name}" is already trusted with another text (sha256:${existing.id}); clients may depend on it, so give the new version a new name`,
        });
      }
    }
    if (added.length > 0) {
      const next = new Map(this.#byId);
      for (const document of added) next.set(document.id, document);
      const operations = [...next.values()].sort(byName).map(({ id, name, type, body }) => ({ id, name, type, body }));
      await writeAtomically(this.file, `${JSON.stringify({ format: MANIFEST_FORMAT, version: MANIFEST_VERSION, operations }, null, 2)}\n`);
      this.#byId = next;
    }
    return { added, unchanged };
  }
}

