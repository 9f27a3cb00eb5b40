import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import { StytchApiError, StytchUnavailableError } from '../errors.js';
import type { StytchExpressError } from '../errors.js';
import type { MachineTokenKind, SignedOutReason, UndecidedReason, VerifiedBy } from './auth-types.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { identityFromMemberSession } from './claims.js';
import type { SessionIdentity } from './claims.js';
import { machineIdentityFromIntrospection } from './machine-claims.js';
import type { MachineIdentity } from './machine-claims.js';
import { logEvent } from './logger.js';
import type { Logger } from './logger.js';
import type { SessionMetrics } from './metrics.js';
import { DEFAULT_MAX_TOKEN_BYTES, isCompactJwsShape, isOpaqueTokenShape } from './credentials.js';
import { SingleFlight } from './single-flight.js';
import type { SessionJwtVerifier } from './verify-jwt.js';
import type { SharedStore } from '../store/types.js';

/** The revocation check of a shared store (see `SharedStore`): synchronous, against what this process knows. */
export type RevocationCheck = Pick<SharedStore, 'hasRevocations' | 'isRevoked'>;

/** The slice of the Stytch client the network path needs (structural: tests and other clients fit). */
export interface SessionsAuthenticateApi {
  authenticate(
    request: { session_jwt?: string; session_token?: string; session_duration_minutes?: number },
    options?: { timeoutMs?: number },
  ): Promise<{ member_session?: unknown; session_jwt?: unknown; session_token?: unknown }>;
}

/**
 * The slice of the Stytch client that introspects Connected-App access tokens (`client.idp`):
 * `POST /v1/public/{project_id}/oauth2/introspect` (addendum A8.5).
 */
export interface TokenIntrospectionApi {
  introspectToken(
    request: { token: string; client_id: string; client_secret?: string },
    options?: { timeoutMs?: number },
  ): Promise<{ active?: unknown; [key: string]: unknown }>;
}

/** Network introspection of opaque Connected-App tokens: the API and the Connected App's credentials. */
export interface MachineIntrospectionOptions {
  readonly api: TokenIntrospectionApi;
  readonly clientId: string;
  /** Confidential clients only; public clients have no secret. */
  readonly clientSecret?: string | undefined;
}

/** Fresh credentials returned by Stytch, to be written back as cookies. */
export interface RefreshedCredentials {
  readonly session_jwt: string;
  readonly session_token: string;
  readonly expires_at: Date;
}

/** What the core decided about one credential. `M` is the caller's per-entry memo (see {@link VerifiedEntry}). */
export type AuthOutcome<M = unknown> =
  | {
      readonly status: 'signed_in';
      readonly identity: SessionIdentity;
      readonly verifiedBy: VerifiedBy;
      /** Set when Stytch issued fresh credentials (network path, or a cached network answer). */
      readonly refreshed: RefreshedCredentials | undefined;
      /** The verified-cache entry, for callers that memoise per-entry objects. */
      readonly entry: VerifiedEntry<M> | undefined;
      /**
       * True when the opaque session token sent alongside the JWT decided (the JWT named a key
       * not loaded yet): that token, not the JWT, is then the request's credential.
       */
      readonly bySessionTokenFallback?: boolean;
    }
  | {
      readonly status: 'machine';
      readonly identity: MachineIdentity;
      /** `network`: Stytch's introspection endpoint answered (opaque Connected-App tokens, remote checks). */
      readonly verifiedBy: VerifiedBy;
      /** The machine-cache entry, for callers that memoise per-entry objects. */
      readonly entry: MachineEntry<M> | undefined;
    }
  | { readonly status: 'signed_out'; readonly reason: SignedOutReason }
  | { readonly status: 'undecided'; readonly reason: UndecidedReason; readonly error: StytchExpressError };

/** One verified machine token in its own LRU (machine tokens are only ever bearer credentials). */
export interface MachineEntry<M = unknown> {
  readonly identity: MachineIdentity;
  readonly validUntilMs: number;
  /** The whole token, compared exactly on every hit. */
  readonly token: string;
  /** A JWT verified locally, or an opaque token Stytch introspected. */
  readonly kind: 'jwt' | 'opaque';
  /** Tells it apart from a session entry in the one verified-token cache. */
  readonly machine: true;
  /** Never set: present so machine and session entries share one object shape (monomorphic cache reads). */
  readonly refreshed: undefined;
  memo: M | undefined;
}

/**
 * One verified credential in the LRU. `memo` belongs to the caller that created the core (the
 * request decision keeps its prebuilt answers there); the core only ever resets it to undefined.
 */
export interface VerifiedEntry<M = unknown> {
  readonly identity: SessionIdentity;
  readonly validUntilMs: number;
  readonly refreshed: RefreshedCredentials | undefined;
  memo: M | undefined;
}

