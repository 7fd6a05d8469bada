import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Per-request facts reachable from code that is not handed the request (e.g. Apollo's formatError). */
export interface RequestScope {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a caller's `x-request-id` when it looks like an id (so logs correlate across systems), else makes one. */
export function requestIdFrom(header: string | string[] | undefined, trustHeader: boolean): string {
  if (trustHeader && typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  return randomUUID();
}
