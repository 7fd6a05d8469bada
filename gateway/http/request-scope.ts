import { randomUUID } from 'node:crypto';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a caller's `x-request-id` when it looks like an id (so logs correlate across systems), else makes one. */
export function requestIdFrom(header: string | string[] | undefined, trustHeader: boolean): string {
  if (trustHeader && typeof header === 'string' && SANE_REQUEST_ID.test(header)) return header;
  return randomUUID();
}
