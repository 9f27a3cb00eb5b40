import { errors, jwtVerify } from 'jose';
import type { CryptoKey, JWTHeaderParameters, JWTVerifyOptions } from 'jose';
import type { StytchUnavailableError } from '../errors.js';
import { SESSION_CLAIM } from '../client/types.js';
import { identityFromJwtPayload } from './claims.js';
import type { SessionIdentity } from './claims.js';
import type { JwksCache } from './jwks-cache.js';

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
}

/** What local verification concluded about a session JWT. */
export type JwtVerification =
  /** Signature, header and claims all good; the session is live until `validUntilMs`. */
  | { kind: 'valid'; identity: SessionIdentity; validUntilMs: number; staleKeys: boolean }
  /** Genuine (signature checked) but expired, inner `expires_at` passed, or older than the max age: ask Stytch. */
  | { kind: 'refresh'; identity: SessionIdentity; why: 'expired' | 'too_old' }
  /** Definitely not a valid session JWT: signed out, no network call (catalogue #45). */
  | { kind: 'invalid'; detail: string }
  /** A genuine token of another kind (M2M access token): not a session (catalogue #31). */
  | { kind: 'not_a_session' }
  /** The keys could not be loaded: undecided. */
  | { kind: 'unavailable'; error: StytchUnavailableError };

/** Header parameters that would point the verifier at key material chosen by the token (catalogue #13). */
const FORBIDDEN_HEADER_PARAMS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'];

class RejectToken extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}
class KeysUnavailable extends Error {
  constructor(readonly error: StytchUnavailableError) {
    super('keys unavailable');
  }
}

/**
 * Local verification of Stytch session JWTs with jose (reference 3.3, 3.4), stricter than the SDK:
 * algorithms exactly `['RS256']`, `typ: JWT`, issuer and audience checked, `exp`/`iat`/`sub`/`iss`/`aud`
 * required, no `crit`, no key material from the header, a string `kid` (or none with a one-key set),
 * both Stytch claims validated, the inner `expires_at` honoured, `iat` never in the future.
 * The signature is checked before any claim, so a forged expired token is "invalid", never "expired"
 * (catalogue #18). The clock is injected (`currentDate`).
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
  readonly #baseOptions: JWTVerifyOptions;

  constructor(options: SessionJwtVerifierOptions) {
    this.#jwks = options.jwks;
    this.#tolerance = options.clockToleranceSeconds ?? 0;
    this.#maxAge = options.maxTokenAgeSeconds;
    this.#now = options.now;
    this.#baseOptions = Object.freeze({
      algorithms: ['RS256'],
      typ: 'JWT',
      issuer: [...options.issuers],
      audience: options.projectId,
      clockTolerance: this.#tolerance,
      requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
    });
  }

  /** Verify one compact JWS (already shape-checked by the caller). Never throws. */
  async verify(token: string): Promise<JwtVerification> {
    const nowMs = this.#now();
    let staleKeys = false;
    // Set when only an expired copy of the key was available: it can prove a token forged, never valid.
    let unavailable: StytchUnavailableError | undefined;
    const jwks = this.#jwks;
    const resolveKey = async (header: JWTHeaderParameters): Promise<CryptoKey> => {
      for (const param of FORBIDDEN_HEADER_PARAMS) {
        if (Object.hasOwn(header, param)) throw new RejectToken(`header_${param}`);
      }
      const kid: unknown = header.kid;
      if (kid !== undefined && typeof kid !== 'string') throw new RejectToken('kid_not_string');
      const found = await jwks.getKey(kid);
      switch (found.kind) {
        case 'key':
          staleKeys = found.stale;
          return found.key;
        case 'unavailable':
          if (found.staleKey === undefined) throw new KeysUnavailable(found.error);
          unavailable = found.error;
          return found.staleKey;
        case 'ambiguous':
          throw new RejectToken('kid_missing');
        default:
          throw new RejectToken('kid_unknown');
      }
    };

    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, resolveKey, { ...this.#baseOptions, currentDate: new Date(nowMs) });
      payload = verified.payload;
      if (unavailable !== undefined) return { kind: 'unavailable', error: unavailable };
    } catch (error) {
      if (error instanceof KeysUnavailable) return { kind: 'unavailable', error: error.error };
      // Checked against an expired key copy: a failed signature proves a forgery (401), anything
      // after it (claims) means the token may be genuine but we cannot vouch for keys this old.
      if (unavailable !== undefined && !(error instanceof errors.JWSSignatureVerificationFailed)) return { kind: 'unavailable', error: unavailable };
      if (error instanceof RejectToken) return { kind: 'invalid', detail: error.detail };
      if (error instanceof errors.JWTExpired && error.claim === 'exp') {
        // jose raises JWTExpired only after the signature, typ, iss, aud, presence and nbf checks
        // passed, so this is a genuine token whose JWT has lapsed: Stytch may refresh it.
        const expiredPayload = error.payload as Record<string, unknown>;
        if (isMachineToken(expiredPayload)) return { kind: 'not_a_session' };
        const identity = identityFromJwtPayload(expiredPayload);
        if (identity === undefined) return { kind: 'invalid', detail: 'claims' };
        if (this.#iatInFuture(expiredPayload, nowMs)) return { kind: 'invalid', detail: 'iat_future' };
        return { kind: 'refresh', identity, why: 'expired' };
      }
      return { kind: 'invalid', detail: error instanceof errors.JOSEError ? error.code : 'verify' };
    }

    if (isMachineToken(payload)) return { kind: 'not_a_session' };
    const identity = identityFromJwtPayload(payload);
    if (identity === undefined) return { kind: 'invalid', detail: 'claims' };
    // A future iat could make a token look fresh forever under a max age (catalogue #23).
    if (this.#iatInFuture(payload, nowMs)) return { kind: 'invalid', detail: 'iat_future' };
    const iat = payload.iat as number;
    const nowSeconds = Math.floor(nowMs / 1000);
    // Same rule as the official SDK: now - iat >= max is too old, so 0 always goes to the network.
    if (this.#maxAge !== undefined && nowSeconds - iat >= this.#maxAge) return { kind: 'refresh', identity, why: 'too_old' };
    // The session inside may end before the JWT does; the earlier time wins (catalogue #30).
    if (identity.sessionExpiresAt.getTime() <= nowMs) return { kind: 'refresh', identity, why: 'expired' };

    const exp = payload.exp as number;
    let validUntilMs = Math.min((exp + this.#tolerance) * 1000, identity.sessionExpiresAt.getTime());
    if (this.#maxAge !== undefined) validUntilMs = Math.min(validUntilMs, (iat + this.#maxAge) * 1000);
    return { kind: 'valid', identity, validUntilMs, staleKeys };
  }

  #iatInFuture(payload: Record<string, unknown>, nowMs: number): boolean {
    const iat = payload.iat;
    return typeof iat !== 'number' || !Number.isFinite(iat) || iat > Math.floor(nowMs / 1000) + this.#tolerance;
  }
}

/** An M2M access token: no session claim, a `scope` claim (catalogue #31). */
function isMachineToken(payload: Record<string, unknown>): boolean {
  return !Object.hasOwn(payload, SESSION_CLAIM) && Object.hasOwn(payload, 'scope');
}
