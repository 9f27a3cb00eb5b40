/**
 * Share one in-flight promise per key: concurrent callers for the same key get the same result
 * and only the first starts the work (a JWKS cold start, the refresh of one session),
 * and the entry is dropped when the promise settles, so errors are never cached.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Run `work` for `key` unless a run for that key is already in flight. */
  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.#inFlight.get(key);
    if (existing !== undefined) return existing;
    const promise = work().finally(() => {
      if (this.#inFlight.get(key) === promise) this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** Number of keys in flight. */
  get size(): number {
    return this.#inFlight.size;
  }
}
