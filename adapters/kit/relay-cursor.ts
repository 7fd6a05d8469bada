import { AdapterError } from './adapter-error.js';

/**
 * Relay connection cursors (https://relay.dev/graphql/connections.htm). A cursor is opaque to
 * clients; here it encodes an offset, versioned so the encoding can change without breaking old
 * cursors silently.
 */
const PREFIX = 'o1:';

export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64url');
}

export function decodeOffsetCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const offset = Number(text.slice(PREFIX.length));
  if (!text.startsWith(PREFIX) || !Number.isSafeInteger(offset) || offset < 0) {
    throw new AdapterError('ERR_BAD_USER_INPUT', 'The "after" cursor is not one this service issued');
  }
  return offset;
}

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

/** Validates `first`/`after` and turns them into `{ skip, top }`. */
export function pageWindow(args: PageArgs, defaults: { first: number; maxFirst: number }): { skip: number; top: number } {
  const first = args.first ?? defaults.first;
  if (!Number.isInteger(first) || first < 0 || first > defaults.maxFirst) {
    throw new AdapterError('ERR_BAD_USER_INPUT', `"first" must be an integer from 0 to ${defaults.maxFirst}`);
  }
  const skip = args.after != null ? decodeOffsetCursor(args.after) + 1 : 0;
  return { skip, top: first };
}

export interface Connection<T> {
  readonly edges: Array<{ readonly cursor: string; readonly node: T }>;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly hasPreviousPage: boolean; readonly startCursor: string | null; readonly endCursor: string | null };
  readonly totalCount: number;
}

export function toConnection<T>(nodes: readonly T[], skip: number, totalCount: number): Connection<T> {
  const edges = nodes.map((node, index) => ({ cursor: encodeOffsetCursor(skip + index), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: skip + nodes.length < totalCount,
      hasPreviousPage: skip > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount,
  };
}
