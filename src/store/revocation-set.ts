/**
 * The revocations one process knows, checked synchronously on every request. Bounded: the
 * entry that expires first is not necessarily dropped first, but the set never outgrows `max`.
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
  readonly #entries: LRUCache<string, Entry>;

  constructor(now: () => number, max = 100_000) {
    this.#now = now;
    this.#entries = new LRUCache({ max });
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Record a revocation; a later expiry (or an earlier revocation time for a member) wins. Returns true when it was new. */
  add(kind: RevocationKind, id: string, atMs: number, untilMs: number): boolean {
    if (!(untilMs > this.#now()) || id.length === 0) return false;
    const key = keyOf(kind, id);
    const known = this.#entries.peek(key);
    if (known !== undefined && known.untilMs >= untilMs && known.atMs >= atMs) return false;
    this.#entries.set(key, { atMs: known === undefined ? atMs : Math.max(known.atMs, atMs), untilMs: known === undefined ? untilMs : Math.max(known.untilMs, untilMs) });
    return known === undefined;
  }

  isRevoked(sessionId: string, memberId: string, sessionStartedAtMs: number): boolean {
    if (this.#entries.size === 0) return false;
    if (this.#live(keyOf('session', sessionId)) !== undefined) return true;
    const member = this.#live(keyOf('member', memberId));
    return member !== undefined && sessionStartedAtMs <= member.atMs;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.untilMs <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

function keyOf(kind: RevocationKind, id: string): string {
  return (kind === 'session' ? 's:' : 'm:') + id;
}
