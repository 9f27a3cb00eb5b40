/**
 * The recent-factor rule of the routes that change who a member is: the sign-in email address,
 * the first MFA phone, a TOTP app. From an old session these would turn a stolen cookie into a
 * permanent takeover, so they need a factor proven within `maxFactorAgeSeconds`, like
 * `requireFreshAuth()`. A pending login (intermediate session) has just proven its primary factor
 * and is not asked again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationError } from '../errors.js';
import { redirect, wantsRedirect, withQuery } from '../middleware/respond.js';
import type { SignedInAuth } from '../session/auth-types.js';
import { hasRecentFactor } from '../session/freshness.js';
import { safeReturnTo } from '../session/return-to.js';
import type { RouteContext } from './route-context.js';

/** Second factors a member can step up with on the MFA page. */
const SECOND_FACTORS: ReadonlySet<string> = new Set(['otp', 'totp', 'recovery_codes']);

/**
 * Passes (returns true) when `auth` proved a factor recently enough. Otherwise answers the step-up
 * response and returns false: JSON 403 `step_up_required` (thrown, so the routes' error layer
 * answers it), or for a form post a 303 to the MFA page when the session used a second factor,
 * else to the login page (signing in again is the only recent proof a member without MFA has),
 * with `return_to` and `error=step_up_required`.
 */
export function requireRecentFactor(req: IncomingMessage, res: ServerResponse, rc: RouteContext, auth: SignedInAuth, returnTo: unknown): boolean {
  if (hasRecentFactor(auth.authenticationFactors, rc.now(), rc.cfg.maxFactorAgeMs)) return true;
  const error = new AuthorizationError('step_up_required', 'Confirm it is you: sign in again or use your second factor, then retry.');
  if (!wantsRedirect(req)) throw error;
  const page = hasRecentFactor(auth.authenticationFactors, rc.now(), undefined, SECOND_FACTORS) ? rc.cfg.mfaUrl : rc.cfg.loginUrl;
  const target = withQuery(withQuery(page, 'return_to', safeReturnTo(returnTo, rc.cfg.afterLoginUrl)), 'error', error.code);
  redirect(res, target, true);
  return false;
}
