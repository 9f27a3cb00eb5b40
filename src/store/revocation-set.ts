/**
 * The revocations one process knows, checked synchronously on every request. Bounded: the
 * entry that expires first is not necessarily dropped first, but the set never outgrows `max`
 * (per kind). Keyed by the raw id, one map per kind, so a check allocates nothing.
 */
import { LRUCache } from 'lru-cache';
import type { RevocationKind } from './types.js';

interface Entry {
  /** When it was revoked (members: sessions started at or before this are refused). */
  readonly atMs: number;
  readonly untilMs: number;
}

/** Local mirror of the fleet's revocations. Internal. */
export class RevocationSet {
  readonly #now: () => number;
  readonly #sessions: LRUCache<string, Entry>;
  readonly #members: LRUCache<string, Entry>;

  constructor(now: () => number, max = 100_000) {
    this.#now = now;
    this.#sessions = new LRUCache({ max });
    this.#members = new LRUCache({ max });
  }

  get size(): number {
    return this.#sessions.size + this.#members.size;
  }

  /** Record a revocation; a later expiry (or a later revocation time for a member) wins. Returns true when it was new. */
  add(kind: RevocationKind, id: string, atMs: number, untilMs: number): boolean {
    if (!(untilMs > this.#now()) || id.length === 0) return false;
    const map = kind === 'session' ? this.#sessions : this.#members;
    const known = map.peek(id);
    if (known !== undefined && known.untilMs >= untilMs && known.atMs >= atMs) return false;
    map.set(id, known === undefined ? { atMs, untilMs } : { atMs: Math.max(known.atMs, atMs), untilMs: Math.max(known.untilMs, untilMs) });
    return known === undefined;
  }

  isRevoked(sessionId: string, memberId: string, sessionStartedAtMs: number): boolean {
    if (this.#sessions.size > 0 && live(this.#sessions, sessionId, this.#now) !== undefined) return true;
    if (this.#members.size === 0) return false;
    const member = live(this.#members, memberId, this.#now);
    return member !== undefined && sessionStartedAtMs <= member.atMs;
  }
}

function live(map: LRUCache<string, Entry>, id: string, now: () => number): Entry | undefined {
  const entry = map.get(id);
  if (entry === undefined) return undefined;
  if (entry.untilMs <= now()) {
    map.delete(id);
    return undefined;
  }
  return entry;
}
