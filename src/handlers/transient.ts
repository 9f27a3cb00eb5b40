/**
 * Short-lived cookies owned by the login routes: the PKCE verifier, the `return_to` bound at
 * login start, and the pending-MFA hints (member/org ids and what the member can use). All are
 * HttpOnly, 10 minutes at most, and cleared when the flow they belong to ends.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clearCookie, readCookie, setCookie } from '../middleware/cookies.js';
import { getStytchContext } from '../middleware/context.js';
import { isSafeReturnTo } from '../session/return-to.js';
import { FIELD_RULES } from './body.js';

/** Lifetime of every transient cookie: Stytch's IST lifetime (reference 5.12). */
export const TRANSIENT_MAX_AGE_SECONDS = 600;

/** Cookie names, with the configured `__Host-`/`__Secure-` prefix. */
export function transientCookieNames(req: IncomingMessage): { pkce: string; loginEmail: string; returnTo: string; mfa: string; emailUpdate: string; ist: string } {
  const { cookies } = getStytchContext(req).config;
  const prefix = cookies.prefix ?? '';
  return {
    pkce: `${prefix}stytch_pkce_verifier`,
    loginEmail: `${prefix}stytch_login_email`,
    returnTo: `${prefix}stytch_return_to`,
    mfa: `${prefix}stytch_mfa_pending`,
    emailUpdate: `${prefix}stytch_email_update`,
    ist: cookies.ist,
  };
}

/** A cookie value, treating a duplicated (possibly planted) cookie as absent. */
export function readSingleCookie(req: IncomingMessage, name: string): string | undefined {
  const value = readCookie(req, name);
  return value === 'duplicate' || value === '' ? undefined : value;
}

