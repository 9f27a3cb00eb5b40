/**
 * Limits on failed password and code attempts, per member (organization + email) and per client
 * address, counted in fixed windows. Stytch's own limits still apply; these stop a guessing run
 * before it reaches Stytch. By default they count in the `stytchAuth()` store (memory, or Redis
 * for a fleet); an app may give its own {@link AttemptStore} instead.
 */
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import { ConfigError, StytchExpressError } from '../errors.js';
import type { SharedStore } from '../store/types.js';

/** Where failed-attempt counters live. Both methods may be sync or async. */
export interface AttemptStore {
  /** The current window's count for `key` and when that window ends (epoch ms); `undefined` when none is open. */
  get(key: string, now: number): AttemptCount | undefined | Promise<AttemptCount | undefined>;
  /** Count one failure for `key`, opening a window of `windowMs` when none is open; returns the new count. */
  increment(key: string, windowMs: number, now: number): AttemptCount | Promise<AttemptCount>;
  /** Forget `key` (after a success). */
  reset(key: string): void | Promise<void>;
}

export interface AttemptCount {
  count: number;
  resetAt: number;
}

/** One limit: at most `max` failures per `windowSeconds`. */
export interface AttemptLimit {
  max: number;
  windowSeconds: number;
}

/** Option `attemptLimits` of `stytchRoutes()`. */
export interface AttemptLimitsOptions {
  /** Failures per member (organization, or discovery, + email address). Default 5 per 15 minutes; `false` turns it off. */
  member?: AttemptLimit | false;
  /** Failures per client address. Default 30 per 15 minutes; `false` turns it off. */
  client?: AttemptLimit | false;
  /**
   * Calls of the strength route per client address (each costs a Stytch call; live feedback makes
   * many). Counted apart from failed sign-ins. Default 300 per 15 minutes; `false` turns it off.
   */
  strengthChecks?: AttemptLimit | false;
  /** Counter store. Default: in memory (this process only), at most 50 000 keys. */
  store?: AttemptStore;
  /**
   * The client's address. Default `req.socket.remoteAddress`; behind a proxy, read your trusted
   * forwarding header here (never trust it unconditionally).
   */
  clientAddress?: (req: IncomingMessage) => string | undefined;
}

/** 429 `too_many_attempts` with the seconds until the window ends (sent as `Retry-After`). */
export class TooManyAttemptsError extends StytchExpressError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('too_many_attempts', 429, 'Too many attempts. Try again later.');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The default store: fixed windows in an LRU map. */
export class MemoryAttemptStore implements AttemptStore {
  readonly #map = new LRUCache<string, AttemptCount>({ max: 50_000 });

  get(key: string, now: number): AttemptCount | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined || entry.resetAt <= now) return undefined;
    return { ...entry };
  }

  increment(key: string, windowMs: number, now: number): AttemptCount {
    const open = this.get(key, now);
    const next = open === undefined ? { count: 1, resetAt: now + windowMs } : { count: open.count + 1, resetAt: open.resetAt };
    this.#map.set(key, next);
    return { ...next };
  }

  reset(key: string): void {
    this.#map.delete(key);
  }
}

/** What one flow asks the limiter about: the member key is optional (discovery code sends have none). */
export interface AttemptSubject {
  /** e.g. `password|organization-test-...|ada@example.com`. */
  member?: string;
}

/**
 * The `stytchAuth()` store (memory, or Redis for a fleet) seen as an {@link AttemptStore}: failures
 * are counted in it and read back from it, so a member's limit holds across every instance sharing
 * the store. Outages and other non-credential errors are never counted; while the shared backend is
 * unreachable the store counts per process.
 */
class SharedAttemptStore implements AttemptStore {
  readonly #store: SharedStore;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  async get(key: string, now: number): Promise<AttemptCount | undefined> {
    const { count, resetInMs } = await this.#store.peek(`attempts:${key}`);
    return count === 0 ? undefined : { count, resetAt: now + resetInMs };
  }

  async increment(key: string, windowMs: number, now: number): Promise<AttemptCount> {
    const { count, resetInMs } = await this.#store.hit(`attempts:${key}`, windowMs);
    return { count, resetAt: now + resetInMs };
  }

  async reset(key: string): Promise<void> {
    await this.#store.reset(`attempts:${key}`);
  }
}

/** The resolved limiter of one router. */
export class AttemptLimiter {
  readonly #member: AttemptLimit | undefined;
  readonly #client: AttemptLimit | undefined;
  readonly #strength: AttemptLimit | undefined;
  readonly #store: AttemptStore;
  readonly #address: (req: IncomingMessage) => string | undefined;
  /** The `stytchAuth()` store when counting there (no `attemptLimits.store` given). */
  readonly #backend: SharedStore | undefined;
  readonly #options: AttemptLimitsOptions;

