/**
 * Links this browser did not ask for (an invitation, an email change opened on another device).
 *
 * - Opening one (GET) spends nothing: the browser gets a "Continue" page whose POST to `/join`
 *   (`action: 'continue'`) redeems the token. Mail scanners and link previews open links with a
 *   GET, and a single-use invitation they opened first would be dead for the person it was for.
 * - "Join <organization>?": the link was for a member other than the one signed in here. The new
 *   session is held in a short-lived HttpOnly cookie and becomes this browser's session only
 *   through `POST /join` (`action: 'join'`, CSRF-checked like every route POST): a link planted
 *   in a victim's mail or page cannot sign their browser in silently.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrimaryAuthenticateResponse } from '../client/types.js';
import { AuthenticationError, BadRequestError } from '../errors.js';
import { escapeHtml, redirect, sendHtml, sendJson, wantsRedirect } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import type { FormFields } from './body.js';
import { mountPath } from './callback-url.js';
import { establishSession, revokeBestEffort, sendOutcome } from './flow.js';
import type { RouteContext } from './route-context.js';

/** The page of a link this browser did not start: nothing is spent until its POST. */
export function offerLink(req: IncomingMessage, res: ServerResponse, rc: RouteContext, token: string): void {
  const action = `${mountPath(req)}${rc.cfg.paths.join ?? '/join'}`;
  sendHtml(
    res,
    200,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Continue signing in?</title></head><body>` +
      `<main><h1>Continue signing in?</h1><p>You opened a sign-in or invitation link. Continue to see where it signs you in.</p>` +
      `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="token" value="${escapeHtml(token)}">` +
      `<button type="submit" name="action" value="continue">Continue</button></form></main></body></html>`,
    { postsForm: true },
  );
}

/** Hold a new session and answer the confirmation page. */
export function offerJoin(req: IncomingMessage, res: ServerResponse, rc: RouteContext, result: PrimaryAuthenticateResponse): void {
  const organization = result.organization;
  rc.flow.setPendingJoin(req, res, {
    sessionToken: result.session_token,
    organizationId: organization.organization_id,
    organizationName: organization.organization_name,
    memberEmail: result.member?.email_address ?? '',
  });
  const action = `${mountPath(req)}${rc.cfg.paths.join ?? '/join'}`;
  const name = escapeHtml(organization.organization_name);
  const email = escapeHtml(result.member?.email_address ?? '');
  sendHtml(
    res,
    200,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Join ${name}?</title></head><body>` +
      `<main><h1>Join ${name}?</h1><p>This link signs you in to <strong>${name}</strong> as <strong>${email}</strong>.</p>` +
      `<p>If you did not expect this, choose "No".</p>` +
      `<form method="post" action="${escapeHtml(action)}"><button type="submit" name="action" value="join">Join ${name}</button> ` +
      `<button type="submit" name="action" value="decline">No</button></form></main></body></html>`,
    { postsForm: true },
  );
}

/** `POST /join` `{ action: 'join' | 'decline' }`: finish or drop the held session (`continue` is the callback's, see callback.ts). */
export async function confirmJoin(req: IncomingMessage, res: ServerResponse, rc: RouteContext, fields: FormFields): Promise<void> {
  const action = fields.action;
  if (action !== 'join' && action !== 'decline') throw new BadRequestError('invalid_action', 'Field action must be join, decline or continue.');
  const pending = rc.flow.readPendingJoin(req);
  if (pending === undefined) throw new AuthenticationError('join_not_pending', 'Nothing is waiting to be joined. Open the link again.');
  rc.flow.clearPendingJoin(req, res);
  if (action === 'decline') {
    await revokeBestEffort(rc, { session_token: pending.sessionToken });
    logEvent(rc.logger, 'info', 'stytch.routes.join', { outcome: 'declined', organizationId: pending.organizationId });
    if (wantsRedirect(req)) {
      redirect(res, rc.cfg.loginUrl, true);
      return;
    }
    sendJson(res, 200, { status: 'declined' });
    return;
  }
  // The held token is checked again: it may have been revoked or expired while the page was open.
  const session = await rc.client.sessions.authenticate({ session_token: pending.sessionToken });
  const outcome = await establishSession(req, res, rc, session, 'magic_link', { returnTo: undefined });
  sendOutcome(req, res, outcome);
}
