/**
 * The email step of an OAuth or SSO login that Stytch answered with `member_authenticated: false`
 * and `primary_required` (GitHub, Slack or HubSpot OAuth, or an address the provider did not
 * verify): the intermediate session is kept in its cookie and a magic link is sent to the
 * member's address, in a new flow of this browser bound to that member and organization. Its
 * callback passes the intermediate session to Stytch, which then finishes the login.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrimaryAuthenticateResponse } from '../client/types.js';
import { AuthenticationError } from '../errors.js';
import { logEvent } from '../session/logger.js';
import type { FlowOutcome } from './flow.js';
import { prepareFlow } from './flow-start.js';
import type { RouteContext } from './route-context.js';
import { withQuery } from '../middleware/respond.js';

/** True when Stytch asks for another primary factor that an emailed link can give. */
export function needsEmailStep(result: PrimaryAuthenticateResponse): boolean {
  if (result.member_authenticated || !result.intermediate_session_token) return false;
  const required = result.primary_required;
  if (required === null || required === undefined) return false;
  const methods = (required as { allowed_auth_methods?: unknown }).allowed_auth_methods;
  return Array.isArray(methods) && methods.includes('magic_link');
}

/** Send the verification link and answer "check your email" (the login page with `status=email_sent`). */
export async function startEmailStep(req: IncomingMessage, res: ServerResponse, rc: RouteContext, result: PrimaryAuthenticateResponse, returnTo: string | undefined): Promise<FlowOutcome> {
  const email = result.member?.email_address;
  const organizationId = result.organization_id || result.organization?.organization_id;
  const memberId = result.member_id || result.member?.member_id;
  if (!email || !organizationId) throw new AuthenticationError('primary_auth_required', 'This organization requires a different sign-in method.');
  const started = prepareFlow(req, rc, 'login_email', { organizationId, memberId, email, returnTo }, { withChallenge: rc.cfg.pkce, continuesIst: true });
  await rc.client.magicLinks.email.loginOrSignup({
    organization_id: organizationId,
    email_address: email,
    login_redirect_url: started.redirectUrl,
    signup_redirect_url: started.redirectUrl,
    ...(started.challenge === undefined ? {} : { pkce_code_challenge: started.challenge }),
  });
  started.commit(req, res);
  rc.flow.clearIntermediateState(req, res);
  rc.flow.setIst(req, res, result.intermediate_session_token);
  logEvent(rc.logger, 'info', 'stytch.routes.email_step_sent', { memberId, organizationId });
  return { status: 'email_step', redirectTo: withQuery(withQuery(rc.cfg.loginUrl, 'status', 'email_sent'), 'step', 'verify_email'), memberId, organizationId };
}
