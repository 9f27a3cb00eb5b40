/**
 * The auth object's types: what one request's credential turned into. A leaf module (types
 * only), shared by the pure core that decides and the edges that read the decision.
 */
import type { StytchExpressError } from '../errors.js';
import type { SessionIdentityFields } from './claims.js';

/** How a signed-in request's credential was checked. */
export type VerifiedBy =
  /** RS256 signature checked locally against the cached JWKS on this request. */
  | 'local_jwt'
  /** The same token was verified earlier and served from the verified-token cache. */
  | 'cache'
  /** Stytch's `sessions/authenticate` was called (opaque token, expired or too-old JWT). */
  | 'network';

/** Which credential the identity came from (one credential per request, never mixed). */
export type CredentialSource = 'bearer' | 'jwt_cookie' | 'session_cookie';

/** The credential that decided a request. Never log its value. */
export interface Credential {
  readonly source: CredentialSource;
  readonly kind: 'jwt' | 'opaque';
  readonly value: string;
}

/** Why a request is signed out. Stable strings, safe to log and to return. */
export type SignedOutReason =
  | 'no_credentials'
  | 'malformed_credentials'
  | 'invalid_token'
  | 'expired_session'
  | 'session_not_found'
  | 'duplicate_credentials'
  | 'not_a_session_token';

/** Why a request could not be decided (Stytch or the JWKS unreachable). Guards answer 503. */
export type UndecidedReason = 'upstream_unavailable' | 'upstream_rate_limited' | 'jwks_unavailable' | 'circuit_open';

/** A signed-in member. */
export interface SignedInAuth extends SessionIdentityFields {
  readonly isAuthenticated: true;
  readonly status: 'signed_in';
  /** When the JWT that proved this identity was issued (`iat`); undefined for opaque-token authentication. */
  readonly tokenIssuedAt: Date | undefined;
  readonly verifiedBy: VerifiedBy;
  readonly credential: CredentialSource;
  /**
   * Local RBAC decision against the cached policy: may this member perform `action` on `resourceId`
   * in their own organization? Synchronous; returns false (fail closed) when no policy is cached yet.
   */
  can(resourceId: string, action: string): boolean;
}

/** No valid identity. */
export interface SignedOutAuth {
  readonly isAuthenticated: false;
  readonly status: 'signed_out';
  readonly reason: SignedOutReason;
}

/** Identity could not be decided because an upstream was unavailable. Never treated as signed out. */
export interface UndecidedAuth {
  readonly isAuthenticated: false;
  readonly status: 'undecided';
  readonly reason: UndecidedReason;
  readonly error: StytchExpressError;
}

/** The auth object attached to each request by `stytchAuth()`. */
export type StytchAuth = SignedInAuth | SignedOutAuth | UndecidedAuth;
