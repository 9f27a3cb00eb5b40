/**
 * Short-lived cookies owned by the login routes: the PKCE verifier, the `return_to` bound at
 * login start, and the pending-MFA hints (member/org ids and what the member can use). All are
 * HttpOnly, 10 minutes at most, and cleared when the flow they belong to ends. One instance per
 * router and `stytchAuth()` pair, built once with its names and cookie writer.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookie, readSingleCookie } from '../middleware/cookies.js';
import type { CookieWriter } from '../middleware/types.js';
import { isSafeReturnTo } from '../session/return-to.js';
import { FIELD_RULES } from './body.js';

/** Lifetime of every transient cookie: Stytch's IST lifetime (reference 5.12). */
export const TRANSIENT_MAX_AGE_SECONDS = 600;

/** Names of the routes' own cookies, with the configured `__Host-`/`__Secure-` prefix. */
export interface TransientCookieNames {
  readonly pkce: string;
  readonly loginEmail: string;
  readonly returnTo: string;
  readonly mfa: string;
  readonly emailUpdate: string;
  readonly ist: string;
}

/** The routes' cookie names for a prefix and IST cookie name. */
export function transientCookieNames(prefix: string | undefined, ist: string): TransientCookieNames {
  const p = prefix ?? '';
  return Object.freeze({
    pkce: `${p}stytch_pkce_verifier`,
    loginEmail: `${p}stytch_login_email`,
    returnTo: `${p}stytch_return_to`,
    mfa: `${p}stytch_mfa_pending`,
    emailUpdate: `${p}stytch_email_update`,
    ist,
  });
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

/** The stored form of an address: a SHA-256 of its lowercased form (the cookie never holds the address). */
function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('base64url');
}

const MEMBER_ID = /^[A-Za-z0-9._~-]{2,128}$/;

/** The transient cookies of one router, bound to its names and cookie writer. */
export class FlowCookies {
  readonly names: TransientCookieNames;
  readonly #cookies: CookieWriter;

  constructor(names: TransientCookieNames, cookies: CookieWriter) {
    this.names = names;
    this.#cookies = cookies;
  }

