import { ConfigError } from '../errors.js';
import type { M2MTokenRequest, M2MTokenResponse } from './api-types.js';
import type { CallOptions } from './transport.js';

/** The one call {@link M2MTokenCache} needs (structural: `client.m2m` fits). */
export interface M2MTokenApi {
  token(request: M2MTokenRequest, options?: CallOptions): Promise<M2MTokenResponse>;
}

/** Options of {@link M2MTokenCache}. */
export interface M2MTokenCacheOptions {
  /** Usually `client.m2m` of a {@link StytchB2BClient}. */
  m2m: M2MTokenApi;
  clientId: string;
  clientSecret: string;
  /** Scopes to request; omitted asks for all of the client's. */
  scopes?: readonly string[];
  /** A token is replaced this many seconds before it expires. Default 60. */
  refreshBeforeSeconds?: number;
  /** Epoch-ms clock. Default `Date.now`. */
  now?: () => number;
}

/**
 * An M2M access token for the app's own outbound calls, fetched once and reused until
 * `refreshBeforeSeconds` before it expires. Concurrent callers share one fetch; a failed fetch
 * is not remembered (the next call tries again) and never hands out an expired token.
 *
 * @example
 * const tokens = new M2MTokenCache({ m2m: client.m2m, clientId, clientSecret, scopes: ['read:documents'] });
 * await fetch(url, { headers: { authorization: `Bearer ${await tokens.getToken()}` } });
 */
export class M2MTokenCache {
  readonly #m2m: M2MTokenApi;
  readonly #request: M2MTokenRequest;
  readonly #marginMs: number;
  readonly #now: () => number;
  #token: { value: string; refreshAtMs: number } | undefined;
  #inFlight: Promise<string> | undefined;

  constructor(options: M2MTokenCacheOptions) {
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new ConfigError('clientId must be a non-empty string.');
    if (typeof options.clientSecret !== 'string' || options.clientSecret === '') throw new ConfigError('clientSecret must be a non-empty string.');
    const margin = options.refreshBeforeSeconds ?? 60;
    if (!Number.isFinite(margin) || margin < 0) throw new ConfigError('refreshBeforeSeconds must be a finite number of seconds >= 0.');
    this.#m2m = options.m2m;
    this.#request = {
      client_id: options.clientId,
      client_secret: options.clientSecret,
      ...(options.scopes === undefined ? {} : { scopes: [...options.scopes] }),
    };
    this.#marginMs = margin * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** A valid access token: the cached one, or a fresh one (one fetch at a time). */
  getToken(options?: CallOptions): Promise<string> {
    const cached = this.#token;
    if (cached !== undefined && this.#now() < cached.refreshAtMs) return Promise.resolve(cached.value);
    this.#inFlight ??= this.#fetch(options).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Drops the cached token (e.g. after the callee answered 401); the next call fetches anew. */
  clear(): void {
    this.#token = undefined;
  }

  async #fetch(options: CallOptions | undefined): Promise<string> {
    const startedAt = this.#now();
    const response = await this.#m2m.token(this.#request, options);
    const expiresIn = typeof response.expires_in === 'number' && Number.isFinite(response.expires_in) ? response.expires_in : 0;
    // Measured from when the fetch started, so time on the wire only ever shortens the reuse.
    const refreshAtMs = startedAt + Math.max(0, expiresIn * 1000 - this.#marginMs);
    if (refreshAtMs > startedAt) this.#token = { value: response.access_token, refreshAtMs };
    return response.access_token;
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.#request.client_id };
  }
}
