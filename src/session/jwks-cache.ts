import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { StytchUnavailableError } from '../errors.js';
import { logEvent } from './logger.js';
import type { Logger } from './logger.js';

/** Options of {@link JwksCache}. Defaults follow jose's remote JWKS. */
export interface JwksCacheOptions {
  /** The JWKS URL, from configuration only (never from a token or a request). */
  url: string;
  /** undici dispatcher for the fetch (tests, proxies, keep-alive pools). Default: undici's global one. */
  dispatcher?: Dispatcher;
  /** Epoch-ms clock (injected in tests). Default `Date.now`. */
  now?: () => number;
  /** A fetched key set is fresh this long, in ms. Default 600 000 (10 minutes). */
  maxAgeMs?: number;
  /** After a successful fetch, an unknown `kid` triggers a refetch at most this often, in ms. Default 30 000. */
  cooldownMs?: number;
  /**
   * How long past `maxAgeMs` the last good key set may still verify tokens whose `kid` it holds,
   * while the JWKS endpoint is failing (stale-if-error), in ms. Default 3 600 000 (1 hour).
   * It never covers a `kid` the set does not hold.
   */
  staleIfErrorMs?: number;
  /** Deadline of one fetch (headers and body), in ms. Default 5 000. */
  timeoutMs?: number;
  /** Cap on the JWKS body, in bytes. Default 65 536. */
  maxBodyBytes?: number;
  /** Most keys kept from one response; extra entries are ignored. Default 16. */
  maxKeys?: number;
  /** First wait after a failed fetch before the next attempt, in ms; doubles up to `maxFailureBackoffMs`. Default 1 000. */
  failureBackoffMs?: number;
  /** Longest wait between attempts while the endpoint keeps failing, in ms. Default 30 000. */
  maxFailureBackoffMs?: number;
  logger?: Logger | undefined;
  /** Called once per fetch attempt, after it settles (counters). */
  onFetch?: (ok: boolean) => void;
  /** Called when a stale key set answered because the endpoint is failing (counters). */
  onStaleServed?: () => void;
}

/** What a key lookup found. */
export type KeyLookup =
  | { kind: 'key'; key: KeyObject; stale: boolean }
  /** The `kid` is not in the (fresh, or stale-in-window) key set, even after an allowed refetch. */
  | { kind: 'unknown_kid' }
  /** The token has no `kid` and the set holds several keys: we never try each key in turn. */
  | { kind: 'ambiguous' }
  /**
   * No usable key set: never fetched, or stale past the window and the endpoint is failing.
   * `staleKey` is the expired copy of the kid's key, when held: it may prove a token forged
   * (signature fails), but never makes one valid.
   */
  | { kind: 'unavailable'; error: StytchUnavailableError; staleKey?: KeyObject };

/**
 * Keys are node:crypto `KeyObject`s, imported once per fetched key (not per token), so a
 * verification is one synchronous `crypto.verify` call (see verify-jwt.ts for why not WebCrypto).
 */
interface KeySet {
  readonly byKid: Map<string, KeyObject>;
  /** Keys published without a kid; usable only when the set holds exactly one key. */
  readonly kidless: KeyObject[];
  readonly size: number;
  readonly fetchedAt: number;
}

const MIN_RSA_MODULUS_BITS = 2048;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The Stytch JWKS, fetched once and cached; pure (no Express).
 *
 * - single-flight: concurrent lookups share one fetch;
 * - fresh for `maxAgeMs`; an unknown `kid` refetches at most once per `cooldownMs`;
 * - when the endpoint fails, the last good set keeps verifying known kids for `staleIfErrorMs`
 *   past its max age (with a warning), never new kids;
 * - failed fetches back off exponentially, and errors are never cached;
 * - bad responses leave the previous set in place; unusable entries are skipped;
 * - bounded body, bounded keys, a deadline, no redirects followed, and an older response never
 *   replaces a newer one.
 *
 * @example
 * const jwks = new JwksCache({ url: client.config.jwksUrl });
 * const found = await jwks.getKey(header.kid);
 */
export class JwksCache {
  readonly #url: string;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #cooldownMs: number;
  readonly #staleIfErrorMs: number;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxKeys: number;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #logger: Logger | undefined;
  readonly #onFetch: ((ok: boolean) => void) | undefined;
  readonly #onStaleServed: (() => void) | undefined;

  #set: KeySet | undefined;
  #inFlight: Promise<void> | undefined;
  #startedSeq = 0;
  #appliedSeq = 0;
  #backoffMs = 0;
  #nextAttemptAt = 0;

