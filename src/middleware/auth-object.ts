import { MiddlewareNotMountedError } from '../errors.js';
import type { StytchAuth } from '../session/auth-types.js';
import { findRequestState } from './request-state.js';

export type { CredentialSource, SignedInAuth, SignedOutAuth, SignedOutReason, StytchAuth, UndecidedAuth, UndecidedReason, VerifiedBy } from '../session/auth-types.js';

/** True when `stytchAuth()` already ran for this request. */
export function hasStytchAuth(req: object): boolean {
  return findRequestState(req)?.decision !== undefined;
}

/**
 * Read the auth object that `stytchAuth()` attached to the request. It lives in a private record
 * of the request, so a `req.auth` (or any other property) set by someone else is never trusted.
 *
 * @throws MiddlewareNotMountedError (code `middleware_not_mounted`) when `stytchAuth()` did not run first.
 * @example
 * app.get('/me', requireAuth(), (req, res) => {
 *   const auth = getStytchAuth(req);
 *   if (auth.isAuthenticated) res.json({ memberId: auth.memberId });
 * });
 */
export function getStytchAuth(req: object): StytchAuth {
  const decision = findRequestState(req)?.decision;
  if (decision === undefined) throw new MiddlewareNotMountedError('getStytchAuth(req): stytchAuth() middleware is not mounted before this route. Add app.use(stytchAuth()) first.');
  return decision.auth;
}
