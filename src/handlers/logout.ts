/**
 * `POST /logout`: revoke the session at Stytch (best effort) and clear every cookie these
 * routes and `stytchAuth()` own. Cookies are cleared even when Stytch is down (catalogue #70);
 * the failure is logged. `GET /logout` is 405 (a link or an image must not log anyone out).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getStytchAuth } from '../middleware/auth-object.js';
import { getStytchContext } from '../middleware/context.js';
import { clearSessionCookies, readCookie } from '../middleware/cookies.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { readBody } from './body.js';
import type { FormFields } from './body.js';
import { revokeBestEffort } from './flow.js';
import type { ResolvedRoutesConfig } from './options.js';
import { redirect, sendEmpty, wantsRedirect } from './responses.js';
import { clearAllTransient } from './transient.js';

/** Handler of the logout route. */
export async function logout(req: IncomingMessage, res: ServerResponse, cfg: ResolvedRoutesConfig): Promise<void> {
  let fields: FormFields;
  try {
    fields = await readBody(req, cfg.maxBodyBytes);
  } catch {
    fields = {}; // a bad body must not keep anyone signed in
  }
  const ctx = getStytchContext(req);
  const auth = getStytchAuth(req);
  let revoked = false;
  const revokeCookieSession = async (): Promise<boolean> => {
    const token = readCookie(req, ctx.config.cookies.token);
    const jwt = readCookie(req, ctx.config.cookies.jwt);
    if (token !== undefined && token !== 'duplicate' && token !== '') return revokeBestEffort(req, { session_token: token });
    if (jwt !== undefined && jwt !== 'duplicate' && jwt !== '') return revokeBestEffort(req, { session_jwt: jwt });
    return false;
  };
  if (auth.isAuthenticated) {
    revoked = await revokeBestEffort(req, { member_session_id: auth.sessionId });
    // Close the rest of the JWT's lifetime in this process too.
    ctx.forgetSession(auth.sessionId);
    // The bearer decided who this is, but the session cookies cleared below are a session too:
    // revoke it rather than leave it alive at Stytch with only this browser's copy gone.
    if (auth.credential === 'bearer') await revokeCookieSession();
  } else if (auth.status === 'undecided') {
    // Stytch could not be asked who this is; still try to revoke what the browser holds.
    revoked = await revokeCookieSession();
  }
  clearSessionCookies(req, res);
  clearAllTransient(req, res);
  logEvent(ctx.logger, 'info', 'stytch.routes.logout', {
    revoked,
    ...(auth.isAuthenticated ? { memberId: auth.memberId, organizationId: auth.organizationId } : {}),
  });
  if (wantsRedirect(req)) {
    redirect(res, safeReturnTo(fields.return_to, cfg.afterLogoutUrl));
    return;
  }
  sendEmpty(res, 204);
}
