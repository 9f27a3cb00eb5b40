/**
 * What every route does once Stytch has answered: a full session (veto hook, cookies replaced,
 * redirect to the bound return_to), an MFA step (IST cookie + hints, to the MFA page), or a
 * discovery step (IST cookie, to the organization picker). Shared so every flow ends the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Member, MemberSession, Organization, PrimaryAuthenticateResponse } from '../client/types.js';
import { AuthenticationError, AuthorizationError, StytchExpressError, StytchUnavailableError } from '../errors.js';
import { readCookie, readSingleCookie } from '../middleware/cookies.js';
import { redirect, sendJson, wantsRedirect } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import type { AuthenticatedVia } from './options.js';
import type { RouteContext } from './route-context.js';
import { maskPhone } from './transient.js';

/** How a flow step ended, before it is written as a redirect or JSON. */
export type FlowOutcome =
  | { status: 'authenticated'; redirectTo: string; memberId: string; organizationId: string }
  | { status: 'mfa_required'; redirectTo: string; memberId: string; organizationId: string }
  | { status: 'discovery'; redirectTo: string }
  | { status: 'email_step'; redirectTo: string; memberId: string; organizationId: string };

/**
 * What a callback hands on from the flow this browser started: its return_to. Without it
 * (later steps: MFA, discovery), the return_to cookie carried from the callback is used.
 */
export interface CarriedFlow {
  readonly returnTo: string | undefined;
}

/** A full session as returned by any authenticate call. */
export interface NewSession {
  member: Member;
  organization: Organization;
  member_session?: MemberSession | null | undefined;
  session_token: string;
  session_jwt: string;
}

/** Budget for best-effort revocations (veto, logout): never hold a browser for the full default. */
export const BEST_EFFORT_TIMEOUT_MS = 2_000;

/**
 * Run the veto hook, then replace every session cookie with the new session's and clear the
 * IST state. Earlier session cookies are always overwritten (session fixation), even when Stytch
 * returned no JWT.
 */
export async function establishSession(req: IncomingMessage, res: ServerResponse, rc: RouteContext, session: NewSession, via: AuthenticatedVia, carry?: CarriedFlow): Promise<FlowOutcome> {
  const { cfg, flow } = rc;
  if (session.session_token === '' && session.session_jwt === '') {
    throw new StytchUnavailableError('upstream_bad_response', 'Stytch reported an authenticated member without a session.');
  }
  if (cfg.onAuthenticated !== undefined) {
    let allowed: boolean;
    try {
      allowed = (await cfg.onAuthenticated(req, { via, member: session.member, organization: session.organization, memberSession: session.member_session ?? null })) !== false;
    } catch (err) {
      allowed = false;
      logEvent(rc.logger, 'warn', 'stytch.routes.on_authenticated_failed', { errorName: err instanceof Error ? err.name : typeof err });
    }
    if (!allowed) {
      await revokeBestEffort(rc, session.session_token !== '' ? { session_token: session.session_token } : { session_jwt: session.session_jwt });
      flow.clearIntermediateState(req, res);
      throw new AuthorizationError('login_vetoed', 'Sign-in was refused by the application.');
    }
  }
  flow.clearIntermediateState(req, res);
  if (readCookie(req, cfg.sessionCookies.jwt).kind !== 'absent' || readCookie(req, cfg.sessionCookies.token).kind !== 'absent') rc.cookies.clearSession(req, res);
  const expiresAt = session.member_session?.expires_at ?? new Date(rc.now() + (cfg.sessionDurationMinutes ?? 60) * 60_000);
  rc.cookies.setSession(req, res, { session_token: session.session_token, session_jwt: session.session_jwt, expires_at: expiresAt });
  const redirectTo = (carry === undefined ? flow.peekReturnTo(req) : carry.returnTo) ?? cfg.afterLoginUrl;
  flow.clearReturnTo(req, res);
  const memberId = session.member.member_id;
  const organizationId = session.organization.organization_id;
  logEvent(rc.logger, 'info', 'stytch.routes.authenticated', { via, memberId, organizationId });
  return { status: 'authenticated', redirectTo, memberId, organizationId };
}

