/**
 * `POST /login/email` `{ email_address, organization_id?, return_to? }`: send a login magic link
 * (organization given) or a discovery link (no organization). Starts a flow in this browser: its
 * own cookie holds the PKCE verifier, the organization, the member and the address it is bound
 * to, and the validated return_to, for 10 minutes. Asking again for the same link reuses the
 * pending flow (same verifier, same challenge), so the older and the newer link both work here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StytchApiError } from '../errors.js';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import { prepareFlow } from './flow-start.js';
import { enforceClientLimit, enforceLimit } from './limits.js';
import type { RouteContext } from './route-context.js';

/**
 * Stytch's answers to a start that mean "no such member" or "this address may not join": hidden
 * behind the success answer. An organization that does not exist is not hidden (it names no
 * person), nor are outages and rate limits (they say nothing about the address).
 */
const HIDDEN_START_REFUSALS: ReadonlySet<string> = new Set([
  // Unknown address, email JIT off / domain not allowed (reference addendum A11.6).
  'email_jit_provisioning_not_allowed',
  'invalid_email_for_jit_provisioning',
  'member_not_found',
]);

function hiddenRefusal(err: unknown): string | undefined {
  return err instanceof StytchApiError && HIDDEN_START_REFUSALS.has(err.errorType) ? err.errorType : undefined;
}

/**
 * A member id shaped like Stytch's for the flow of a hidden refusal, so the flow cookie has the
 * length it would have had. Its link never comes, so it never binds anything.
 */
function decoyMemberId(rc: RouteContext): string {
  return `member-${rc.client.config.projectId.startsWith('project-live-') ? 'live' : 'test'}-${randomUUID()}`;
}

/** Handler of the login-start route. */
export async function loginEmail(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client } = rc;
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  // return_to is bound now and re-validated on use; one on the callback URL is ignored.
  const started = prepareFlow(req, rc, organizationId === undefined ? 'discovery_email' : 'login_email', { organizationId, email, returnTo: fields.return_to }, { withChallenge: cfg.pkce, reusePending: true });
  const pkce = started.challenge === undefined ? {} : { pkce_code_challenge: started.challenge };
  // Counted only for well-formed requests, before Stytch sends anything.
  await enforceClientLimit(rc.limiters, req);
  await enforceLimit(rc.limiters.email, email.toLowerCase());

  let memberId: string | undefined;
  try {
    if (organizationId !== undefined) {
      const sent = await client.magicLinks.email.loginOrSignup({
        organization_id: organizationId,
        email_address: email,
        login_redirect_url: started.redirectUrl,
        signup_redirect_url: started.redirectUrl,
        ...pkce,
      });
      memberId = sent.member_id || sent.member?.member_id;
    } else {
      await client.magicLinks.email.discovery.send({ email_address: email, discovery_redirect_url: started.redirectUrl, ...pkce });
    }
  } catch (err) {
    const hidden = hiddenRefusal(err);
    if (hidden === undefined) throw err;
    // The same answer, cookie included, as a sent link: whether this address may sign in to this
    // organization is not told to whoever asks. The send was awaited on both paths.
    rc.instance.context.metrics.hideStartRefusal(hidden);
    logEvent(rc.logger, 'debug', 'stytch.routes.login_start_refused', { reason: hidden, discovery: organizationId === undefined, organizationId });
    memberId = decoyMemberId(rc);
  }
  // Only after Stytch answered: a failed send (outage, bad input) must not leave a flow behind.
  started.commit(req, res, { memberId });
  logEvent(rc.logger, 'info', 'stytch.routes.login_email_sent', { discovery: organizationId === undefined, organizationId });

  if (wantsRedirect(req)) {
    redirect(res, withQuery(cfg.loginUrl, 'status', 'email_sent'), true);
    return;
  }
  sendJson(res, 202, { status: 'email_sent' });
}
