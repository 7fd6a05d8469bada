import type { JsonRequest, JsonResponse } from './json-http-server.js';

/**
 * Faults a sandbox can be told to simulate, so tests and demos can see how the gateway behaves
 * when a national system is slow, failing or down. Changed at run time through the sandbox's
 * control endpoint (`PUT /__sandbox/faults`), or by flags of `gccgw sandbox`.
 */
export interface FaultSettings {
  /** Added to every response. */
  readonly latencyMillis: number;
  /** Share of requests, 0..1, answered with `errorStatus`. */
  readonly errorRate: number;
  /** Status of injected errors: 500, 503 (with Retry-After) or 429 (with Retry-After). */
  readonly errorStatus: 429 | 500 | 503;
  /** Drop every connection without an answer, as a dead host would. */
  readonly down: boolean;
}

export const NO_FAULTS: FaultSettings = { latencyMillis: 0, errorRate: 0, errorStatus: 503, down: false };

export const FAULTS_PATH = '/__sandbox/faults';

export type FaultDecision = { readonly kind: 'pass' } | { readonly kind: 'drop' } | { readonly kind: 'respond'; readonly response: JsonResponse };

/** Holds the current fault settings and decides, per request, what to inject. Deterministic per seed. */
export class FaultInjector {
  #settings: FaultSettings;
  #state: number;

  constructor(settings: Partial<FaultSettings> = {}, seed = 0x9e3779b9) {
    this.#settings = validateFaults({ ...NO_FAULTS, ...settings });
    this.#state = seed >>> 0 || 1;
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  update(changes: unknown): FaultSettings {
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw new TypeError('fault settings must be a JSON object');
    this.#settings = validateFaults({ ...this.#settings, ...(changes as Partial<FaultSettings>) });
    return this.#settings;
  }

  /** Handles the control endpoint; returns undefined for every other request. */
  control(request: JsonRequest): JsonResponse | undefined {
    if (request.url.pathname !== FAULTS_PATH) return undefined;
    if (request.method === 'GET') return { status: 200, body: this.#settings };
    if (request.method === 'PUT') {
      try {
        return { status: 200, body: this.update(request.body) };
      } catch (error) {
        return { status: 400, body: { error: { code: 'InvalidFaultSettings', message: (error as Error).message } } };
      }
    }
    return { status: 405, headers: { allow: 'GET, PUT' }, body: { error: { code: 'MethodNotAllowed', message: 'use GET or PUT' } } };
  }

  async decide(): Promise<FaultDecision> {
    const { latencyMillis, errorRate, errorStatus, down } = this.#settings;
    if (down) return { kind: 'drop' };
    if (latencyMillis > 0) await new Promise((resolve) => setTimeout(resolve, latencyMillis));
    if (errorRate > 0 && this.#next() < errorRate) {
      return {
        kind: 'respond',
        response: {
          status: errorStatus,
          headers: errorStatus === 500 ? {} : { 'retry-after': '1' },
          body: { error: { code: errorStatus === 429 ? 'TooManyRequests' : 'InjectedFault', message: `sandbox fault injection (HTTP ${errorStatus})` } },
        },
      };
    }
    return { kind: 'pass' };
  }

  /** xorshift32: fast, seedable, good enough to spread injected errors. */
  #next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state / 0x1_0000_0000;
  }
}

function validateFaults(settings: FaultSettings): FaultSettings {
  const { latencyMillis, errorRate, errorStatus, down } = settings;
  if (!Number.isInteger(latencyMillis) || latencyMillis < 0 || latencyMillis > 120_000) throw new TypeError('latencyMillis must be an integer from 0 to 120000');
  if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) throw new TypeError('errorRate must be a number from 0 to 1');
  if (errorStatus !== 429 && errorStatus !== 500 && errorStatus !== 503) throw new TypeError('errorStatus must be 429, 500 or 503');
  if (typeof down !== 'boolean') throw new TypeError('down must be true or false');
  return { latencyMillis, errorRate, errorStatus, down };
}
