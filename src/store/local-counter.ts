/** Fixed-window attempt counters of one process: the memory store, and the Redis store's fallback. */
import { LRUCache } from 'lru-cache';

interface Window {
  count: number;
  readonly endsAtMs: number;
}

/** Internal. */
export class LocalCounter {
  readonly #now: () => number;
  readonly #windows: LRUCache<string, Window>;

  constructor(now: () => number, max = 100_000) {
    this.#now = now;
    this.#windows = new LRUCache({ max });
  }

  hit(key: string, windowMs: number): { count: number; resetInMs: number } {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.endsAtMs <= now) {
      window = { count: 0, endsAtMs: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    return { count: window.count, resetInMs: window.endsAtMs - now };
  }

  /** The current window's count without counting (0 when no window is open). */
  peek(key: string): { count: number; resetInMs: number } {
    const now = this.#now();
    const window = this.#windows.get(key);
    if (window === undefined || window.endsAtMs <= now) return { count: 0, resetInMs: 0 };
    return { count: window.count, resetInMs: window.endsAtMs - now };
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }
}
