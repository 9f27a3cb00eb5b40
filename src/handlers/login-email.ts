/**
 * `POST /login/email` `{ email_address, organization_id?, return_to? }`: send a login magic link
 * (organization given) or a discovery link (no organization). Starts the login transaction in
 * this browser: PKCE verifier cookie and the validated return_to, both 10 minutes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { FIELD_RULES, optionalField, readBody, requireField } from './body.js';
import { callbackUrl } from './callback-url.js';
import { enforceClientLimit, enforceLimit } from './limits.js';
import { createPkcePair } from './pkce.js';
import type { RouteContext } from './route-context.js';

/** Handler of the login-start route. */
export async function loginEmail(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, flow, client } = rc;
  const fields = await readBody(req, cfg.maxBodyBytes);
  const email = requireField(fields, 'email_address', FIELD_RULES.email, 'invalid_email');
  const organizationId = optionalField(fields, 'organization_id', FIELD_RULES.organization, 'invalid_organization_id');
  const redirectUrl = callbackUrl(req, cfg);
  const pkce = cfg.pkce ? createPkcePair() : undefined;
  // Counted only for well-formed requests, before Stytch sends anything.
  await enforceClientLimit(rc.limiters, req);
  await enforceLimit(rc.limiters.email, email.toLowerCase());

  if (organizationId !== undefined) {
    await client.magicLinks.email.loginOrSignup({
      organization_id: organizationId,
      email_address: email,
      login_redirect_url: redirectUrl,
      signup_redirect_url: redirectUrl,
      ...(pkce === undefined ? {} : { pkce_code_challenge: pkce.challenge }),
    });
  } else {
    await client.magicLinks.email.discovery.send({
      email_address: email,
      discovery_redirect_url: redirectUrl,
      ...(pkce === undefined ? {} : { pkce_code_challenge: pkce.challenge }),
    });
  }
  // Only after Stytch accepted: a failed send must not leave a transaction behind.
  if (pkce !== undefined) {
    flow.setPkceVerifier(req, res, pkce.verifier);
    // The verifier only proves "this browser started a login"; links made without a challenge
    // (invites, email updates) ignore it, so the callback also checks it is this address's link.
    flow.setLoginEmail(req, res, email);
  }
  // return_to is bound now and re-validated on use; one on the callback URL is ignored.
  flow.setReturnTo(req, res, fields.return_to);
  logEvent(rc.logger, 'info', 'stytch.routes.login_email_sent', { discovery: organizationId === undefined, organizationId });

  // The same answer whether the member existed or not: no account enumeration.
  if (wantsRedirect(req)) {
    redirect(res, withQuery(cfg.loginUrl, 'status', 'email_sent'), true);
    return;
  }
  sendJson(res, 202, { status: 'email_sent' });
}