/** What the verified-token cache stores: the entry plus the exact credential it was verified for. */
export interface CachedEntry<M = unknown> extends VerifiedEntry<M> {
  readonly kind: 'jwt' | 'opaque';
  /** The whole token, compared exactly on every hit (see {@link SessionAuthenticator.lookup}). */
  readonly token: string;
  readonly machine: false;
}

/** Options of {@link SessionAuthenticator}. */
export interface SessionAuthenticatorOptions {
  verifier: SessionJwtVerifier;
  sessions: SessionsAuthenticateApi;
  now: () => number;
  metrics: SessionMetrics;
  logger?: Logger | undefined;
  /** Forwarded to `sessions/authenticate` when set. */
  sessionDurationMinutes?: number | undefined;
  /** Revocation window: network answers are trusted this long at most. */
  maxTokenAgeSeconds?: number | undefined;
  /** Entries in the verified-token LRU. 0 disables it. Default 10 000. */
  verifiedCacheSize?: number;
  /** How long a definite "no such session" answer is remembered per credential, in ms. Default 30 000. */
  negativeCacheMs?: number;
  /** Deadline of one `sessions/authenticate` call, in ms. Default: the client's. */
  networkTimeoutMs?: number | undefined;
  /** Longest token the middleware accepts; the verified cache never holds a longer (or ill-formed) one. Default 8192. */
  maxTokenBytes?: number;
  breaker: CircuitBreaker;
  /** Accept member sessions (default true). When false, a session is refused with no network call. */
  acceptsSessions?: boolean;
  /** Machine token kinds to accept as bearer credentials (the verifier must have `machineTokens`). Default none. */
  machineKinds?: ReadonlySet<MachineTokenKind>;
  /** Revocations published by the fleet (the `store` option): refused on every path, like a local logout. */
  revocations?: RevocationCheck | undefined;
  /**
   * Introspect opaque Connected-App bearer tokens over the network (needs `connected_app` in
   * `machineKinds`), behind the same single-flight, negative cache and breaker as opaque sessions.
   */
  introspection?: MachineIntrospectionOptions | undefined;
}

const JWT_PREFIX = 'j:';
/** Invalid-JWT details after which an opaque session cookie sent alongside may decide instead (see authenticate()). */
const OPAQUE_MAY_DECIDE: ReadonlySet<string> = new Set(['kid_unknown', 'nbf', 'iat_future']);
const OPAQUE_PREFIX = 'o:';
/** Single-flight and negative-cache keys of opaque machine tokens (a JWT machine token uses JWT_PREFIX). */
const MACHINE_OPAQUE_PREFIX = 'm:';
/** The log events of a network failure that decides nothing, per path. */
interface FailureEvents {
  readonly unavailable: string;
  readonly failed: string;
}
const SESSION_EVENTS: FailureEvents = { unavailable: 'session_authenticate_unavailable', failed: 'session_authenticate_failed' };
const INTROSPECTION_EVENTS: FailureEvents = { unavailable: 'machine_introspection_unavailable', failed: 'machine_introspection_failed' };
/** An introspection answer is reused this long at most (as long as a session JWT lives), like a network session answer. */
const INTROSPECTION_REUSE_MS = 300_000;
// Sessions never come back once Stytch says they are gone; 10 minutes outlives any 5-minute JWT.
// A session logged out here is denied until its own expiry instead (see forgetSession).
const DENIED_SESSION_TTL_MS = 600_000;
/** The longest a session can live at Stytch (527 040 minutes): no deny entry is kept longer. */
const MAX_SESSION_LIFETIME_MS = 527_040 * 60_000;
/**
 * The verified-token cache is bucketed by the last characters of the token: the end of a JWT is
 * its RS256 signature and an opaque token is random throughout, so 32 characters (192 bits) tell
 * genuine tokens apart. The bucket only finds a candidate; a hit also needs the whole token to be
 * equal (see lookup), so a crafted token sharing a tail only ever misses.
 */
const BUCKET_CHARS = 32;
function bucketOf(token: string): string {
  return token.length <= BUCKET_CHARS ? token : token.slice(token.length - BUCKET_CHARS);
}

/**
 * The pure session core: turns one credential into signed in / signed out / undecided, using
 * the verified-token cache, local JWT verification and, when needed, `sessions/authenticate`
 * behind a circuit breaker and a per-session single-flight. Knows nothing of Express.
 *
 * @example
 * const outcome = await core.authenticate('jwt', token);
 */