  constructor(options: JwksCacheOptions) {
    this.#url = options.url;
    this.#dispatcher = options.dispatcher;
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? 600_000;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#staleIfErrorMs = options.staleIfErrorMs ?? 3_600_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 65_536;
    this.#maxKeys = options.maxKeys ?? 16;
    this.#initialBackoffMs = options.failureBackoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxFailureBackoffMs ?? 30_000;
    this.#logger = options.logger;
    this.#onFetch = options.onFetch;
    this.#onStaleServed = options.onStaleServed;
  }

  /** Number of usable keys currently held (0 before the first successful fetch). */
  get size(): number {
    return this.#set?.size ?? 0;
  }

  /**
   * Synchronous fast path of {@link getKey}: the answer when the key set is fresh and decides
   * `kid` without any fetch; undefined otherwise (then call getKey). Saves the cold path a promise
   * hop per token.
   */
  peekKey(kid: string | undefined): KeyLookup | undefined {
    const set = this.#set;
    return set !== undefined && this.#now() - set.fetchedAt < this.#maxAgeMs ? lookup(set, kid) : undefined;
  }

  /** Find the verification key for a token's `kid` (undefined when the token has none). */
  async getKey(kid: string | undefined): Promise<KeyLookup> {
    const set = this.#set;
    if (set !== undefined && this.#now() - set.fetchedAt < this.#maxAgeMs) {
      const found = lookup(set, kid);
      if (found !== undefined) return found;
      // Unknown kid on a fresh set: maybe a rotation. Refetch, but at most once per cooldown
      // after a successful fetch and never during failure backoff, so random kids cannot
      // turn into a JWKS request flood.
      const now = this.#now();
      if (now - set.fetchedAt >= this.#cooldownMs && now >= this.#nextAttemptAt) {
        await this.#refresh();
        const after = this.#set;
        if (after !== undefined && after !== set) return lookup(after, kid) ?? UNKNOWN_KID;
      }
      return UNKNOWN_KID;
    }
    // Cold or past max age: refresh (unless backing off), then decide with what we have.
    if (this.#inFlight !== undefined || this.#now() >= this.#nextAttemptAt) await this.#refresh();
    const current = this.#set;
    const now = this.#now();
    let staleKey: KeyObject | undefined;
    if (current !== undefined) {
      const age = now - current.fetchedAt;
      if (age < this.#maxAgeMs) return lookup(current, kid) ?? UNKNOWN_KID;
      if (age < this.#maxAgeMs + this.#staleIfErrorMs) {
        const found = lookup(current, kid) ?? UNKNOWN_KID;
        if (found.kind === 'key') {
          this.#onStaleServed?.();
          logEvent(this.#logger, 'warn', 'jwks_stale_served', { ageMs: age });
          return { kind: 'key', key: found.key, stale: true };
        }
        return found;
      }
      const expired = lookup(current, kid);
      if (expired?.kind === 'key') staleKey = expired.key;
    }
    return {
      kind: 'unavailable',
      error: new StytchUnavailableError('upstream_unavailable', 'The session signing keys could not be loaded.', {
        retryAfterSeconds: Math.max(1, Math.ceil((this.#nextAttemptAt - now) / 1000)),
      }),
      ...(staleKey === undefined ? {} : { staleKey }),
    };
  }

  /** Start a fetch unless one is in flight; resolves when it settles (never rejects). */
  #refresh(): Promise<void> {
    this.#inFlight ??= this.#fetchAndApply().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetchAndApply(): Promise<void> {
    const seq = ++this.#startedSeq;
    const startedAt = this.#now();
    try {
      const body = await this.#fetchJson();
      const set = this.#parse(body, startedAt);
      // An older response that settles after a newer one must not roll the keys back.
      if (seq > this.#appliedSeq) {
        this.#appliedSeq = seq;
        this.#set = set;
      }
      this.#backoffMs = 0;
      this.#nextAttemptAt = 0;
      this.#onFetch?.(true);
      logEvent(this.#logger, 'debug', 'jwks_fetched', { keys: set.size });
    } catch (error) {
      this.#backoffMs = this.#backoffMs === 0 ? this.#initialBackoffMs : Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
      this.#nextAttemptAt = this.#now() + this.#backoffMs;
      this.#onFetch?.(false);
      logEvent(this.#logger, 'warn', 'jwks_fetch_failed', {
        reason: error instanceof JwksFetchError ? error.reason : 'network',
        retryInMs: this.#backoffMs,
      });
    }
  }

  async #fetchJson(): Promise<unknown> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let response: Dispatcher.ResponseData;
    try {
      // undici's request() never follows redirects: a 3xx is just a non-200 answer.
      response = await request(this.#url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher }),
      });
    } catch (cause) {
      throw new JwksFetchError(signal.aborted ? 'timeout' : 'network', cause);
    }
    const { statusCode, body } = response;
    // Destroying the body stream emits an abort error nobody else listens to.
    body.on('error', ignore);
    if (statusCode !== 200) {
      body.destroy();
      throw new JwksFetchError(`status_${statusCode}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > this.#maxBodyBytes) {
          body.destroy();
          throw new JwksFetchError('too_large');
        }
        chunks.push(chunk);
      }
    } catch (cause) {
      if (cause instanceof JwksFetchError) throw cause;
      throw new JwksFetchError(signal.aborted ? 'timeout' : 'body', cause);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch (cause) {
      throw new JwksFetchError('not_json', cause);
    }
  }

  #parse(body: unknown, fetchedAt: number): KeySet {
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
      throw new JwksFetchError('not_a_jwks');
    }
    const entries = (body as { keys: unknown[] }).keys;
    const byKid = new Map<string, KeyObject>();
    const kidless: KeyObject[] = [];
    let skipped = 0;
    for (const entry of entries) {
      if (byKid.size + kidless.length >= this.#maxKeys) break;
      const usable = usableRsaJwk(entry);
      if (usable === undefined) {
        skipped++;
        continue;
      }
      const key = importRsaPublicKey(usable.n, usable.e);
      if (key === undefined) {
        skipped++;
        continue;
      }
      if (usable.kid === undefined) kidless.push(key);
      else if (!byKid.has(usable.kid)) byKid.set(usable.kid, key);
    }
    if (skipped > 0) logEvent(this.#logger, 'warn', 'jwks_entries_ignored', { count: skipped });
    const size = byKid.size + kidless.length;
    // A response with no usable key is treated as a failure: the previous good set stays in use.
    if (size === 0) throw new JwksFetchError('no_usable_keys');
    return { byKid, kidless, size, fetchedAt };
  }
}

function ignore(): void {}

const UNKNOWN_KID: KeyLookup = Object.freeze({ kind: 'unknown_kid' });
const AMBIGUOUS: KeyLookup = Object.freeze({ kind: 'ambiguous' });

function lookup(set: KeySet, kid: string | undefined): KeyLookup | undefined {
  if (kid === undefined) {
    if (set.size !== 1) return AMBIGUOUS;
    const only = set.kidless[0] ?? set.byKid.values().next().value;
    return only === undefined ? undefined : { kind: 'key', key: only, stale: false };
  }
  // A Map, never a plain object: `__proto__`, `constructor` or `toString` kids find nothing.
  const key = set.byKid.get(kid);
  return key === undefined ? undefined : { kind: 'key', key, stale: false };
}

/**
 * Keep only public RSA signing keys usable for RS256: `kty` RSA, no private
 * members, `use` absent or `sig`, `key_ops` absent or containing `verify`, `alg` absent or RS256,
 * a string `kid` when present, and a modulus of at least 2048 bits.
 */
function usableRsaJwk(entry: unknown): { n: string; e: string; kid: string | undefined } | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const jwk = entry as Record<string, unknown>;
  if (jwk.kty !== 'RSA') return undefined;
  for (const member of PRIVATE_MEMBERS) if (Object.hasOwn(jwk, member)) return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (jwk.key_ops !== undefined && (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify'))) return undefined;
  if (jwk.alg !== undefined && jwk.alg !== 'RS256') return undefined;
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 512)) return undefined;
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string' || !/^[A-Za-z0-9_-]+$/.test(jwk.n) || !/^[A-Za-z0-9_-]+$/.test(jwk.e)) return undefined;
  if (modulusBits(jwk.n) < MIN_RSA_MODULUS_BITS) return undefined;
  return { n: jwk.n, e: jwk.e, kid: jwk.kid };
}

/**
 * Import `{ kty: 'RSA', n, e }` as a node:crypto public KeyObject, or undefined when OpenSSL
 * refuses it or it is not an RSA key of at least 2048 bits. Only `n` and `e` are passed on, so no
 * other member of the published JWK can influence the key. The modulus size is checked again on
 * what OpenSSL actually imported (jose re-checked it at every verification; once per key is
 * enough, since a KeyObject is immutable).
 */
function importRsaPublicKey(n: string, e: string): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' });
  } catch {
    return undefined;
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'rsa') return undefined;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined || bits < MIN_RSA_MODULUS_BITS) return undefined;
  return key;
}

function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]!));
}

/** Why a JWKS fetch failed; the reason is safe to log (no URL query, no body). */
class JwksFetchError extends Error {
  readonly reason: string;
  constructor(reason: string, cause?: unknown) {
    super(`JWKS fetch failed: ${reason}`, { cause });
    this.reason = reason;
  }
}
