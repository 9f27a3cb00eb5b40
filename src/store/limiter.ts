/**
 * Attempt limits over a {@link SharedStore}: a fixed window per key (an email address, a client
 * address, a member), counted before the attempt runs so that concurrent attempts cannot slip
 * past the limit. With the Redis store the count is the fleet's; during an outage, this process's.
 */
import type { SharedStore } from './types.js';

/** One limit: at most `max` attempts per `windowSeconds` for one key. */
export interface AttemptLimit {
  readonly max: number;
  readonly windowSeconds: number;
}

/** What {@link AttemptLimiter.consume} decided. */
export type LimitVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

const ALLOWED: LimitVerdict = Object.freeze({ allowed: true });

/** Counts attempts of one kind (e.g. `mfa_code`). Internal to the routes. */
export class AttemptLimiter {
  readonly #store: SharedStore;
  readonly #limit: AttemptLimit;
  readonly #name: string;

  constructor(store: SharedStore, name: string, limit: AttemptLimit) {
    this.#store = store;
    this.#name = name;
    this.#limit = limit;
  }

  /** Count one attempt for `key`; refused once the window already holds `max` attempts. */
  async consume(key: string): Promise<LimitVerdict> {
    const { count, resetInMs } = await this.#store.hit(`${this.#name}:${key}`, this.#limit.windowSeconds * 1000);
    if (count <= this.#limit.max) return ALLOWED;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
  }

  /** Forget the attempts of `key` (a success ends the run of failures). */
  reset(key: string): Promise<void> {
    return this.#store.reset(`${this.#name}:${key}`);
  }
}
