/** State of a {@link CircuitBreaker}. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive upstream failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through, in ms. Default 30 000. */
  coolOffMs?: number;
  /** How long a rate limit without `Retry-After` keeps the circuit open, in ms. Default 5 000. */
  rateLimitBackoffMs?: number;
  /** Epoch-ms clock (injected in tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * A small circuit breaker for the network path: after `failureThreshold`
 * consecutive failures it opens for `coolOffMs`, answering "not now" without a call; then it lets
 * exactly one probe through (half-open). The probe's success closes it, its failure re-opens it.
 * A 429 opens it at once for the `Retry-After` period, so nothing is retried early.
 *
 * Pure and synchronous: callers ask {@link tryAcquire} before a call and report the outcome.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 5, coolOffMs: 30_000 });
 * if (!breaker.tryAcquire()) return undecided('circuit_open');
 * try { await call(); breaker.onSuccess(); } catch (e) { breaker.onFailure(); throw e; }
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #coolOffMs: number;
  readonly #now: () => number;
  readonly #rateLimitBackoffMs: number;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openUntil = 0;
  #probeInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#coolOffMs = options.coolOffMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#rateLimitBackoffMs = options.rateLimitBackoffMs ?? 5_000;
    if (!Number.isInteger(this.#threshold) || this.#threshold < 1) throw new RangeError('failureThreshold must be a positive integer');
    if (!Number.isFinite(this.#coolOffMs) || this.#coolOffMs < 0) throw new RangeError('coolOffMs must be a non-negative number');
  }

  /** Current state; an open circuit whose cool-off has passed reads as half-open. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() >= this.#openUntil) return 'half_open';
    return this.#state;
  }

  /** Seconds until the circuit lets a probe through (0 when closed). */
  retryAfterSeconds(): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, Math.ceil((this.#openUntil - this.#now()) / 1000));
  }

  /**
   * May a call go out now? Closed: yes. Open within the cool-off: no. Open past the cool-off:
   * yes for exactly one caller (the probe); the others get no until the probe reports.
   */
  tryAcquire(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#now() < this.#openUntil) return false;
      this.#state = 'half_open';
      this.#probeInFlight = false;
    }
    if (this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  /** The call got a usable answer (including a definite 4xx): close the circuit. */
  onSuccess(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#probeInFlight = false;
  }

  /**
   * The call failed (timeout, network, 5xx, unusable body). A failed probe re-opens at once.
   * @param rateLimit - the call was rate limited (429): open at once, for `retryAfterMs` when
   *   Stytch said how long to wait, else for `rateLimitBackoffMs`; nothing is retried earlier.
   */
  onFailure(rateLimit?: { retryAfterMs: number | undefined }): void {
    this.#probeInFlight = false;
    this.#failures++;
    if (rateLimit !== undefined) {
      const wait = rateLimit.retryAfterMs;
      this.#open(wait !== undefined && wait > 0 ? wait : this.#rateLimitBackoffMs);
      return;
    }
    if (this.#state === 'half_open' || this.#failures >= this.#threshold) this.#open(this.#coolOffMs);
  }

  #open(durationMs: number): void {
    this.#state = 'open';
    this.#openUntil = Math.max(this.#openUntil, this.#now() + durationMs);
  }
}
