import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/session/circuit-breaker.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed below the failure threshold', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolOffMs: 1000, now: c.now });
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('opens after N consecutive failures and refuses calls during the cool-off', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolOffMs: 1000, now: c.now });
    for (let i = 0; i < 3; i++) breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryAfterSeconds()).toBe(1);
  });

  it('a success in between resets the consecutive count', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, coolOffMs: 1000, now: c.now });
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one probe through after the cool-off (half-open)', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolOffMs: 1000, now: c.now });
    breaker.onFailure();
    c.advance(1000);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('a successful probe closes the circuit', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolOffMs: 1000, now: c.now });
    breaker.onFailure();
    c.advance(1000);
    breaker.tryAcquire();
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('a failed probe re-opens the circuit for another cool-off', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 5, coolOffMs: 1000, now: c.now });
    for (let i = 0; i < 5; i++) breaker.onFailure();
    c.advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(999);
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('a rate limit opens the circuit at once for the Retry-After period', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 5, coolOffMs: 1000, now: c.now });
    breaker.onFailure({ retryAfterMs: 10_000 });
    expect(breaker.state).toBe('open');
    c.advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('a rate limit without Retry-After opens the circuit for the rate-limit backoff', () => {
    const c = clock();
    const breaker = new CircuitBreaker({ failureThreshold: 5, coolOffMs: 30_000, rateLimitBackoffMs: 2_000, now: c.now });
    breaker.onFailure({ retryAfterMs: undefined });
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(2_000);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('refuses a non-positive threshold at construction', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
  });
});