  #set(req: IncomingMessage, res: ServerResponse, name: string, value: string): void {
    this.#cookies.set(req, res, name, value, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
  }

  /** Clear a cookie only when the browser sent it (no needless Set-Cookie lines). */
  #clearIfSent(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (readCookie(req, name).kind !== 'absent') this.#cookies.clear(req, res, name);
  }

  /** Store the PKCE verifier for the callback of this browser. */
  setPkceVerifier(req: IncomingMessage, res: ServerResponse, verifier: string): void {
    this.#set(req, res, this.names.pkce, verifier);
  }

  /**
   * Read the PKCE verifier and delete its cookie in the same answer: single use whatever happens
   * next. Only a verifier shaped like ours (43-128 base64url chars) is returned.
   */
  takePkceVerifier(req: IncomingMessage, res: ServerResponse): string | undefined {
    const read = readCookie(req, this.names.pkce);
    if (read.kind === 'absent') return undefined;
    this.#cookies.clear(req, res, this.names.pkce);
    return read.kind === 'value' && /^[A-Za-z0-9_-]{43,128}$/.test(read.value) ? read.value : undefined;
  }

  /** Remember which address this browser asked a login link for (same lifetime as the verifier). */
  setLoginEmail(req: IncomingMessage, res: ServerResponse, email: string): void {
    this.#set(req, res, this.names.loginEmail, emailDigest(email));
  }

  /**
   * Read and delete the address bound at login start (single use, like the verifier). Returns a
   * checker: true when `email` is the address this browser asked for, or when no address was bound.
   */
  takeLoginEmail(req: IncomingMessage, res: ServerResponse): (email: unknown) => boolean {
    const read = readCookie(req, this.names.loginEmail);
    if (read.kind === 'absent') return () => true;
    this.#cookies.clear(req, res, this.names.loginEmail);
    if (read.kind === 'conflict' || !/^[A-Za-z0-9_-]{43}$/.test(read.value)) return () => false;
    return (email) => typeof email === 'string' && emailDigest(email) === read.value;
  }

  /**
   * Bind a validated `return_to` to this login. Stored base64url-encoded so no cookie encoding
   * quirk can alter the path; an unsafe value is simply not stored (the default will be used).
   */
  setReturnTo(req: IncomingMessage, res: ServerResponse, returnTo: string | undefined): void {
    // Always written, even without a target ('-'): its presence also marks "a login was started
    // in this browser", which tells a fresh callback from a stale one when PKCE is off.
    const value = returnTo !== undefined && isSafeReturnTo(returnTo) ? Buffer.from(returnTo, 'utf8').toString('base64url') : '-';
    this.#set(req, res, this.names.returnTo, value);
  }

  /** True when this browser started a login (the return_to cookie exists) in the last 10 minutes. */
  hasLoginTransaction(req: IncomingMessage): boolean {
    return readSingleCookie(req, this.names.returnTo) !== undefined;
  }

  /** The bound `return_to`, re-validated on use (the cookie is client-controlled), or undefined. */
  peekReturnTo(req: IncomingMessage): string | undefined {
    const raw = readSingleCookie(req, this.names.returnTo);
    if (raw === undefined || !/^[A-Za-z0-9_-]{1,4096}$/.test(raw)) return undefined;
    const decoded = Buffer.from(raw, 'base64url').toString('utf8');
    return isSafeReturnTo(decoded) ? decoded : undefined;
  }

  /** Forget the bound return_to (after it was used). */
  clearReturnTo(req: IncomingMessage, res: ServerResponse): void {
    this.#clearIfSent(req, res, this.names.returnTo);
  }

  setPendingMfa(req: IncomingMessage, res: ServerResponse, pending: PendingMfa): void {
    const value = Buffer.from(
      JSON.stringify({ m: pending.memberId, o: pending.organizationId, p: pending.phoneHint, s: pending.smsSent, t: pending.totpRegistered }),
      'utf8',
    ).toString('base64url');
    this.#set(req, res, this.names.mfa, value);
  }

  /** The pending-MFA hints, strictly parsed; anything odd reads as none. */
  readPendingMfa(req: IncomingMessage): PendingMfa | undefined {
    const raw = readSingleCookie(req, this.names.mfa);
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
  setIst(req: IncomingMessage, res: ServerResponse, ist: string): void {
    this.#set(req, res, this.names.ist, ist);
  }

  /** The IST, read only from its cookie (never query, body or header). */
  readIst(req: IncomingMessage): string | undefined {
    return readSingleCookie(req, this.names.ist);
  }

  /** Forget the IST and the MFA hints (flow finished, failed for good, or replaced). */
  clearIntermediateState(req: IncomingMessage, res: ServerResponse): void {
    this.#clearIfSent(req, res, this.names.ist);
    this.#clearIfSent(req, res, this.names.mfa);
  }

  /** Forget every transient cookie of the login flow. */
  clearAll(req: IncomingMessage, res: ServerResponse): void {
    const n = this.names;
    for (const name of [n.ist, n.mfa, n.pkce, n.loginEmail, n.returnTo, n.emailUpdate]) this.#cookies.clear(req, res, name);
  }

  /**
   * Mark that this browser's member asked for an email change: its verification link comes back
   * through the callback without a PKCE verifier (start_email_update takes no challenge).
   */
  setEmailUpdatePending(req: IncomingMessage, res: ServerResponse, memberId: string): void {
    this.#set(req, res, this.names.emailUpdate, memberId);
  }

  /** Read and delete the email-update marker (single use). */
  takeEmailUpdatePending(req: IncomingMessage, res: ServerResponse): string | undefined {
    const read = readCookie(req, this.names.emailUpdate);
    if (read.kind === 'absent') return undefined;
    this.#cookies.clear(req, res, this.names.emailUpdate);
    return read.kind === 'value' && MEMBER_ID.test(read.value) ? read.value : undefined;
  }
}