export class SessionAuthenticator<M = unknown> {
  readonly #verifier: SessionJwtVerifier;
  readonly #sessions: SessionsAuthenticateApi;
  readonly #now: () => number;
  readonly #metrics: SessionMetrics;
  readonly #logger: Logger | undefined;
  readonly #duration: number | undefined;
  readonly #maxAge: number | undefined;
  readonly #networkTimeoutMs: number | undefined;
  readonly #negativeCacheMs: number;
  readonly #maxTokenBytes: number;
  /**
   * Token tail → the verified credential (exact token inside, compared on every hit): sessions
   * and machine tokens in one LRU, so a bearer token costs one lookup whatever its kind.
   */
  readonly #verified: LRUCache<string, CachedEntry<M> | MachineEntry<M>> | undefined;
  /** Credential hash → reason, for definite negative network answers. */
  readonly #negative: LRUCache<string, { reason: SignedOutReason; until: number }>;
  /** Session ids Stytch reported gone (or forgotten on logout): no local acceptance. */
  readonly #denied: LRUCache<string, number>;
  readonly #flights = new SingleFlight<AuthOutcome<M>>();
  readonly #revocations: RevocationCheck | undefined;
  readonly breaker: CircuitBreaker;
  readonly #acceptsSessions: boolean;
  readonly #machineKinds: ReadonlySet<MachineTokenKind>;
  readonly #introspection: MachineIntrospectionOptions | undefined;

  constructor(options: SessionAuthenticatorOptions) {
    this.#verifier = options.verifier;
    this.#sessions = options.sessions;
    this.#now = options.now;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#duration = options.sessionDurationMinutes;
    this.#maxAge = options.maxTokenAgeSeconds;
    this.#networkTimeoutMs = options.networkTimeoutMs;
    this.#negativeCacheMs = options.negativeCacheMs ?? 30_000;
    this.#maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
    const size = options.verifiedCacheSize ?? 10_000;
    this.#verified = size > 0 ? new LRUCache<string, CachedEntry<M> | MachineEntry<M>>({ max: size }) : undefined;
    this.#negative = new LRUCache({ max: 10_000 });
    this.#denied = new LRUCache({ max: 100_000 });
    this.breaker = options.breaker;
    this.#acceptsSessions = options.acceptsSessions ?? true;
    this.#machineKinds = options.machineKinds ?? new Set();
    this.#revocations = options.revocations;
    this.#introspection = this.#machineKinds.has('connected_app') ? options.introspection : undefined;
  }

  /** True when opaque bearer tokens are introspected as Connected-App tokens. */
  get introspectsMachines(): boolean {
    return this.#introspection !== undefined;
  }

  /** True when some machine token kind is accepted (then bearer tokens may be machines). */
  get acceptsMachines(): boolean {
    return this.#machineKinds.size > 0;
  }

  /** Whether member sessions are accepted at all. */
  get acceptsSessions(): boolean {
    return this.#acceptsSessions;
  }

  /** The machine-token cache: exactly this token verified before and still valid, else undefined. */
  lookupMachine(value: string): MachineEntry<M> | undefined {
    const entry = this.lookupBearer(value);
    return entry?.machine === true ? entry : undefined;
  }

  /**
   * {@link lookup} for a bearer JWT where machine tokens are accepted too: one cache read answers
   * for a session JWT or a machine token (JWT, or opaque and introspected), with each kind's own
   * validity rules. This is the warm path of every machine request.
   */
  lookupBearer(value: string): CachedEntry<M> | MachineEntry<M> | undefined {
    const cache = this.#verified;
    if (cache === undefined) return undefined;
    const bucket = bucketOf(value);
    const entry = cache.get(bucket);
    if (entry === undefined || entry.token !== value) return undefined;
    if (entry.machine) {
      if (entry.validUntilMs > this.#now()) return entry;
    } else if (entry.kind === 'jwt' && this.#stillValid(entry)) {
      return entry;
    } else if (entry.kind !== 'jwt') {
      return undefined;
    }
    cache.delete(bucket);
    return undefined;
  }

  /** A session entry is still good: inside its validity, not logged out here, not revoked by the fleet. */
  #stillValid(entry: CachedEntry<M>): boolean {
    return !(entry.validUntilMs <= this.#now() || (this.#denied.size > 0 && this.#isDenied(entry.identity.sessionId)) || this.#isRevoked(entry.identity));
  }

  /**
   * Synchronous fast path: the verified-token cache. Returns the entry when exactly this
   * credential (same kind, same string, character for character) was verified before and is still
   * inside its validity; undefined otherwise (then call {@link authenticate}).
   *
   * Why no hash: a hit used to cost a SHA-256 of the token (1-2 µs for a 1.7 kB JWT, the largest
   * cost of a warm request), and a plain Map keyed by the whole token is no cheaper (V8 hashes
   * every character of a new string). The tail of the token picks the bucket in O(1) and one
   * string comparison decides: exact match, so a non-canonical variant of a token (another
   * encoding of the same signature, extra bits, different case) never hits; it goes through full
   * verification like any new token. Only credentials that verified, and that have the shape the
   * middleware accepts, are ever stored (see #remember), so a hit needs no shape check either.
   */
  lookup(kind: 'jwt' | 'opaque', value: string): CachedEntry<M> | undefined {
    const cache = this.#verified;
    if (cache === undefined) return undefined;
    const bucket = bucketOf(value);
    const entry = cache.get(bucket);
    if (entry === undefined || entry.machine || entry.token !== value || entry.kind !== kind) return undefined;
    if (!this.#stillValid(entry)) {
      cache.delete(bucket);
      return undefined;
    }
    return entry;
  }

  /**
   * Key of a credential in the negative cache and the single-flight map: a SHA-256 of the token,
   * so these attacker-fillable maps hold 45 characters per entry whatever the token's size.
   * Computed only after a verified-cache miss.
   */
  static #keyOf(kind: 'jwt' | 'opaque', value: string): string {
    return (kind === 'jwt' ? JWT_PREFIX : OPAQUE_PREFIX) + sha256(value);
  }

