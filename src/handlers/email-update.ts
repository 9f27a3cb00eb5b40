/**
 * `POST /email/update` `{ email_address }`: start an email change for the signed-in member
 * (`start_email_update`). The verification link comes back through the callback route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getStytchAuth } from '../middleware/auth-object.js';
import { getStytchContext } from '../middleware/context.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { FIELD_RULES, readBody, requireField } from './body.js';
import { callbackUrl } from './callback-url.js';
import { sessionCredential } from './flow.js';
import type { ResolvedRoutesConfig } from './options.js';
import { redirect, sendJson, wantsRedirect } from './responses.js';
import { setEmailUpdatePending } from './transient.js';

/** Handler of the email update route. */
export async function startEmailUpdate(req: IncomingMessage, res: ServerResponse, cfg: ResolvedRoutesConfig): Promise<void> {
  const credential = sessionCredential(req);
  const auth = getStytchAuth(req);
  if (!auth.isAuthenticated) return; // unreachable: sessionCredential threw
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const ctx = getStytchContext(req);
  // Run as the member (session headers), so Stytch applies the member's own permissions.
  await ctx.client.organizations.members.startEmailUpdate(
    { organization_id: auth.organizationId, member_id: auth.memberId, email_address: email, login_redirect_url: callbackUrl(req, cfg) },
    { authorization: credential },
  );
  // start_email_update takes no PKCE challenge; this marker lets this browser's callback accept
  // the verification link without a verifier.
  setEmailUpdatePending(req, res, auth.memberId);
  logEvent(ctx.logger, 'info', 'stytch.routes.email_update_started', { memberId: auth.memberId, organizationId: auth.organizationId });
  if (wantsRedirect(req)) {
    redirect(res, safeReturnTo(fields.return_to, cfg.afterLoginUrl));
    return;
  }
  sendJson(res, 202, { status: 'email_update_started' });
}