/** Store the PKCE verifier for the callback of this browser. */
export function setPkceVerifier(req: IncomingMessage, res: ServerResponse, verifier: string): void {
  setCookie(req, res, transientCookieNames(req).pkce, verifier, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

/**
 * Read the PKCE verifier and delete its cookie in the same answer: single use whatever happens
 * next (catalogue #75). Only a verifier shaped like ours (43 base64url chars) is returned.
 */
export function takePkceVerifier(req: IncomingMessage, res: ServerResponse): string | undefined {
  const name = transientCookieNames(req).pkce;
  const raw = readCookie(req, name);
  if (raw !== undefined) clearCookie(req, res, name);
  if (raw === undefined || raw === 'duplicate') return undefined;
  return /^[A-Za-z0-9_-]{43,128}$/.test(raw) ? raw : undefined;
}

/** The stored form of an address: a SHA-256 of its lowercased form (the cookie never holds the address). */
function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url');
}

/** Remember which address this browser asked a login link for (same lifetime as the verifier). */
export function setLoginEmail(req: IncomingMessage, res: ServerResponse, email: string): void {
  setCookie(req, res, transientCookieNames(req).loginEmail, emailDigest(email), { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

/**
 * Read and delete the address bound at login start (single use, like the verifier). Returns a
 * checker: true when `email` is the address this browser asked for, or when no address was bound.
 */
export function takeLoginEmail(req: IncomingMessage, res: ServerResponse): (email: unknown) => boolean {
  const name = transientCookieNames(req).loginEmail;
  const raw = readCookie(req, name);
  if (raw !== undefined) clearCookie(req, res, name);
  if (raw === undefined) return () => true;
  if (raw === 'duplicate' || !/^[A-Za-z0-9_-]{43}$/.test(raw)) return () => false;
  return (email) => typeof email === 'string' && emailDigest(email) === raw;
}

/**
 * Bind a validated `return_to` to this login. Stored base64url-encoded so no cookie encoding
 * quirk can alter the path; an unsafe value is simply not stored (the default will be used).
 */
export function setReturnTo(req: IncomingMessage, res: ServerResponse, returnTo: string | undefined): void {
  const name = transientCookieNames(req).returnTo;
  // Always written, even without a target ('-'): its presence also marks "a login was started
  // in this browser", which tells a fresh callback from a stale one when PKCE is off.
  const value = returnTo !== undefined && isSafeReturnTo(returnTo) ? Buffer.from(returnTo, 'utf8').toString('base64url') : '-';
  setCookie(req, res, name, value, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

/** True when this browser started a login (the return_to cookie exists) in the last 10 minutes. */
export function hasLoginTransaction(req: IncomingMessage): boolean {
  return readSingleCookie(req, transientCookieNames(req).returnTo) !== undefined;
}

/** The bound `return_to`, re-validated on use (the cookie is client-controlled), or undefined. */
export function peekReturnTo(req: IncomingMessage): string | undefined {
  const raw = readSingleCookie(req, transientCookieNames(req).returnTo);
  if (raw === undefined || !/^[A-Za-z0-9_-]{1,4096}$/.test(raw)) return undefined;
  const decoded = Buffer.from(raw, 'base64url').toString('utf8');
  return isSafeReturnTo(decoded) ? decoded : undefined;
}

/** What the pending MFA step needs; hints only (Stytch enforces that the IST belongs to the member). */
export interface PendingMfa {
  memberId: string;
  organizationId: string;
  /** Masked phone number, e.g. `*******4567`, or '' when the member has none. */
  phoneHint: string;
  /** Stytch already sent an SMS code during primary authentication. */
  smsSent: boolean;
  /** The member has a TOTP registration. */
  totpRegistered: boolean;
}

/** Mask all but the last four digits of a phone number. */
export function maskPhone(phone: string | undefined | null): string {
  if (phone === undefined || phone === null || phone === '') return '';
  const digits = phone.replace(/[^0-9]/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}

export function setPendingMfa(req: IncomingMessage, res: ServerResponse, pending: PendingMfa): void {
  const value = Buffer.from(
    JSON.stringify({ m: pending.memberId, o: pending.organizationId, p: pending.phoneHint, s: pending.smsSent, t: pending.totpRegistered }),
    'utf8',
  ).toString('base64url');
  setCookie(req, res, transientCookieNames(req).mfa, value, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

const MEMBER_ID = /^[A-Za-z0-9._~-]{2,128}$/;

/** The pending-MFA hints, strictly parsed; anything odd reads as none. */
export function readPendingMfa(req: IncomingMessage): PendingMfa | undefined {
  const raw = readSingleCookie(req, transientCookieNames(req).mfa);
  if (raw === undefined || !/^[A-Za-z0-9_-]{1,2048}$/.test(raw)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { m, o, p, s, t } = parsed as Record<string, unknown>;
  if (typeof m !== 'string' || !MEMBER_ID.test(m)) return undefined;
  if (typeof o !== 'string' || !FIELD_RULES.organization.test(o)) return undefined;
  return {
    memberId: m,
    organizationId: o,
    phoneHint: typeof p === 'string' && /^[*0-9]{0,20}$/.test(p) ? p : '',
    smsSent: s === true,
    totpRegistered: t === true,
  };
}

/** Store the intermediate session token (HttpOnly, 10 minutes). */
export function setIst(req: IncomingMessage, res: ServerResponse, ist: string): void {
  setCookie(req, res, transientCookieNames(req).ist, ist, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

/** The IST, read only from its cookie (never query, body or header; catalogue #80). */
export function readIst(req: IncomingMessage): string | undefined {
  return readSingleCookie(req, transientCookieNames(req).ist);
}

/** Forget the IST and the MFA hints (flow finished, failed for good, or replaced). */
export function clearIntermediateState(req: IncomingMessage, res: ServerResponse): void {
  const names = transientCookieNames(req);
  if (readCookie(req, names.ist) !== undefined) clearCookie(req, res, names.ist);
  if (readCookie(req, names.mfa) !== undefined) clearCookie(req, res, names.mfa);
}

/** Forget every transient cookie of the login flow. */
export function clearAllTransient(req: IncomingMessage, res: ServerResponse): void {
  const names = transientCookieNames(req);
  for (const name of [names.ist, names.mfa, names.pkce, names.loginEmail, names.returnTo, names.emailUpdate]) clearCookie(req, res, name);
}

/** Forget the bound return_to (after it was used). */
export function clearReturnTo(req: IncomingMessage, res: ServerResponse): void {
  const name = transientCookieNames(req).returnTo;
  if (readCookie(req, name) !== undefined) clearCookie(req, res, name);
}

/**
 * Mark that this browser's member asked for an email change: its verification link comes back
 * through the callback without a PKCE verifier (start_email_update takes no challenge).
 */
export function setEmailUpdatePending(req: IncomingMessage, res: ServerResponse, memberId: string): void {
  setCookie(req, res, transientCookieNames(req).emailUpdate, memberId, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
}

/** Read and delete the email-update marker (single use). */
export function takeEmailUpdatePending(req: IncomingMessage, res: ServerResponse): string | undefined {
  const name = transientCookieNames(req).emailUpdate;
  const raw = readCookie(req, name);
  if (raw === undefined) return undefined;
  clearCookie(req, res, name);
  return raw !== 'duplicate' && MEMBER_ID.test(raw) ? raw : undefined;
}
