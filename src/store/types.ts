/**
 * The shared, short-lived state of a fleet of `stytchAuth()` instances: revocations of sessions
 * and members, and attempt counters with a window. A leaf module: types only.
 */

/** What a revocation names: one session, or every session a member started before it. */
export type RevocationKind = 'session' | 'member';

/** One attempt counted by {@link SharedStore.hit}. */
export interface HitResult {
  /** Attempts under the key in the current window, this one included. */
  readonly count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  readonly resetInMs: number;
  /** True when the count came from this process only (the shared store was unreachable). */
  readonly local: boolean;
}

/** Counters and state of a store, for `metrics()`. */
export interface StoreMetricsSnapshot {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** `up` while the shared backend answers; `down` during an outage (local fallbacks in use). Always `up` in memory. */
  readonly state: 'up' | 'down';
  /** Transitions from up to down since the store was created. */
  readonly outages: number;
  /** Commands that failed or missed their deadline. */
  readonly commandFailures: number;
  /** Revocations published by this process (accepted locally, whatever the backend did). */
  readonly revocationsPublished: number;
  /** Revocations learnt from other processes (messages and key loads). */
  readonly revocationsReceived: number;
  /** Revocations made here during an outage, still to be written to the backend. */
  readonly revocationsUnpublished: number;
  /** Revocations known to this process right now. */
  readonly revocationsKnown: number;
  /** Attempts counted per process because the backend was unreachable. */
  readonly localHits: number;
}

/**
 * Shared short-lived state. Every method is safe to call during a backend outage: nothing
 * rejects, revocations made here are enforced here at once, and counters fall back to this process.
 */
export interface SharedStore {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /**
   * Publish a revocation: every process sharing the store refuses the session (or, for a member,
   * every session that member started at or before now) until `untilMs` (epoch ms).
   * Enforced in this process before the promise settles; never rejects.
   */
  revoke(kind: RevocationKind, id: string, untilMs: number): Promise<void>;
  /**
   * Synchronous check against what this process knows (its own revocations, those received from
   * the fleet and those loaded at start or reconnect).
   * @param sessionStartedAtMs - for `member`: only sessions started at or before the revocation are refused.
   */
  isRevoked(sessionId: string, memberId: string, sessionStartedAtMs: number): boolean;
  /** True when at least one revocation is known (lets the hot path skip the lookup). */
  readonly hasRevocations: boolean;
  /** Count one attempt under `key` in a fixed window of `windowMs`; never rejects. */
  hit(key: string, windowMs: number): Promise<HitResult>;
  /** The attempts under `key` in the current window, without counting one; never rejects. */
  peek(key: string): Promise<HitResult>;
  /** Forget the attempts under `key` (e.g. after a success); never rejects. */
  reset(key: string): Promise<void>;
  /** Resolves once the store is connected and has loaded the revocations already published (or gave up waiting); never rejects. */
  ready(): Promise<void>;
  metrics(): StoreMetricsSnapshot;
  /** Release connections and timers. */
  close(): Promise<void>;
}
