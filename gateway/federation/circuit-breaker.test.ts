import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  function breaker() {
    let now = 1_000;
    const states: string[] = [];
    const b = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMillis: 500, now: () => now, onStateChange: (s) => states.push(s) });
    return { b, states, advance: (ms: number) => (now += ms) };
  }

  it('opens only after the threshold of consecutive failures', () => {
    const { b } = breaker();
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
  });

  it('lets exactly one trial call through after the reset timeout, and closes on its success', () => {
    const { b, states, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(499);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.tryAcquire()).toBe(true);
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(false);
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens at once when the trial call fails', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.onFailure();
    advance(500);
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
  });

  it('refuses nonsensical options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, resetTimeoutMillis: 1 })).toThrow(TypeError);
  });
});
