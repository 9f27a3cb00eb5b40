import { constants, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { StytchUnavailableError } from '../errors.js';
import { SESSION_CLAIM } from '../client/types.js';
import { identityFromJwtPayload } from './claims.js';
import type { SessionIdentity } from './claims.js';
import { decodeJsonObject, parseCompactJws } from './compact-jws.js';
import type { CompactJws } from './compact-jws.js';
import { checkRegisteredClaims } from './jwt-claims.js';
import type { ClaimsPolicy } from './jwt-claims.js';
import type { JwksCache } from './jwks-cache.js';
import { machineIdentityFromPayload, tokenKindOf } from './machine-claims.js';
import type { MachineIdentity } from './machine-claims.js';
import type { MachineTokenKind } from './auth-types.js';

/** Options of {@link SessionJwtVerifier}. */
export interface SessionJwtVerifierOptions {
  jwks: JwksCache;
  /** Expected audience: the project id (string `aud` or array containing it). */
  projectId: string;
  /** Accepted issuers: `stytch.com/<project_id>` and the base URL without trailing slash. */
  issuers: readonly string[];
  /** Leeway for `exp`, `nbf` and a future `iat`, in seconds. Default 0. */
  clockToleranceSeconds?: number;
  /** JWTs issued longer ago than this are re-checked over the network. Default: none (until `exp`). */
  maxTokenAgeSeconds?: number | undefined;
  /** Epoch-ms clock. */
  now: () => number;
  /**
   * Verify machine access tokens too (M2M, Connected-App) and answer `machine` for them; a token
   * carrying both the session claim and `scope` is then refused as ambiguous. Default false:
   * machine tokens are `not_a_session`, and session JWTs are judged exactly as before.
   */
  machineTokens?: boolean;
}

/** What local verification concluded about a session JWT. */
export type JwtVerification =
  /** Signature, header and claims all good; the session is live until `validUntilMs`. */
  | { kind: 'valid'; identity: SessionIdentity; validUntilMs: number; staleKeys: boolean }
  /** Genuine (signature checked) but expired, inner `expires_at` passed, or older than the max age: ask Stytch. */
  | { kind: 'refresh'; identity: SessionIdentity; why: 'expired' | 'too_old' }
  /** Definitely not a valid session JWT: signed out, no network call. */
  | { kind: 'invalid'; detail: string }
  /** A genuine token of another kind (M2M access token): not a session. */
  | { kind: 'not_a_session' }
  /** A machine access token whose signature and claims hold (only with `machineTokens: true`). */
  | { kind: 'machine'; identity: MachineIdentity; validUntilMs: number; staleKeys: boolean }
  /** The keys could not be loaded: undecided. */
  | { kind: 'unavailable'; error: StytchUnavailableError };

const INVALID_SIGNATURE: JwtVerification = Object.freeze({ kind: 'invalid', detail: 'signature' });
const INVALID_PAYLOAD: JwtVerification = Object.freeze({ kind: 'invalid', detail: 'payload' });
const INVALID_CLAIMS: JwtVerification = Object.freeze({ kind: 'invalid', detail: 'claims' });
const INVALID_IAT_FUTURE: JwtVerification = Object.freeze({ kind: 'invalid', detail: 'iat_future' });
const NOT_A_SESSION: JwtVerification = Object.freeze({ kind: 'not_a_session' });
const INVALID_AMBIGUOUS: JwtVerification = Object.freeze({ kind: 'invalid', detail: 'ambiguous_token' });
const INVALID_EXPIRED: JwtVerification = Object.freeze({ kind: 'invalid', detail: 'expired' });

/**
 * Local verification of Stytch session JWTs (reference 3.3, 3.4), stricter than the SDK:
 * algorithm exactly `RS256`, `typ: JWT`, issuer and audience checked, `exp`/`iat`/`sub`/`iss`/`aud`
 * required, no `crit`, no key material from the header, a string `kid` (or none with a one-key set),
 * both Stytch claims validated, the inner `expires_at` honoured, `iat` never in the future.
 * The signature is checked before any claim, so a forged expired token is "invalid", never "expired"
 *. The clock is injected (`now`).
 *
 * How: the token text is judged by `compact-jws.ts` (strict, no crypto), the RSA signature by one
 * `node:crypto` verify with a `KeyObject` imported once per JWKS key, run on libuv's thread pool
 * (see {@link signatureMatchesOffThread}), and the claims by `jwt-claims.ts`. jose's `jwtVerify`
 * applied the same rules, but jose v6 only verifies through WebCrypto, whose per-call overhead
 * (key and argument conversions on the event loop) roughly doubled the cost of a cold
 * verification. The cryptography itself is still OpenSSL's, never ours.
 *
 * @example
 * const verifier = new SessionJwtVerifier({ jwks, projectId, issuers, now: Date.now });
 * const result = await verifier.verify(token);
 */
export class SessionJwtVerifier {
  readonly #jwks: JwksCache;
  readonly #tolerance: number;
  readonly #maxAge: number | undefined;
  readonly #now: () => number;
  readonly #claims: ClaimsPolicy;
  readonly #machineTokens: boolean;

  constructor(options: SessionJwtVerifierOptions) {
    const tolerance = options.clockToleranceSeconds ?? 0;
    // jose threw on every verification for such a tolerance (every token invalid); refuse it once, up front.
    if (!Number.isFinite(tolerance) || tolerance < 0) {
      throw new ConfigError('clockToleranceSeconds must be a finite number of seconds >= 0.');
    }
    this.#jwks = options.jwks;
    this.#tolerance = tolerance;
    this.#maxAge = options.maxTokenAgeSeconds;
    this.#now = options.now;
    // Precomputed once: a Set for the issuer test, the rest read on every token.
    this.#claims = Object.freeze({ issuers: new Set(options.issuers), audience: options.projectId, toleranceSeconds: tolerance });
    this.#machineTokens = options.machineTokens ?? false;
  }

  /** Verify one compact JWS (already shape-checked by the caller). Never throws. */
  async verify(token: string): Promise<JwtVerification> {
    const nowMs = this.#now();
    // Header rules first, before any key lookup: junk never triggers a JWKS refetch.
    const jws = parseCompactJws(token);
    if (typeof jws === 'string') return { kind: 'invalid', detail: jws };
    const found = this.#jwks.peekKey(jws.kid) ?? (await this.#jwks.getKey(jws.kid));
    switch (found.kind) {
      case 'key':
        // The signature comes first; the payload is not even decoded before it holds.
        if (!(await signatureMatchesOffThread(jws, found.key))) return INVALID_SIGNATURE;
        return this.#verifyWithKey(jws, found.stale, nowMs);
      case 'unavailable':
        if (found.staleKey === undefined) return { kind: 'unavailable', error: found.error };
        // Only an expired copy of the key is held: a failed signature proves a forgery (401), but a
        // good one cannot make the token valid, since we cannot vouch for keys this old.
        return signatureMatches(jws, found.staleKey) ? { kind: 'unavailable', error: found.error } : INVALID_SIGNATURE;
      case 'ambiguous':
        return { kind: 'invalid', detail: 'kid_missing' };
      default:
        return { kind: 'invalid', detail: 'kid_unknown' };
    }
  }

  /** Everything after a good signature (the caller checks it first). */
  #verifyWithKey(jws: CompactJws, staleKeys: boolean, nowMs: number): JwtVerification {
    const payload = decodeJsonObject(jws.encodedPayload);
    if (payload === undefined) return INVALID_PAYLOAD;
    if (this.#machineTokens) {
      const kind = tokenKindOf(payload);
      if (kind === 'ambiguous') return INVALID_AMBIGUOUS;
      if (kind !== 'session') return this.#verifyMachine(payload, kind, staleKeys, nowMs);
    }
    const verdict = checkRegisteredClaims(payload, this.#claims, Math.floor(nowMs / 1000));
    if (verdict === 'expired') {
      // Every other rule passed, so this is a genuine token whose JWT has lapsed: Stytch may refresh it.
      if (isMachineToken(payload)) return NOT_A_SESSION;
      const identity = identityFromJwtPayload(payload);
      if (identity === undefined) return INVALID_CLAIMS;
      if (this.#iatInFuture(payload, nowMs)) return INVALID_IAT_FUTURE;
      return { kind: 'refresh', identity, why: 'expired' };
    }
    if (verdict !== 'ok') return { kind: 'invalid', detail: verdict };

    if (isMachineToken(payload)) return NOT_A_SESSION;
    const identity = identityFromJwtPayload(payload);
    if (identity === undefined) return INVALID_CLAIMS;
    // A future iat could make a token look fresh forever under a max age.
    if (this.#iatInFuture(payload, nowMs)) return INVALID_IAT_FUTURE;
    const iat = payload.iat as number;
    const nowSeconds = Math.floor(nowMs / 1000);
    // Same rule as the official SDK: now - iat >= max is too old, so 0 always goes to the network.
    if (this.#maxAge !== undefined && nowSeconds - iat >= this.#maxAge) return { kind: 'refresh', identity, why: 'too_old' };
    // The session inside may end before the JWT does; the earlier time wins.
    if (identity.sessionExpiresAt.getTime() <= nowMs) return { kind: 'refresh', identity, why: 'expired' };

    const exp = payload.exp as number;
    let validUntilMs = Math.min((exp + this.#tolerance) * 1000, identity.sessionExpiresAt.getTime());
    if (this.#maxAge !== undefined) validUntilMs = Math.min(validUntilMs, (iat + this.#maxAge) * 1000);
    return { kind: 'valid', identity, validUntilMs, staleKeys };
  }

  /**
   * The same registered-claim rules as a session JWT, then the machine rules. A machine token
   * cannot be refreshed, so an expired one is simply invalid (no network call).
   */
  #verifyMachine(payload: Record<string, unknown>, kind: MachineTokenKind, staleKeys: boolean, nowMs: number): JwtVerification {
    const verdict = checkRegisteredClaims(payload, this.#claims, Math.floor(nowMs / 1000));
    if (verdict === 'expired') return INVALID_EXPIRED;
    if (verdict !== 'ok') return { kind: 'invalid', detail: verdict };
    if (this.#iatInFuture(payload, nowMs)) return INVALID_IAT_FUTURE;
    const identity = machineIdentityFromPayload(payload, kind);
    if (typeof identity === 'string') return { kind: 'invalid', detail: `machine_${identity}` };
    return { kind: 'machine', identity, validUntilMs: (identity.expiresAt + this.#tolerance) * 1000, staleKeys };
  }

  #iatInFuture(payload: Record<string, unknown>, nowMs: number): boolean {
    const iat = payload.iat;
    return typeof iat !== 'number' || !Number.isFinite(iat) || iat > Math.floor(nowMs / 1000) + this.#tolerance;
  }
}

/**
 * RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), by OpenSSL through node:crypto. The
 * algorithm is fixed here, never taken from the token or the key, and the cache holds only RSA
 * keys of >= 2048 bits, so no header can steer it elsewhere. OpenSSL refusing
 * the input (a signature longer than the modulus, say) counts as a mismatch, never as an error.
 */
function signatureMatches(jws: CompactJws, key: KeyObject): boolean {
  try {
    return cryptoVerify('sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, jws.signature);
  } catch {
    return false;
  }
}

/**
 * The same check as {@link signatureMatches}, with the RSA operation on libuv's thread pool
 * (`crypto.verify` with a callback) instead of the event loop's thread.
 *
 * Why: the event loop is the one thread every request of the process must pass through, so it is
 * what limits requests per second. The RSA operation is most of a cold request's cost (~25-40 µs);
 * done synchronously it held the event loop for all of it, while the official SDK (jose 5's Node
 * build, `promisify(crypto.verify)`) runs it on the pool. Measured on the benchmark's cold path
 * (distinct JWTs over HTTP, 2 cores): the server's event-loop CPU per request fell by ~50 µs.
 * Unlike WebCrypto (`crypto.subtle.verify`), this adds no key or argument conversion per call.
 * The pool is shared with `fs` and `dns.lookup`; a flood of forged tokens now queues there
 * (`UV_THREADPOOL_SIZE`, default 4) instead of stalling every request on the event loop.
 */
function signatureMatchesOffThread(jws: CompactJws, key: KeyObject): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      cryptoVerify('sha256', jws.signingInput, { key, padding: constants.RSA_PKCS1_PADDING }, jws.signature, (error, ok) => resolve(error === null && ok));
    } catch {
      resolve(false);
    }
  });
}

/** An M2M access token: no session claim, a `scope` claim. */
function isMachineToken(payload: Record<string, unknown>): boolean {
  return !Object.hasOwn(payload, SESSION_CLAIM) && Object.hasOwn(payload, 'scope');
}
