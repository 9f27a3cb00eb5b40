/** Counters kept by one `stytchAuth()` instance. Plain numbers: cheap to bump on the hot path. */
export interface SessionMetricsSnapshot {
  /** Session JWTs verified locally (RS256 via node:crypto) on this process. */
  localVerifications: number;
  /** Requests answered from the verified-token cache (no signature check, no network). */
  cacheHits: number;
  /** Calls made to `sessions/authenticate`. */
  networkAuthentications: number;
  /** JWKS fetch attempts (successful or not). */
  jwksFetches: number;
  /** JWKS fetch attempts that failed. */
  jwksFetchFailures: number;
  /** Requests served with a stale JWKS during an outage (stale-if-error). */
  jwksStaleServed: number;
  /** Successful network authentications that returned a fresh JWT written back as cookies. */
  refreshes: number;
  /** Signed-out and undecided outcomes, by reason. */
  rejections: Record<string, number>;
  /** Circuit breaker state of the network path. */
  circuit: 'closed' | 'open' | 'half_open';
  /** Entries in the verified-token cache right now (never above the `verifiedCacheSize` option). */
  verifiedCacheSize: number;
  /**
   * Login starts Stytch refused for a reason that would reveal whether a member exists (no such
   * member, not allowed to join), answered as if sent; by Stytch's `error_type`.
   */
  hiddenStartRefusals: Record<string, number>;
}

/** Mutable counters; `snapshot()` copies them. Internal. */
export class SessionMetrics {
  localVerifications = 0;
  cacheHits = 0;
  networkAuthentications = 0;
  jwksFetches = 0;
  jwksFetchFailures = 0;
  jwksStaleServed = 0;
  refreshes = 0;
  // Map, not a plain object: reasons are our own strings, but a Map keeps prototype keys out.
  readonly rejections = new Map<string, number>();
  readonly hiddenStartRefusals = new Map<string, number>();

  reject(reason: string): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }

  hideStartRefusal(errorType: string): void {
    this.hiddenStartRefusals.set(errorType, (this.hiddenStartRefusals.get(errorType) ?? 0) + 1);
  }

  snapshot(circuit: SessionMetricsSnapshot['circuit'], verifiedCacheSize: number): SessionMetricsSnapshot {
    return {
      localVerifications: this.localVerifications,
      cacheHits: this.cacheHits,
      networkAuthentications: this.networkAuthentications,
      jwksFetches: this.jwksFetches,
      jwksFetchFailures: this.jwksFetchFailures,
      jwksStaleServed: this.jwksStaleServed,
      refreshes: this.refreshes,
      rejections: Object.fromEntries(this.rejections),
      circuit,
      verifiedCacheSize,
      hiddenStartRefusals: Object.fromEntries(this.hiddenStartRefusals),
    };
  }
}