  /**
   * Store a verified credential. The token is copied into its own string: the caller's value is
   * usually a slice of the whole Cookie header, which would otherwise stay alive with the entry.
   * A token the middleware would refuse as malformed is never stored, so {@link lookup} can skip
   * the shape check (exact equality with a stored token implies the shape).
   *
   * @param parsed - true when `value` passed `parseCompactJws` (three canonical base64url segments,
   *   which is stricter than the shape check): then only the length cap is left to check. This is
   *   the cold path, where every saved microsecond is per request.
   */
  #remember(kind: 'jwt' | 'opaque', value: string, entry: VerifiedEntry<M>, parsed = false): VerifiedEntry<M> {
    const cache = this.#verified;
    if (cache === undefined) return entry;
    const wellFormed =
      kind === 'jwt'
        ? parsed
          ? value.length <= this.#maxTokenBytes
          : isCompactJwsShape(value, this.#maxTokenBytes)
        : isOpaqueTokenShape(value, this.#maxTokenBytes);
    if (!wellFormed) return entry;
    // Both shapes are ASCII only, so a latin1 round trip copies the string exactly (and skips UTF-8 work).
    const token = Buffer.from(value, 'latin1').toString('latin1');
    const stored: CachedEntry<M> = { identity: entry.identity, validUntilMs: entry.validUntilMs, refreshed: entry.refreshed, memo: undefined, kind, token, machine: false };
    cache.set(bucketOf(token), stored);
    return stored;
  }

  /** Entries in the verified-token caches (sessions and machine tokens) right now (0 when disabled). */
  get verifiedCacheSize(): number {
    return this.#verified?.size ?? 0;
  }

  /** Stop accepting a session in this process (after a revoke, e.g. logout). */
  /**
   * Stop accepting a session in this process, on every path (cached, local JWT, network answers),
   * until `untilMs` (its own expiry, after a logout whose revoke may not have reached Stytch) or
   * for ten minutes when no expiry is known (longer than any JWT lives).
   */
  forgetSession(sessionId: string, untilMs?: number): void {
    if (typeof sessionId !== 'string' || sessionId.length === 0) return;
    const now = this.#now();
    const until = untilMs !== undefined && Number.isFinite(untilMs) ? Math.min(untilMs, now + MAX_SESSION_LIFETIME_MS) : now + DENIED_SESSION_TTL_MS;
    const known = this.#denied.get(sessionId);
    if (known === undefined || known < until) this.#denied.set(sessionId, until);
  }

  /** True when this process refuses the session (logged out here, or reported gone by Stytch). */
  isSessionDenied(sessionId: string): boolean {
    return this.#denied.size > 0 && this.#isDenied(sessionId);
  }

  /** True when the fleet's store names this session, or its member since before the session started. */
  #isRevoked(identity: SessionIdentity): boolean {
    const store = this.#revocations;
    return store !== undefined && store.hasRevocations && store.isRevoked(identity.sessionId, identity.memberId, identity.sessionStartedAt.getTime());
  }

