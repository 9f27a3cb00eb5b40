import { MiddlewareNotMountedError } from '../errors.js';
import type { StytchAuth } from '../session/auth-types.js';
import { findRequestState } from './request-state.js';

export type { CredentialSource, MachineAuth, MachineTokenKind, SignedInAuth, SignedOutAuth, SignedOutReason, StytchAuth, TokenKind, UndecidedAuth, UndecidedReason, VerifiedBy } from '../session/auth-types.js';

/** True when `stytchAuth()` already ran for this request. */
export function hasStytchAuth(req: object): boolean {
  return findRequestState(req)?.decision !== undefined;
}

/**
 * Read the auth object that `stytchAuth()` attached to the request. It lives in a private record
 * of the request, so a `req.auth` (or any other property) set by someone else is never trusted.
 *
 * A discriminated union on `status`: `'signed_in'` (a member), `'machine'` (an M2M or
 * Connected-App token, only where `acceptsToken` lets one in), `'signed_out'` or `'undecided'`.
 * `isAuthenticated` is true for members only, so it never lets a machine pass for a member.
 *
 * @throws MiddlewareNotMountedError (code `middleware_not_mounted`) when `stytchAuth()` did not run first.
 * @example
 * app.get('/me', requireAuth(), (req, res) => {
 *   const auth = getStytchAuth(req);
 *   if (auth.isAuthenticated) res.json({ memberId: auth.memberId });
 *   else if (auth.status === 'machine') res.json({ clientId: auth.clientId, scopes: auth.scopes });
 * });
 */
export function getStytchAuth(req: object): StytchAuth {
  const decision = findRequestState(req)?.decision;
  if (decision === undefined) throw new MiddlewareNotMountedError('getStytchAuth(req): stytchAuth() middleware is not mounted before this route. Add app.use(stytchAuth()) first.');
  return decision.auth;
}
