/**
 * Revocations that Stytch has not confirmed yet (a logout while `sessions/revoke` failed): retried
 * with capped exponential backoff until Stytch confirms, or answers that the session is already
 * gone, or the session expires on its own. Pure: the revoke call and the clock are injected, and
 * the timer never keeps a process alive.
 */
import { StytchApiError } from '../errors.js';
import { logEvent } from './logger.js';
import type { Logger } from './logger.js';

/** What to revoke: a session by id, or by a credential when the id is not known (Stytch was unreachable). */
export type RevocationTarget = { member_session_id: string } | { session_token: string } | { session_jwt: string };

/** Revokes one session; resolves when Stytch confirmed. */
export type RevokeSession = (target: RevocationTarget) => Promise<unknown>;

/** Options of {@link PendingRevocations}. */
export interface PendingRevocationsOptions {
  revoke: RevokeSession;
  now: () => number;
  logger?: Logger | undefined;
  /** First retry delay in ms; doubled per attempt. Default 1 000. */
  initialDelayMs?: number;
  /** Longest delay between attempts in ms. Default 60 000. */
  maxDelayMs?: number;
  /** Most revocations kept pending at once (the oldest is given up first). Default 10 000. */
  maxPending?: number;
}

interface Pending {
  readonly target: RevocationTarget;
  readonly untilMs: number;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The revocations of one `stytchAuth()` instance still waiting for Stytch's confirmation. */
export class PendingRevocations {
  readonly #revoke: RevokeSession;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxPending: number;
  readonly #pending = new Map<string, Pending>();

  constructor(options: PendingRevocationsOptions) {
    this.#revoke = options.revoke;
    this.#now = options.now;
    this.#logger = options.logger;
    this.#initialDelayMs = options.initialDelayMs ?? 1_000;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#maxPending = options.maxPending ?? 10_000;
  }

  /** Sessions whose revoke is still pending. */
  get size(): number {
    return this.#pending.size;
  }

  /** True while the revoke under this key has not been confirmed. */
  has(key: string): boolean {
    return this.#pending.has(key);
  }

  /**
   * Keep revoking `target` in the background until confirmed or `untilMs` (its expiry).
   * @param key - the session id, or another stable name of the target (never a raw token: keys are logged).
   */
  add(key: string, target: RevocationTarget, untilMs: number): void {
    if (this.#pending.has(key) || !(untilMs > this.#now())) return;
    if (this.#pending.size >= this.#maxPending) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#drop(oldest);
    }
    const entry: Pending = { target, untilMs, attempts: 0, timer: undefined };
    this.#pending.set(key, entry);
    this.#schedule(key, entry);
  }

  /** Stop every retry (the instance is closing). */
  close(): void {
    for (const id of [...this.#pending.keys()]) this.#drop(id);
  }

  #schedule(id: string, entry: Pending): void {
    const delay = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** entry.attempts);
    entry.timer = setTimeout(() => void this.#attempt(id, entry), delay);
    entry.timer.unref?.();
  }

  async #attempt(id: string, entry: Pending): Promise<void> {
    if (this.#pending.get(id) !== entry) return;
    if (this.#now() >= entry.untilMs) {
      // The session has expired at Stytch by now: nothing is left to revoke.
      this.#drop(id);
      return;
    }
    entry.attempts++;
    try {
      await this.#revoke(entry.target);
      this.#drop(id);
      logEvent(this.#logger, 'info', 'session_revoke_confirmed', { key: id, attempts: entry.attempts });
    } catch (error) {
      // A 404 means Stytch no longer knows the session: as good as revoked.
      if (error instanceof StytchApiError && error.status === 404) {
        this.#drop(id);
        return;
      }
      if (this.#pending.get(id) === entry) this.#schedule(id, entry);
    }
  }

  #drop(id: string): void {
    const entry = this.#pending.get(id);
    if (entry?.timer !== undefined) clearTimeout(entry.timer);
    this.#pending.delete(id);
  }
}