  /** Refused here: logged out in this process, reported gone by Stytch, or revoked by the fleet. */
  #refuses(identity: SessionIdentity): boolean {
    return this.#isDenied(identity.sessionId) || this.#isRevoked(identity);
  }

  #isDenied(sessionId: string): boolean {
    const until = this.#denied.get(sessionId);
    if (until === undefined) return false;
    if (until <= this.#now()) {
      this.#denied.delete(sessionId);
      return false;
    }
    return true;
  }

  #negativeHit(key: string): SignedOutReason | undefined {
    const hit = this.#negative.get(key);
    if (hit === undefined) return undefined;
    if (hit.until <= this.#now()) {
      this.#negative.delete(key);
      return undefined;
    }
    return hit.reason;
  }

  /**
   * Full path after a cache miss. Never rejects.
   * @param sessionTokenFallback - the opaque session token sent alongside a JWT cookie, used only
   *   when the JWT names a signing key this process has not loaded yet (see below).
   */
  async authenticate(kind: 'jwt' | 'opaque', value: string, sessionTokenFallback?: string, bearer = false): Promise<AuthOutcome<M>> {
    // An app that accepts only machines never spends a network call on a session.
    if (kind === 'opaque' && !this.#acceptsSessions) return signedOut('token_type_not_accepted');
    const key = SessionAuthenticator.#keyOf(kind, value);
    const negative = this.#negativeHit(key);
    if (negative !== undefined) return signedOut(negative);
    if (kind === 'opaque') return this.#network(OPAQUE_PREFIX + key, { session_token: value }, key, undefined);

    const result = await this.#verifier.verify(value);
    this.#metrics.localVerifications++;
    if (!this.#acceptsSessions && (result.kind === 'valid' || result.kind === 'refresh')) return signedOut('token_type_not_accepted');
    switch (result.kind) {
      case 'machine': {
        // Machine tokens are bearer credentials only: one in a session cookie is not a session.
        if (!bearer) return signedOut('not_a_session_token');
        if (!this.#machineKinds.has(result.identity.tokenType)) return signedOut('token_type_not_accepted');
        let entry: MachineEntry<M> | undefined;
        if (!result.staleKeys && this.#verified !== undefined && value.length <= this.#maxTokenBytes) {
          const token = Buffer.from(value, 'latin1').toString('latin1');
          // Same fields in the same order as a session entry (see #remember): one hidden class.
          entry = { identity: result.identity, validUntilMs: result.validUntilMs, refreshed: undefined, memo: undefined, kind: 'jwt', token, machine: true };
          this.#verified.set(bucketOf(token), entry);
        }
        return { status: 'machine', identity: result.identity, verifiedBy: 'local_jwt', entry };
      }
      case 'valid': {
        if (this.#refuses(result.identity)) return signedOut('session_not_found');
        if (result.staleKeys) this.#metrics.jwksStaleServed++;
        let entry: VerifiedEntry<M> = { identity: result.identity, validUntilMs: result.validUntilMs, refreshed: undefined, memo: undefined };
        // A token verified with stale keys is not cached: the next request re-checks once keys recover.
        if (!result.staleKeys) entry = this.#remember('jwt', value, entry, true);
        return { status: 'signed_in', identity: result.identity, verifiedBy: 'local_jwt', refreshed: undefined, entry };
      }
      case 'refresh': {
        if (this.#refuses(result.identity)) return signedOut('session_not_found');
        // A concurrent request may have refreshed this very token while we verified it.
        const settled = this.lookup('jwt', value);
        if (settled !== undefined) return { status: 'signed_in', identity: settled.identity, verifiedBy: 'cache', refreshed: settled.refreshed, entry: settled };
        return this.#network(JWT_PREFIX + result.identity.sessionId, { session_jwt: value }, key, result.identity);
      }
      case 'not_a_session':
        return signedOut('not_a_session_token');
      case 'unavailable':
        return { status: 'undecided', reason: 'jwks_unavailable', error: result.error };
      default:
        logEvent(this.#logger, 'debug', 'session_jwt_invalid', { detail: result.detail });
        // A kid we have not loaded is no proof of forgery: right after a key rotation, a JWT minted
        // by Stytch (e.g. refreshed by another process) arrives inside our JWKS refetch cooldown.
        // When the browser also holds the opaque session token, let that token decide over the
        // network instead of signing a valid member out. A forger gains nothing: the opaque token
        // alone decides, exactly as it would if sent on its own (one credential).
        // Likewise a genuine JWT (signature checked) that is not valid *yet* by our clock (`nbf` or
        // `iat` a second ahead: this server lags Stytch's clock) must not log a browser member out.
        if (OPAQUE_MAY_DECIDE.has(result.detail) && sessionTokenFallback !== undefined && this.#acceptsSessions) {
          const fallbackKey = SessionAuthenticator.#keyOf('opaque', sessionTokenFallback);
          const cached = this.lookup('opaque', sessionTokenFallback);
          if (cached !== undefined) return { status: 'signed_in', identity: cached.identity, verifiedBy: 'cache', refreshed: cached.refreshed, entry: cached, bySessionTokenFallback: true };
          const negativeFallback = this.#negativeHit(fallbackKey);
          if (negativeFallback !== undefined) return signedOut(negativeFallback);
          const outcome = await this.#network(OPAQUE_PREFIX + fallbackKey, { session_token: sessionTokenFallback }, fallbackKey, undefined);
          return outcome.status === 'signed_in' ? { ...outcome, bySessionTokenFallback: true } : outcome;
        }
        return signedOut('invalid_token');
    }
  }

  /**
   * Ask Stytch about a Connected-App access token (`POST .../oauth2/introspect`): an opaque bearer
   * token after a cache miss, or any Connected-App token (a JWT too) for a remote permission
   * check. The same machinery as an opaque session: one call per token at a time (single
   * flight), a definite "inactive" remembered in the negative cache (and the token dropped from
   * the machine cache, so a revoked JWT stops verifying locally too), and the circuit breaker;
   * an upstream failure is undecided, never a sign-out. Never rejects.
   *
   * @param fresh - skip the machine cache (a remote check wants Stytch's answer of this moment);
   *   a negative answer is still final, since an inactive token never becomes active again.
   */
  introspect(value: string, fresh = false): Promise<AuthOutcome<M>> {
    const introspection = this.#introspection;
    if (introspection === undefined) return Promise.resolve(signedOut('token_type_not_accepted'));
    if (!fresh) {
      const cached = this.lookupMachine(value);
      if (cached !== undefined) return Promise.resolve({ status: 'machine', identity: cached.identity, verifiedBy: 'cache', entry: cached });
    }
    const jwt = isCompactJwsShape(value, this.#maxTokenBytes);
    const key = jwt ? SessionAuthenticator.#keyOf('jwt', value) : MACHINE_OPAQUE_PREFIX + sha256(value);
    const negative = this.#negativeHit(key);
    if (negative !== undefined) return Promise.resolve(signedOut(negative));
    return this.#flights.run(MACHINE_OPAQUE_PREFIX + key, () => this.#callIntrospection(introspection, value, key, jwt ? 'jwt' : 'opaque'));
  }

  async #callIntrospection(introspection: MachineIntrospectionOptions, value: string, negativeKey: string, kind: 'jwt' | 'opaque'): Promise<AuthOutcome<M>> {
    if (!this.breaker.tryAcquire()) return this.#circuitOpen();
    this.#metrics.networkAuthentications++;
    const request = introspection.clientSecret === undefined
      ? { token: value, client_id: introspection.clientId }
      : { token: value, client_id: introspection.clientId, client_secret: introspection.clientSecret };
    let answer: Awaited<ReturnType<TokenIntrospectionApi['introspectToken']>>;
    try {
      answer = await introspection.api.introspectToken(request, this.#networkTimeoutMs === undefined ? undefined : { timeoutMs: this.#networkTimeoutMs });
    } catch (error) {
      return this.#introspectionFailure(error);
    }
    const now = this.#now();
    const identity = answer.active === true ? machineIdentityFromIntrospection(answer, Math.floor(now / 1000)) : answer.active === false ? 'inactive' : 'bad_active';
    if (identity === 'inactive' || identity === 'expired') {
      // Revoked, expired or unknown: a definite answer (the breaker closes), remembered.
      this.breaker.onSuccess();
      this.#negative.set(negativeKey, { reason: 'invalid_token', until: now + this.#negativeCacheMs });
      this.#forgetMachine(value);
      logEvent(this.#logger, 'info', 'machine_token_inactive', {});
      return signedOut('invalid_token');
    }
    if (typeof identity === 'string') {
      // A 200 that is neither a clear "inactive" nor a usable active token never authenticates.
      this.breaker.onFailure();
      logEvent(this.#logger, 'error', 'machine_introspection_bad_response', { detail: identity });
      return { status: 'undecided', reason: 'upstream_unavailable', error: new StytchUnavailableError('upstream_bad_response', 'Stytch answered with an unusable introspection.') };
    }
    this.breaker.onSuccess();
    if (!this.#machineKinds.has(identity.tokenType)) return signedOut('token_type_not_accepted');
    let validUntilMs = Math.min(identity.expiresAt * 1000, now + INTROSPECTION_REUSE_MS);
    if (this.#maxAge !== undefined) validUntilMs = Math.min(validUntilMs, now + this.#maxAge * 1000);
    let entry: MachineEntry<M> | undefined;
    const cache = this.#verified;
    const wellFormed = kind === 'jwt' || isOpaqueTokenShape(value, this.#maxTokenBytes);
    if (cache !== undefined && validUntilMs > now && wellFormed) {
      const token = Buffer.from(value, 'latin1').toString('latin1');
      entry = { identity, validUntilMs, refreshed: undefined, memo: undefined, kind, token, machine: true };
      cache.set(bucketOf(token), entry);
    }
    logEvent(this.#logger, 'debug', 'machine_token_introspected', { clientId: identity.clientId });
    return { status: 'machine', identity, verifiedBy: 'network', entry };
  }

  /** Drop a machine token from the machine cache (its exact entry only). */
  #forgetMachine(value: string): void {
    const cache = this.#verified;
    if (cache === undefined) return;
    const bucket = bucketOf(value);
    const entry = cache.get(bucket);
    if (entry?.machine === true && entry.token === value) cache.delete(bucket);
  }

  #circuitOpen(): AuthOutcome<M> {
    return {
      status: 'undecided',
      reason: 'circuit_open',
      error: new StytchUnavailableError('circuit_open', 'Stytch is temporarily unavailable.', { retryAfterSeconds: Math.max(1, this.breaker.retryAfterSeconds()) }),
    };
  }

  /**
   * Introspection failed. Unlike `sessions/authenticate`, no HTTP error means "this token is bad"
   * (RFC 7662: a bad token is `active: false` in a 200), so every failure is undecided, and a 4xx
   * (our Connected App's credentials refused, a wrong project) counts against the breaker too.
   */
  #introspectionFailure(error: unknown): AuthOutcome<M> {
    if (error instanceof StytchApiError && error.status !== 429) {
      this.breaker.onFailure();
      logEvent(this.#logger, 'error', 'machine_introspection_refused', { status: error.status, errorType: error.errorType });
      return { status: 'undecided', reason: 'upstream_unavailable', error: new StytchUnavailableError('upstream_unavailable', 'Stytch refused the introspection request.') };
    }
    return this.#undecided(error, INTROSPECTION_EVENTS);
  }

  /**
   * A failure that says nothing about the credential, for either network path: undecided and
   * counted against the breaker (a 429 or a rate-limited answer opens it for its Retry-After).
   */
  #undecided(error: unknown, events: FailureEvents): AuthOutcome<M> {
    if (error instanceof StytchApiError && error.status === 429) {
      this.breaker.onFailure({ retryAfterMs: retryAfterMs(error.retryAfterSeconds) });
      return { status: 'undecided', reason: 'upstream_rate_limited', error: new StytchUnavailableError('upstream_rate_limited', 'Stytch is rate limiting.', { retryAfterSeconds: error.retryAfterSeconds }) };
    }
    if (error instanceof StytchUnavailableError) {
      const rateLimited = error.code === 'upstream_rate_limited';
      this.breaker.onFailure(rateLimited ? { retryAfterMs: retryAfterMs(error.retryAfterSeconds) } : undefined);
      logEvent(this.#logger, 'warn', events.unavailable, { code: error.code });
      return { status: 'undecided', reason: rateLimited ? 'upstream_rate_limited' : 'upstream_unavailable', error };
    }
    this.breaker.onFailure();
    logEvent(this.#logger, 'error', events.failed, { error: error instanceof Error ? error.name : typeof error });
    return { status: 'undecided', reason: 'upstream_unavailable', error: new StytchUnavailableError('upstream_unavailable', 'Stytch could not be reached.', { cause: error }) };
  }

  #network(
    flightKey: string,
    credential: { session_jwt?: string; session_token?: string },
    negativeKey: string,
    fromJwt: SessionIdentity | undefined,
  ): Promise<AuthOutcome<M>> {
    // One upstream call per session (JWT) or per token (opaque) in this process.
    return this.#flights.run(flightKey, () => this.#callStytch(credential, negativeKey, fromJwt));
  }

  async #callStytch(
    credential: { session_jwt?: string; session_token?: string },
    negativeKey: string,
    fromJwt: SessionIdentity | undefined,
  ): Promise<AuthOutcome<M>> {
    if (!this.breaker.tryAcquire()) return this.#circuitOpen();
    this.#metrics.networkAuthentications++;
    const request = this.#duration === undefined ? credential : { ...credential, session_duration_minutes: this.#duration };
    let response: Awaited<ReturnType<SessionsAuthenticateApi['authenticate']>>;
    try {
      response = await this.#sessions.authenticate(request, this.#networkTimeoutMs === undefined ? undefined : { timeoutMs: this.#networkTimeoutMs });
    } catch (error) {
      return this.#networkFailure(error, negativeKey, fromJwt);
    }
    const identity = identityFromMemberSession(response.member_session, undefined);
    const sessionJwt = typeof response.session_jwt === 'string' ? response.session_jwt : '';
    const sessionToken = typeof response.session_token === 'string' ? response.session_token : '';
    if (identity !== undefined && this.#refuses(identity)) {
      // Logged out here while Stytch still knows the session (its revoke is pending): refused on
      // the network path too, and never cached.
      this.breaker.onSuccess();
      return signedOut('session_not_found');
    }
    if (identity === undefined || (fromJwt !== undefined && fromJwt.sessionId !== identity.sessionId)) {
      // A 200 without a usable session (or for another session) never authenticates.
      this.breaker.onFailure();
      logEvent(this.#logger, 'error', 'session_authenticate_bad_response', {});
      return {
        status: 'undecided',
        reason: 'upstream_unavailable',
        error: new StytchUnavailableError('upstream_bad_response', 'Stytch answered with an unusable session.'),
      };
    }
    this.breaker.onSuccess();
    const now = this.#now();
    const refreshed: RefreshedCredentials | undefined =
      sessionJwt !== '' || sessionToken !== '' ? { session_jwt: sessionJwt, session_token: sessionToken, expires_at: identity.sessionExpiresAt } : undefined;
    let entry: VerifiedEntry<M> = { identity, validUntilMs: this.#networkValidity(sessionJwt, identity, now), refreshed, memo: undefined };
    if (entry.validUntilMs > now) {
      entry =
        credential.session_jwt !== undefined
          ? this.#remember('jwt', credential.session_jwt, entry)
          : this.#remember('opaque', credential.session_token ?? '', entry);
      // The fresh JWT Stytch just issued is as good as verified: its next use is a cache hit.
      if (sessionJwt !== '') this.#remember('jwt', sessionJwt, { ...entry, refreshed: undefined, memo: undefined });
    }
    logEvent(this.#logger, 'debug', 'session_authenticated_network', { sessionId: identity.sessionId });
    return { status: 'signed_in', identity, verifiedBy: 'network', refreshed, entry };
  }

  /** How long a network answer may be reused: until the fresh JWT's exp, the session's end, and the max age. */
  #networkValidity(sessionJwt: string, identity: SessionIdentity, now: number): number {
    let until = identity.sessionExpiresAt.getTime();
    let exp: unknown;
    try {
      exp = sessionJwt === '' ? undefined : decodeJwt(sessionJwt).exp;
    } catch {
      exp = undefined;
    }
    // Without a JWT to bound it, keep the answer no longer than a JWT would live (5 minutes).
    until = Math.min(until, typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : now + 300_000);
    if (this.#maxAge !== undefined) until = Math.min(until, now + this.#maxAge * 1000);
    return until;
  }

  #networkFailure(error: unknown, negativeKey: string, fromJwt: SessionIdentity | undefined): AuthOutcome<M> {
    if (error instanceof StytchApiError && error.status !== 429) {
      if (error.status === 401 && error.errorType === 'unauthorized_credentials') {
        // Our project credentials were refused: a server misconfiguration, not the member's fault.
        // Nobody is logged out for it.
        this.breaker.onFailure();
        logEvent(this.#logger, 'error', 'stytch_credentials_rejected', { status: 401 });
        return { status: 'undecided', reason: 'upstream_unavailable', error: new StytchUnavailableError('upstream_unavailable', 'Stytch refused the project credentials.') };
      }
      if (error.status >= 400 && error.status < 500) {
        this.breaker.onSuccess();
        const reason: SignedOutReason =
          fromJwt !== undefined && fromJwt.sessionExpiresAt.getTime() <= this.#now() ? 'expired_session' : 'session_not_found';
        this.#negative.set(negativeKey, { reason, until: this.#now() + this.#negativeCacheMs });
        if (fromJwt !== undefined) this.forgetSession(fromJwt.sessionId);
        logEvent(this.#logger, 'info', 'session_rejected_by_stytch', { status: error.status, errorType: error.errorType });
        return signedOut(reason);
      }
    }
    return this.#undecided(error, SESSION_EVENTS);
  }
}

// crypto.hash (Node >= 20.12) hashes in one call without a Hash object; older 20.x falls back.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;
function sha256(value: string): string {
  return oneShot === undefined ? createHash('sha256').update(value).digest('base64url') : oneShot('sha256', value, 'base64url');
}

function retryAfterMs(seconds: number | undefined): number | undefined {
  return seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 ? undefined : seconds * 1000;
}

type SignedOutOutcome = Extract<AuthOutcome<never>, { status: 'signed_out' }>;
const SIGNED_OUT = new Map<SignedOutReason, SignedOutOutcome>();
function signedOut(reason: SignedOutReason): SignedOutOutcome {
  let outcome = SIGNED_OUT.get(reason);
  if (outcome === undefined) {
    outcome = Object.freeze({ status: 'signed_out', reason } as const);
    SIGNED_OUT.set(reason, outcome);
  }
  return outcome;
}
