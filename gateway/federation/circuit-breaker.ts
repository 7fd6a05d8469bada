export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call. @default 10_000 */
  readonly resetTimeoutMillis: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: CircuitState) => void;
}

/**
 * Per-subgraph circuit breaker: after `failureThreshold` consecutive transport failures (not
 * GraphQL errors) calls fail fast for `resetTimeoutMillis`; then a single trial call decides whether
 * the circuit closes again. This keeps a dead subgraph from holding every request for its timeout.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    if (!(options.failureThreshold >= 1)) throw new TypeError('failureThreshold must be >= 1');
    if (!(options.resetTimeoutMillis >= 1)) throw new TypeError('resetTimeoutMillis must be >= 1');
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Whether a call may go ahead now. A `true` in half-open state reserves the single trial call. */
  tryAcquire(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#options.resetTimeoutMillis) return false;
      this.#setState('half-open');
    }
    if (this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    if (this.#state !== 'closed') this.#setState('closed');
  }

  onFailure(): void {
    this.#trialInFlight = false;
    this.#failures += 1;
    if (this.#state === 'half-open' || this.#failures >= this.#options.failureThreshold) {
      this.#openedAt = this.#now();
      if (this.#state !== 'open') this.#setState('open');
    }
  }

  #setState(state: CircuitState): void {
    this.#state = state;
    this.#options.onStateChange?.(state);
  }
}
