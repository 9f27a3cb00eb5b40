/**
 * `POST /password/change` `{ new_password, current_password?, return_to? }` for a signed-in
 * member. With `current_password`: `passwords.existingPassword.reset` (wrong password: 401
 * `invalid_credentials`, counted by the attempt limits). Without: only when a factor of the
 * session was authenticated in the last 5 minutes (`passwords.sessions.reset`); otherwise the
 * same step-up answer as `requireFreshAuth()` (403 `step_up_required`). The new password is
 * checked for strength first. Success rotates the session cookies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationError, StytchApiError } from '../errors.js';
import { redirect, sendJson, wantsRedirect } from '../middleware/respond.js';
import type { SignedInAuth } from '../session/auth-types.js';
import { hasRecentFactor } from '../session/freshness.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { readBody } from './body.js';
import { completePrimary, establishSession, sessionCredential } from './flow.js';
import type { FlowOutcome } from './flow.js';
import { checkStrength, credentialError, limited, memberKey, requirePassword, sendWeakPassword, weakFromStytch } from './password-fields.js';
import type { RouteContext } from './route-context.js';

/** Stytch's own freshness rule for a session reset (reference A2.8). */
const FRESH_FACTOR_MS = 5 * 60_000;

const stepUp = (): AuthorizationError => new AuthorizationError('step_up_required', 'A recent authentication is required for this action.');

/** A factor recent enough for both Stytch's rule and the routes' `maxFactorAgeSeconds`. */
function hasFreshFactor(auth: SignedInAuth, now: number, maxFactorAgeMs: number): boolean {
  return hasRecentFactor(auth.authenticationFactors, now, Math.min(FRESH_FACTOR_MS, maxFactorAgeMs));
}

/** Handler of the change-password route. */
export async function passwordChange(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client, auth } = rc;
  const credential = sessionCredential(req, rc);
  if (!auth.isAuthenticated) return; // unreachable: sessionCredential threw
  const fields = await readBody(req, cfg.maxBodyBytes);
  const next = requirePassword(fields, 'new_password');
  const current = fields.current_password === undefined || fields.current_password === '' ? undefined : requirePassword(fields, 'current_password');
  // Checked before any upstream call: a stale session learns nothing about the password.
  if (current === undefined && !hasFreshFactor(auth, rc.now(), cfg.maxFactorAgeMs)) throw stepUp();
  const { member } = await client.organizations.members.get({ organization_id: auth.organizationId, member_id: auth.memberId });
  const strength = await checkStrength(rc, next, member.email_address);
  if (!strength.validPassword) {
    sendWeakPassword(req, res, safeReturnTo(fields.return_to, cfg.afterLoginUrl), strength);
    return;
  }

  let outcome: FlowOutcome;
  try {
    if (current !== undefined) {
      const result = await limited(req, rc, { member: memberKey(auth.organizationId, member.email_address) }, () =>
        client.passwords.existingPassword
          .reset({ organization_id: auth.organizationId, email_address: member.email_address, existing_password: current, new_password: next, ...credential })
          .catch((err: unknown) => {
            throw credentialError(err);
          }),
      );
      outcome = await completePrimary(
        req, res, rc,
        { ...result, organization_id: auth.organizationId, member_session: result.member_session ?? null, mfa_required: result.mfa_required ?? null, primary_required: result.primary_required ?? null },
        'password_change',
      );
    } else {
      const result = await client.passwords.sessions.reset({ organization_id: auth.organizationId, password: next, ...credential });
      outcome = await establishSession(req, res, rc, result, 'password_change');
    }
  } catch (err) {
    const weak = weakFromStytch(err);
    if (weak !== undefined) {
      sendWeakPassword(req, res, safeReturnTo(fields.return_to, cfg.afterLoginUrl), weak);
      return;
    }
    // Stytch's clock decides too: its "too old" is our step-up answer.
    if (err instanceof StytchApiError && err.errorType === 'session_too_old_to_reset_password') throw stepUp();
    throw err;
  }
  logEvent(rc.logger, 'info', 'stytch.routes.password_changed', { memberId: auth.memberId, organizationId: auth.organizationId, with: current === undefined ? 'recent_factor' : 'current_password' });
  if (wantsRedirect(req)) {
    redirect(res, safeReturnTo(fields.return_to, outcome.redirectTo), true);
    return;
  }
  sendJson(res, 200, { status: 'password_changed' });
}
