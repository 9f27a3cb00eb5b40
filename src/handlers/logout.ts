/**
 * `POST /logout`: revoke the session at Stytch and clear every cookie these routes and
 * `stytchAuth()` own. Cookies are cleared even when Stytch is down, and the logout holds anyway:
 * this process refuses the session until its own expiry, the revoke is retried in the background
 * until Stytch confirms, and the answer says whether the revoke is `confirmed` or `pending`.
 * `GET /logout` is 405 (a link or an image must not log anyone out).
 *
 * With `everywhere=true` (form or JSON string) a signed-in member is signed out of every session:
 * Stytch revokes them all, and the `store` refuses every session the member started until now
 * (with Redis: on every instance).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readSingleCookie } from '../middleware/cookies.js';
import { redirect, sendJson, wantsRedirect, withQuery } from '../middleware/respond.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import type { RevocationTarget } from '../session/revocations.js';
import { readBody } from './body.js';
import type { FormFields } from './body.js';
import { revokeBestEffort } from './flow.js';
import type { RouteContext } from './route-context.js';

/** How long a credential-only revoke (Stytch unreachable, session id unknown) keeps being retried. */
const UNKNOWN_SESSION_RETRY_MS = 24 * 3_600_000;
/** "Sign out everywhere": the fleet refuses the member's older sessions this long once Stytch confirmed (longer than any JWT lives)... */
const EVERYWHERE_CONFIRMED_MS = 600_000;
/** ...and this long when Stytch could not be told (its sessions may still be refreshed there). */
const EVERYWHERE_PENDING_MS = 24 * 3_600_000;
/** Values of the `everywhere` field that ask to sign out every session of the member (a checkbox sends `on`). */
const YES: ReadonlySet<string> = new Set(['true', '1', 'on', 'yes']);

/** Whether Stytch confirmed the revoke: `none` when there was no session to revoke. */
export type RevocationState = 'confirmed' | 'pending' | 'none';

/** Handler of the logout route. */
export async function logout(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
  const { cfg, auth } = rc;
  const { revocations, context } = rc.instance;
  let fields: FormFields;
  try {
    fields = await readBody(req, cfg.maxBodyBytes);
  } catch {
    fields = {}; // a bad body must not keep anyone signed in
  }
  const cookieTarget = (): RevocationTarget | undefined => {
    const token = readSingleCookie(req, cfg.sessionCookies.token);
    if (token !== undefined) return { session_token: token };
    const jwt = readSingleCookie(req, cfg.sessionCookies.jwt);
    return jwt === undefined ? undefined : { session_jwt: jwt };
  };
  /** Revoke now; on failure keep trying in the background. Returns the state to report. */
  const revoke = async (key: string, target: RevocationTarget, untilMs: number): Promise<RevocationState> => {
    if (await revokeBestEffort(rc, target)) return 'confirmed';
    revocations.add(key, target, untilMs);
    return 'pending';
  };
  let revocation: RevocationState = 'none';
  if (auth.isAuthenticated) {
    const expiresAt = auth.sessionExpiresAt.getTime();
    // Refused by this process from now on, whatever Stytch answers, until the session's own end.
    context.forgetSession(auth.sessionId, expiresAt);
    revocation = await revoke(auth.sessionId, { member_session_id: auth.sessionId }, expiresAt);
    // Stytch may still refresh it for another instance: the fleet refuses it until its own end too.
    if (revocation === 'pending') void rc.instance.store.revoke('session', auth.sessionId, expiresAt).catch(() => undefined);
    if (YES.has(fields.everywhere ?? '')) {
      // Published before Stytch is asked, so the fleet refuses them at once; extended if Stytch fails.
      const { store } = rc.instance;
      void store.revoke('member', auth.memberId, rc.now() + EVERYWHERE_CONFIRMED_MS).catch(() => undefined);
      if (!(await revokeBestEffort(rc, { member_id: auth.memberId }))) {
        revocation = 'pending';
        void store.revoke('member', auth.memberId, rc.now() + EVERYWHERE_PENDING_MS).catch(() => undefined);
      }
    }
    // The bearer decided who this is, but the session cookies cleared below are a session too:
    // revoke it rather than leave it alive at Stytch with only this browser's copy gone.
    if (auth.credential === 'bearer') {
      const target = cookieTarget();
      if (target !== undefined && (await revoke(keyOf(target), target, rc.now() + UNKNOWN_SESSION_RETRY_MS)) === 'pending') revocation = 'pending';
    }
  } else if (auth.status === 'undecided') {
    // Stytch could not be asked who this is; still revoke what the browser holds.
    const target = cookieTarget();
    if (target !== undefined) revocation = await revoke(keyOf(target), target, rc.now() + UNKNOWN_SESSION_RETRY_MS);
  }
  rc.cookies.clearSession(req, res);
  rc.flow.clearAll(req, res);
  logEvent(rc.logger, revocation === 'pending' ? 'warn' : 'info', 'stytch.routes.logout', {
    revocation,
    ...(auth.isAuthenticated ? { memberId: auth.memberId, organizationId: auth.organizationId } : {}),
  });
  if (wantsRedirect(req)) {
    const target = safeReturnTo(fields.return_to, cfg.afterLogoutUrl);
    redirect(res, revocation === 'pending' ? withQuery(target, 'revocation', 'pending') : target, true);
    return;
  }
  sendJson(res, 200, { status: 'signed_out', revocation });
}

/** A retry key for a credential: a digest, never the token itself (keys may be logged). */
function keyOf(target: RevocationTarget): string {
  const value = 'member_session_id' in target ? target.member_session_id : 'session_token' in target ? target.session_token : target.session_jwt;
  return `credential:${createHash('sha256').update(value).digest('base64url')}`;
}