/**
 * Turn a primary-authenticate style answer (reference 5.2) into the next step: a session, an
 * MFA step with the IST in its cookie, or an error when another primary factor is required.
 */
export async function completePrimary(req: IncomingMessage, res: ServerResponse, rc: RouteContext, result: PrimaryAuthenticateResponse, via: AuthenticatedVia, carry?: CarriedFlow): Promise<FlowOutcome> {
  if (result.member_authenticated) return establishSession(req, res, rc, result, via, carry);
  // The next step (MFA, another primary factor) finds the flow's return_to in its own cookie.
  if (carry !== undefined) rc.flow.setReturnTo(req, res, carry.returnTo);
  const memberId = result.member_id || result.member?.member_id;
  const organizationId = result.organization_id || result.organization?.organization_id;
  if (result.mfa_required !== null && result.mfa_required !== undefined && result.intermediate_session_token) {
    const options = result.mfa_required.member_options;
    rc.flow.setIst(req, res, result.intermediate_session_token);
    rc.flow.setPendingMfa(req, res, {
      memberId,
      organizationId,
      phoneHint: maskPhone(options?.mfa_phone_number || result.member?.mfa_phone_number),
      smsSent: result.mfa_required.secondary_auth_initiated === 'sms_otp',
      totpRegistered: Boolean(options?.totp_registration_id || result.member?.totp_registration_id),
    });
    logEvent(rc.logger, 'info', 'stytch.routes.mfa_required', { via, memberId, organizationId });
    return { status: 'mfa_required', redirectTo: rc.cfg.mfaUrl, memberId, organizationId };
  }
  if (result.primary_required !== null && result.primary_required !== undefined) {
    // We do not run a second primary factor here; the app's login page explains it from the code.
    rc.flow.clearIntermediateState(req, res);
    throw new AuthenticationError('primary_auth_required', 'This organization requires a different sign-in method.');
  }
  throw new StytchUnavailableError('upstream_bad_response', 'Stytch answered without a session or a next step.');
}

/** Write an outcome: 303 for forms and navigations (or when `forceRedirect`), JSON otherwise. */
export function sendOutcome(req: IncomingMessage, res: ServerResponse, outcome: FlowOutcome, forceRedirect = false): void {
  if (forceRedirect || wantsRedirect(req)) {
    redirect(res, outcome.redirectTo, true);
    return;
  }
  sendJson(res, 200, outcome);
}

/** The credential of the signed-in request, as Stytch wants it in a body. */
export function sessionCredential(
  req: IncomingMessage,
  rc: Pick<RouteContext, 'auth' | 'credential'> & { readonly cfg: { readonly sessionCookies: { readonly token: string } } },
): { session_token: string } | { session_jwt: string } {
  const { auth, credential } = rc;
  if (!auth.isAuthenticated || credential === undefined) {
    if (auth.status === 'undecided') throw auth.error;
    throw new AuthenticationError('unauthenticated', 'Sign in first.');
  }
  // Prefer the opaque token when the browser has it: the JWT may have expired a moment ago (it is
  // refreshed on this very request), and only sessions/authenticate accepts an expired JWT.
  if (credential.kind === 'jwt' && credential.source !== 'bearer') {
    const token = readSingleCookie(req, rc.cfg.sessionCookies.token);
    if (token !== undefined) return { session_token: token };
  }
  return credential.kind === 'jwt' ? { session_jwt: credential.value } : { session_token: credential.value };
}

/** Revoke a session without letting a failure reach the user (logged, never thrown). */
export async function revokeBestEffort(rc: RouteContext, target: { member_session_id: string } | { session_token: string } | { session_jwt: string } | { member_id: string }): Promise<boolean> {
  try {
    await rc.client.sessions.revoke(target, { timeoutMs: BEST_EFFORT_TIMEOUT_MS });
    return true;
  } catch (err) {
    logEvent(rc.logger, 'warn', 'stytch.routes.revoke_failed', {
      code: err instanceof StytchExpressError ? err.code : 'unknown',
      status: err instanceof StytchExpressError ? err.status : undefined,
    });
    return false;
  }
}
