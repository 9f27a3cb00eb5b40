/**
 * `POST /logout`: revoke the session at Stytch (best effort) and clear every cookie these
 * routes and `stytchAuth()` own. Cookies are cleared even when Stytch is down;
 * the failure is logged. `GET /logout` is 405 (a link or an image must not log anyone out).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readSingleCookie } from '../middleware/cookies.js';
import { redirect, sendEmpty, wantsRedirect } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { readBody } from './body.js';
import type { FormFields } from './body.js';
import { revokeBestEffort } from './flow.js';
import type { RouteContext } from './route-context.js';

/** Handler of the logout route. */
export async function logout(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, auth } = rc;
  let fields: FormFields;
  try {
    fields = await readBody(req, cfg.maxBodyBytes);
  } catch {
    fields = {}; // a bad body must not keep anyone signed in
  }
  let revoked = false;
  const revokeCookieSession = async (): Promise<boolean> => {
    const token = readSingleCookie(req, cfg.sessionCookies.token);
    const jwt = readSingleCookie(req, cfg.sessionCookies.jwt);
    if (token !== undefined) return revokeBestEffort(rc, { session_token: token });
    if (jwt !== undefined) return revokeBestEffort(rc, { session_jwt: jwt });
    return false;
  };
  if (auth.isAuthenticated) {
    revoked = await revokeBestEffort(rc, { member_session_id: auth.sessionId });
    // Close the rest of the JWT's lifetime in this process too.
    rc.instance.context.forgetSession(auth.sessionId);
    // The bearer decided who this is, but the session cookies cleared below are a session too:
    // revoke it rather than leave it alive at Stytch with only this browser's copy gone.
    if (auth.credential === 'bearer') await revokeCookieSession();
  } else if (auth.status === 'undecided') {
    // Stytch could not be asked who this is; still try to revoke what the browser holds.
    revoked = await revokeCookieSession();
  }
  rc.cookies.clearSession(req, res);
  rc.flow.clearAll(req, res);
  logEvent(rc.logger, 'info', 'stytch.routes.logout', {
    revoked,
    ...(auth.isAuthenticated ? { memberId: auth.memberId, organizationId: auth.organizationId } : {}),
  });
  if (wantsRedirect(req)) {
    redirect(res, safeReturnTo(fields.return_to, cfg.afterLogoutUrl), true);
    return;
  }
  sendEmpty(res, 204);
}
