import type { IncomingMessage } from 'node:http';
import type { AuthenticationFactorType } from '../client/types.js';
import { AuthorizationError, ConfigError } from '../errors.js';
import type { SignedInAuth } from '../session/auth-types.js';
import { hasRecentFactor } from '../session/freshness.js';
import { createGuard, pageLocation } from './guard.js';
import type { CheckResult, GuardCheck, NodeMiddleware, StytchRequestContext } from './types.js';
import { isNavigation } from './respond.js';

/** Options of {@link requireFreshAuth}. At least one of the two is required. */
export interface RequireFreshAuthOptions {
  /** The qualifying factor must have been authenticated at most this many seconds ago. */
  maxAgeSeconds?: number;
  /**
   * The session must hold at least one factor of these types (e.g. `['totp', 'otp']` for MFA).
   * Combined with `maxAgeSeconds`, that factor must also be recent.
   */
  factors?: readonly AuthenticationFactorType[];
}

const PASS: CheckResult = Object.freeze({ outcome: 'pass' });
const STEP_UP = new AuthorizationError('step_up_required', 'A recent authentication is required for this action.');

function freshAuthCheck(maxAgeMs: number | undefined, factors: ReadonlySet<string> | undefined): GuardCheck {
  return function freshAuthCheck(auth: SignedInAuth, req: IncomingMessage, ctx: StytchRequestContext): CheckResult {
    if (hasRecentFactor(auth.authenticationFactors, ctx.now(), maxAgeMs, factors)) return PASS;
    const mfaUrl = ctx.config.mfaUrl;
    return mfaUrl !== undefined && isNavigation(req)
      ? { outcome: 'fail', error: STEP_UP, redirectTo: pageLocation(req, mfaUrl) }
      : { outcome: 'fail', error: STEP_UP };
  };
}


/**
 * Step-up guard: the session must have authenticated recently, and/or with given factor types
 * (e.g. MFA), before a sensitive action.
 *
 * Refused: 403 `step_up_required`; for browser navigations, a 303 to the `mfaUrl` given to
 * `stytchAuth()` with the request's path as `return_to`. Signed out: 401 as `requireAuth()`.
 * Factor times come from the session's `authentication_factors[].last_authenticated_at`; the
 * clock is `stytchAuth()`'s (injectable).
 *
 * @param options - `maxAgeSeconds` (positive number) and/or `factors` (non-empty list of factor types).
 * @throws ConfigError naming the bad option.
 * @example
 * app.post('/billing/card', requireFreshAuth({ maxAgeSeconds: 300, factors: ['totp', 'otp'] }), handler);
 */
export function requireFreshAuth(options: RequireFreshAuthOptions): NodeMiddleware {
  if (typeof options !== 'object' || options === null) throw new ConfigError('requireFreshAuth: options must be an object with "maxAgeSeconds" and/or "factors".');
  const { maxAgeSeconds, factors } = options;
  if (maxAgeSeconds === undefined && factors === undefined) {
    throw new ConfigError('requireFreshAuth: at least one of the options "maxAgeSeconds" or "factors" is required.');
  }
  if (maxAgeSeconds !== undefined && (typeof maxAgeSeconds !== 'number' || !Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0)) {
    throw new ConfigError('requireFreshAuth: option "maxAgeSeconds" must be a positive number of seconds.');
  }
  if (factors !== undefined) {
    if (!Array.isArray(factors) || factors.length === 0) throw new ConfigError('requireFreshAuth: option "factors" must be a non-empty array of factor types.');
    factors.forEach((factor, index) => {
      if (typeof factor !== 'string' || factor.length === 0) throw new ConfigError(`requireFreshAuth: option "factors[${index}]" must be a non-empty string.`);
    });
  }
  return createGuard('requireFreshAuth', [freshAuthCheck(maxAgeSeconds === undefined ? undefined : maxAgeSeconds * 1000, factors === undefined ? undefined : new Set(factors))]);
}
