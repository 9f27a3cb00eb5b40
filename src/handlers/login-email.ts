/**
 * `POST /login/email` `{ email_address, organization_id?, return_to? }`: send a login magic link
 * (organization given) or a discovery link (no organization). Starts a flow in this browser: its
 * own cookie holds the PKCE verifier, the organization, the member and the address it is bound
 * to, and the validated return_to, for 10 minutes. Asking again for the same link reuses the
 * pending flow (same verifier, same challenge), so the older and the newer link both work here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import { prepareFlow } from './flow-start.js';
import type { RouteContext } from './route-context.js';

/** Handler of the login-start route. */
export async function loginEmail(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, client } = rc;
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  // return_to is bound now and re-validated on use; one on the callback URL is ignored.
  const started = prepareFlow(req, rc, organizationId === undefined ? 'discovery_email' : 'login_email', { organizationId, email, returnTo: fields.return_to }, { withChallenge: cfg.pkce, reusePending: true });
  const pkce = started.challenge === undefined ? {} : { pkce_code_challenge: started.challenge };

  let memberId: string | undefined;
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
  // Only after Stytch accepted: a failed send must not leave a flow behind.
  started.commit(req, res, { memberId });
  logEvent(rc.logger, 'info', 'stytch.routes.login_email_sent', { discovery: organizationId === undefined, organizationId });

  if (wantsRedirect(req)) {
    redirect(res, withQuery(cfg.loginUrl, 'status', 'email_sent'), true);
    return;
  }
  sendJson(res, 202, { status: 'email_sent' });
}
