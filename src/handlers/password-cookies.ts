/**
 * The password-reset flow's own short-lived cookies, apart from the login flow's: the PKCE
 * verifier of a reset this browser asked for, and the reset token a reset link delivered (kept
 * HttpOnly so the token never reaches the page, its URL or its referrers). 10 minutes, cleared
 * when the reset finishes or the token is dead.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookie, readSingleCookie } from '../middleware/cookies.js';
import type { RouteContext } from './route-context.js';
import { TRANSIENT_MAX_AGE_SECONDS } from './transient.js';

/** Which reset call the token is for. */
export type ResetKind = 'org' | 'discovery';

export interface PendingReset {
  kind: ResetKind;
  token: string;
}

// Stytch tokens are URL-safe strings; anything else is refused before any upstream call.
export const RESET_TOKEN_SHAPE = /^[A-Za-z0-9_.~=+-]{8,512}$/;
const VERIFIER_SHAPE = /^[A-Za-z0-9_-]{43,128}$/;

function names(req: IncomingMessage, rc: RouteContext): { token: string; pkce: string } {
  const prefix = rc.flow.prefixFor(req);
  return { token: `${prefix}stytch_password_reset`, pkce: `${prefix}stytch_password_reset_pkce` };
}

function clearIfSent(req: IncomingMessage, res: ServerResponse, rc: RouteContext, name: string): void {
  if (readCookie(req, name).kind !== 'absent') rc.cookies.clear(req, res, name);
}

export function setResetVerifier(req: IncomingMessage, res: ServerResponse, rc: RouteContext, verifier: string): void {
  rc.cookies.set(req, res, names(req, rc).pkce, verifier, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

/** The verifier of this browser's reset, when it is shaped like ours. Not cleared: a weak password may be retried. */
export function readResetVerifier(req: IncomingMessage, rc: RouteContext): string | undefined {
  const value = readSingleCookie(req, names(req, rc).pkce);
  return value !== undefined && VERIFIER_SHAPE.test(value) ? value : undefined;
}

export function setPendingReset(req: IncomingMessage, res: ServerResponse, rc: RouteContext, reset: PendingReset): void {
  rc.cookies.set(req, res, names(req, rc).token, `${reset.kind === 'org' ? 'o' : 'd'}.${reset.token}`, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

export function readPendingReset(req: IncomingMessage, rc: RouteContext): PendingReset | undefined {
  const value = readSingleCookie(req, names(req, rc).token);
  if (value === undefined) return undefined;
  const kind = value.startsWith('o.') ? 'org' : value.startsWith('d.') ? 'discovery' : undefined;
  const token = value.slice(2);
  return kind !== undefined && RESET_TOKEN_SHAPE.test(token) ? { kind, token } : undefined;
}

/** Forget the reset (finished, or its token is dead). */
export function clearReset(req: IncomingMessage, res: ServerResponse, rc: RouteContext): void {
  const n = names(req, rc);
  clearIfSent(req, res, rc, n.token);
  clearIfSent(req, res, rc, n.pkce);
}