  constructor(options: AttemptLimitsOptions | undefined, shared?: SharedStore) {
    const o = options ?? {};
    this.#options = o;
    if (typeof o !== 'object' || o === null) throw new ConfigError('attemptLimits must be an object.');
    this.#member = readLimit(o.member, 'attemptLimits.member', { max: 5, windowSeconds: 900 });
    this.#client = readLimit(o.client, 'attemptLimits.client', { max: 30, windowSeconds: 900 });
    this.#strength = readLimit(o.strengthChecks, 'attemptLimits.strengthChecks', { max: 300, windowSeconds: 900 });
    if (o.store !== undefined && (typeof o.store?.get !== 'function' || typeof o.store.increment !== 'function' || typeof o.store.reset !== 'function')) {
      throw new ConfigError('attemptLimits.store must have get(), increment() and reset().');
    }
    if (o.clientAddress !== undefined && typeof o.clientAddress !== 'function') throw new ConfigError('attemptLimits.clientAddress must be a function.');
    this.#backend = o.store === undefined ? shared : undefined;
    this.#store = o.store ?? (this.#backend === undefined ? new MemoryAttemptStore() : new SharedAttemptStore(this.#backend));
    this.#address = o.clientAddress ?? ((req) => req.socket?.remoteAddress);
  }

  /**
   * This limiter counting in `store` (the `stytchAuth()` instance's), unless the app gave its own
   * `attemptLimits.store`: then limits hold across every instance sharing that store.
   */
  withSharedStore(store: SharedStore): AttemptLimiter {
    return this.#options.store === undefined ? new AttemptLimiter(this.#options, store) : this;
  }

  #keys(req: IncomingMessage, subject: AttemptSubject): { key: string; limit: AttemptLimit }[] {
    const keys: { key: string; limit: AttemptLimit }[] = [];
    if (this.#member !== undefined && subject.member !== undefined) keys.push({ key: `m|${subject.member}`, limit: this.#member });
    const address = this.#client === undefined ? undefined : this.#address(req);
    if (this.#client !== undefined && typeof address === 'string' && address !== '') keys.push({ key: `c|${address}`, limit: this.#client });
    return keys;
  }

  /** Throws {@link TooManyAttemptsError} when a limit is used up; call before the upstream call. */
  async check(req: IncomingMessage, subject: AttemptSubject, now: number): Promise<void> {
    for (const { key, limit } of this.#keys(req, subject)) {
      const current = await this.#store.get(key, now);
      if (current !== undefined && current.count >= limit.max) throw new TooManyAttemptsError(Math.max(1, Math.ceil((current.resetAt - now) / 1000)));
    }
  }

  /** Counts a failed attempt against every limit that applies. */
  async fail(req: IncomingMessage, subject: AttemptSubject, now: number): Promise<void> {
    for (const { key, limit } of this.#keys(req, subject)) await this.#store.increment(key, limit.windowSeconds * 1000, now);
  }

  /** Counts one strength check for the client address; 429 once its own limit is used up. */
  async spendStrengthCheck(req: IncomingMessage, now: number): Promise<void> {
    const address = this.#strength === undefined ? undefined : this.#address(req);
    if (this.#strength === undefined || typeof address !== 'string' || address === '') return;
    const key = `s|${address}`;
    const current = await this.#store.get(key, now);
    if (current !== undefined && current.count >= this.#strength.max) throw new TooManyAttemptsError(Math.max(1, Math.ceil((current.resetAt - now) / 1000)));
    await this.#store.increment(key, this.#strength.windowSeconds * 1000, now);
  }

  /** A success clears the member's counter (not the client address's: one address may try many members). */
  async succeed(subject: AttemptSubject): Promise<void> {
    if (this.#member !== undefined && subject.member !== undefined) {
      await this.#store.reset(`m|${subject.member}`);
    }
  }
}

function readLimit(value: AttemptLimit | false | undefined, name: string, fallback: AttemptLimit): AttemptLimit | undefined {
  if (value === false) return undefined;
  if (value === undefined) return fallback;
  if (typeof value !== 'object' || value === null) throw new ConfigError(`${name} must be { max, windowSeconds } or false.`);
  const { max, windowSeconds } = value;
  if (!Number.isInteger(max) || max < 1) throw new ConfigError(`${name}.max must be a positive integer.`);
  if (typeof windowSeconds !== 'number' || !Number.isFinite(windowSeconds) || windowSeconds <= 0) throw new ConfigError(`${name}.windowSeconds must be a positive number.`);
  return { max, windowSeconds };
}
