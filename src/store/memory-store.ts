import { LocalCounter } from './local-counter.js';
import { RevocationSet } from './revocation-set.js';
import type { HitResult, RevocationKind, SharedStore, StoreMetricsSnapshot } from './types.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Epoch-ms clock, for tests. Default `Date.now`. */
  now?: () => number;
  /** Most revocations and most counters kept (each). Default 100 000. */
  maxEntries?: number;
}

/**
 * The default store: revocations and attempt counters in this process's memory. Right for one
 * process; a fleet behind a load balancer wants {@link redisStore}.
 *
 * @example
 * const auth = stytchAuth({ store: memoryStore() });
 */
export function memoryStore(options: MemoryStoreOptions = {}): SharedStore {
  const now = options.now ?? Date.now;
  const revocations = new RevocationSet(now, options.maxEntries);
  const counter = new LocalCounter(now, options.maxEntries);
  let published = 0;
  return {
    kind: 'memory',
    revoke(kind: RevocationKind, id: string, untilMs: number): Promise<void> {
      if (revocations.add(kind, id, now(), untilMs)) published++;
      return Promise.resolve();
    },
    isRevoked: (sessionId, memberId, startedAtMs) => revocations.isRevoked(sessionId, memberId, startedAtMs),
    get hasRevocations() {
      return revocations.size > 0;
    },
    hit(key: string, windowMs: number): Promise<HitResult> {
      return Promise.resolve({ ...counter.hit(key, windowMs), local: false });
    },
    peek(key: string): Promise<HitResult> {
      return Promise.resolve({ ...counter.peek(key), local: false });
    },
    reset(key: string): Promise<void> {
      counter.reset(key);
      return Promise.resolve();
    },
    ready: () => Promise.resolve(),
    metrics: (): StoreMetricsSnapshot => ({
      kind: 'memory',
      state: 'up',
      outages: 0,
      commandFailures: 0,
      revocationsPublished: published,
      revocationsReceived: 0,
      revocationsUnpublished: 0,
      revocationsKnown: revocations.size,
      localHits: 0,
    }),
    close: () => Promise.resolve(),
  };
}
