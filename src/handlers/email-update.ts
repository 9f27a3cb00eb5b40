/**
 * `POST /email/update` `{ email_address }`: start an email change for the signed-in member
 * (`start_email_update`). The verification link comes back through the callback route. Needs a
 * factor proven within `maxFactorAgeSeconds`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redirect, sendJson, wantsRedirect } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { FIELD_RULES, readBody, requireField } from './body.js';
import { sessionCredential } from './flow.js';
import { requireRecentFactor } from './recent-factor.js';
import { prepareFlow } from './flow-start.js';
import type { RouteContext } from './route-context.js';

/** Handler of the email update route. */
export async function startEmailUpdate(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, auth } = rc;
  const credential = sessionCredential(req, rc);
  if (!auth.isAuthenticated) return; // unreachable: sessionCredential threw
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  // Changing the sign-in address from an old session would hand a stolen cookie the account.
  if (!requireRecentFactor(req, res, rc, auth, fields.return_to)) return;
  // start_email_update takes no PKCE challenge: the flow is bound to this member and organization
  // instead, and its completion never signs in anyone else (see the callback).
  const started = prepareFlow(req, rc, 'email_update', { organizationId: auth.organizationId, memberId: auth.memberId }, { withChallenge: false });
  // Run as the member (session headers), so Stytch applies the member's own permissions.
  await rc.client.organizations.members.startEmailUpdate(
    { organization_id: auth.organizationId, member_id: auth.memberId, email_address: email, login_redirect_url: started.redirectUrl },
    { authorization: credential },
  );
  started.commit(req, res);
  logEvent(rc.logger, 'info', 'stytch.routes.email_update_started', { memberId: auth.memberId, organizationId: auth.organizationId });
  if (wantsRedirect(req)) {
    redirect(res, safeReturnTo(fields.return_to, cfg.afterLoginUrl), true);
    return;
  }
  sendJson(res, 202, { status: 'email_update_started' });
}
