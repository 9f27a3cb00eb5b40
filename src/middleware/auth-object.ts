import type { StytchExpressError } from '../errors.js';
import type { SessionIdentityFields } from '../session/claims.js';
import { findRequestState, requestState } from './request-state.js';

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

/*
 * Where the auth object lives on the request: a module-private WeakMap (request-state.ts), so a
 * `req.auth` (or any other property) set by someone else is never trusted.
 */

/** Attach the auth object to a request. Internal: only the middleware calls this. */
export function setStytchAuth(req: object, auth: StytchAuth): void {
  requestState(req).auth = auth;
}

/** True when `stytchAuth()` already ran for this request. */
export function hasStytchAuth(req: object): boolean {
  return findRequestState(req)?.auth !== undefined;
}

/** The auth object, or undefined when `stytchAuth()` did not run (internal: guards). */
export function findStytchAuth(req: object): StytchAuth | undefined {
  return findRequestState(req)?.auth;
}

/**
 * Read the auth object that `stytchAuth()` attached to the request.
 *
 * @throws Error when `stytchAuth()` was not mounted before the caller.
 * @example
 * app.get('/me', requireAuth(), (req, res) => {
 *   const auth = getStytchAuth(req);
 *   if (auth.isAuthenticated) res.json({ memberId: auth.memberId });
 * });
 */
export function getStytchAuth(req: object): StytchAuth {
  const auth = findRequestState(req)?.auth;
  if (auth === undefined) {
    throw new Error('getStytchAuth(req): stytchAuth() middleware is not mounted before this route. Add app.use(stytchAuth()) first.');
  }
  return auth;
}
