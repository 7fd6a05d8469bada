/** The time source, injected everywhere a decision depends on "now". */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that always answers the same instant (tests, replaying evidence). */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new TypeError('fixedClock needs a valid date');
  return { now: () => new Date(instant) };
}

/** The fetch-like port used for OCSP, CRL, trust-list and TSA traffic. */
export type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: Uint8Array; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer>; headers: { get(name: string): string | null } }>;

/** The platform's fetch as a FetchLike: the default outside tests that bring their own server. */
export const globalFetch: FetchLike = (url, init) => fetch(url, init as RequestInit) as unknown as ReturnType<FetchLike>;
