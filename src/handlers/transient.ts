/**
 * Short-lived cookies owned by the login routes: one per started flow (its PKCE verifier and
 * bindings, `stytch_flow_<id>`), the `return_to` carried into an MFA or discovery step, the
 * pending-MFA hints (member/org ids and what the member can use) and a held join confirmation. All are
 * HttpOnly, 10 minutes at most, and cleared when the flow they belong to ends. One instance per
 * router and `stytchAuth()` pair, built once with its names and cookie writer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookie, readSingleCookie } from '../middleware/cookies.js';
import type { CookieWriter } from '../middleware/types.js';
import { isSafeReturnTo } from '../session/return-to.js';
import { FLOW_ID, decodeFlowRecord, encodeFlowRecord } from '../session/flow-record.js';
import type { FlowRecord } from '../session/flow-record.js';
import { FIELD_RULES } from './body.js';

/** Lifetime of every transient cookie: Stytch's IST lifetime (reference 5.12). */
export const TRANSIENT_MAX_AGE_SECONDS = 600;

/** Names of the routes' own cookies, with the configured `__Host-`/`__Secure-` prefix. */
export interface TransientCookieNames {
  /** Per-flow cookies are `<flowPrefix><flow id>`. */
  readonly flowPrefix: string;
  readonly returnTo: string;
  readonly mfa: string;
  /** A session held until the member confirms joining an organization they did not ask for. */
  readonly join: string;
  readonly ist: string;
}

/** The routes' cookie names for a prefix and IST cookie name. */
export function transientCookieNames(prefix: string | undefined, ist: string): TransientCookieNames {
  const p = prefix ?? '';
  return Object.freeze({
    flowPrefix: `${p}stytch_flow_`,
    returnTo: `${p}stytch_return_to`,
    mfa: `${p}stytch_mfa_pending`,
    join: `${p}stytch_join_pending`,
    ist,
  });
}

/** At most this many flows per browser; starting one more drops the oldest. */
export const MAX_PENDING_FLOWS = 5;

/** A flow read back from its cookie. */
export interface PendingFlow {
  readonly id: string;
  readonly record: FlowRecord;
}

/** A login result held until the member confirms it (see the join route). */
export interface PendingJoin {
  sessionToken: string;
  organizationId: string;
  organizationName: string;
  memberEmail: string;
}

/** Names of every cookie in the request's Cookie header (duplicates once). */
function cookieNames(req: IncomingMessage): string[] {
  const header = req.headers.cookie;
  if (header === undefined) return [];
  const names = new Set<string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (name !== '') names.add(name);
  }
  return [...names];
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

const MEMBER_ID = /^[A-Za-z0-9._~-]{2,128}$/;

/** A base64url JSON object cookie of at most `maxChars`, or undefined when absent or anything odd. */
function readJsonCookie(req: IncomingMessage, name: string, maxChars: number): Record<string, unknown> | undefined {
  const raw = readSingleCookie(req, name);
  if (raw === undefined || raw.length > maxChars || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The transient cookies of one router, bound to its names and cookie writer. When the app set no
 * prefix, the cookies of a `Secure` response are named with `__Host-` (`hostNames`): a sibling
 * subdomain can then neither plant a flow, an IST or a return_to of its own in this browser
 * (cookie tossing) nor shadow ours. Plain-HTTP local development keeps the plain names, since
 * browsers refuse a `__Host-` cookie without `Secure`.
 */
export class FlowCookies {
  readonly names: TransientCookieNames;
  readonly #hostNames: TransientCookieNames | undefined;
  readonly #isSecure: (req: IncomingMessage) => boolean;
  readonly #cookies: CookieWriter;

  constructor(names: TransientCookieNames, cookies: CookieWriter, host?: { names: TransientCookieNames; isSecure: (req: IncomingMessage) => boolean }) {
    this.names = names;
    this.#cookies = cookies;
    this.#hostNames = host?.names;
    this.#isSecure = host?.isSecure ?? (() => false);
  }

  /** The prefix of this request's transient cookie names (`''`, the configured one, or `__Host-`), for the routes' other short-lived cookies. */
  prefixFor(req: IncomingMessage): string {
    const { flowPrefix } = this.#n(req);
    return flowPrefix.slice(0, flowPrefix.length - 'stytch_flow_'.length);
  }

  /** The names this request's cookies carry. */
  #n(req: IncomingMessage): TransientCookieNames {
    return this.#hostNames !== undefined && this.#isSecure(req) ? this.#hostNames : this.names;
  }

  #set(req: IncomingMessage, res: ServerResponse, name: string, value: string): void {
    this.#cookies.set(req, res, name, value, { maxAgeSeconds: TRANSIENT_MAX_AGE_SECONDS });
  }

  /** Clear a cookie only when the browser sent it (no needless Set-Cookie lines). */
  #clearIfSent(req: IncomingMessage, res: ServerResponse, name: string): void {
    if (readCookie(req, name).kind !== 'absent') this.#cookies.clear(req, res, name);
  }

  /** Store a started flow under its id (10 minutes); the oldest flows beyond the cap are dropped. */
  setFlow(req: IncomingMessage, res: ServerResponse, id: string, record: FlowRecord): void {
    const others = this.listFlows(req).filter((f) => f.id !== id);
    if (others.length >= MAX_PENDING_FLOWS) {
      others.sort((x, y) => x.record.startedAt - y.record.startedAt);
      for (const old of others.slice(0, others.length - MAX_PENDING_FLOWS + 1)) this.#cookies.clear(req, res, this.#n(req).flowPrefix + old.id);
    }
    this.#set(req, res, this.#n(req).flowPrefix + id, encodeFlowRecord(record));
  }

  /** The flow of this id when this browser started it (its cookie is present and well formed). */
  readFlow(req: IncomingMessage, id: string): FlowRecord | undefined {
    if (!FLOW_ID.test(id)) return undefined;
    const raw = readSingleCookie(req, this.#n(req).flowPrefix + id);
    return raw === undefined ? undefined : decodeFlowRecord(raw);
  }

  /** Every well-formed flow this browser holds. */
  listFlows(req: IncomingMessage): PendingFlow[] {
    const flows: PendingFlow[] = [];
    for (const name of cookieNames(req)) {
      if (!name.startsWith(this.#n(req).flowPrefix)) continue;
      const id = name.slice(this.#n(req).flowPrefix.length);
      const record = this.readFlow(req, id);
      if (record !== undefined) flows.push({ id, record });
    }
    return flows;
  }

  /** Forget one flow (it finished); the browser's other flows are left alone. */
  clearFlow(req: IncomingMessage, res: ServerResponse, id: string): void {
    this.#clearIfSent(req, res, this.#n(req).flowPrefix + id);
  }

  /** Hold a login result until the member confirms it (10 minutes). */
  setPendingJoin(req: IncomingMessage, res: ServerResponse, pending: PendingJoin): void {
    const value = Buffer.from(JSON.stringify({ s: pending.sessionToken, o: pending.organizationId, n: pending.organizationName, e: pending.memberEmail }), 'utf8').toString('base64url');
    this.#set(req, res, this.#n(req).join, value);
  }

  /** The held result, strictly parsed; anything odd reads as none. */
  readPendingJoin(req: IncomingMessage): PendingJoin | undefined {
    const parsed = readJsonCookie(req, this.#n(req).join, 3000);
    if (parsed === undefined) return undefined;
    const { s, o, n, e } = parsed;
    if (typeof s !== 'string' || !/^[A-Za-z0-9_.~=+-]{8,512}$/.test(s)) return undefined;
    if (typeof o !== 'string' || !FIELD_RULES.organization.test(o)) return undefined;
    return { sessionToken: s, organizationId: o, organizationName: typeof n === 'string' ? n.slice(0, 128) : '', memberEmail: typeof e === 'string' ? e.slice(0, 254) : '' };
  }

  /** Forget the held result. */
  clearPendingJoin(req: IncomingMessage, res: ServerResponse): void {
    this.#clearIfSent(req, res, this.#n(req).join);
  }

  /**
   * Carry a validated `return_to` into the next step of a login (MFA, organization picker).
   * Stored base64url-encoded so no cookie encoding quirk can alter the path; without a safe
   * target any earlier one is forgotten.
   */
  setReturnTo(req: IncomingMessage, res: ServerResponse, returnTo: string | undefined): void {
    if (returnTo === undefined || !isSafeReturnTo(returnTo)) {
      this.#clearIfSent(req, res, this.#n(req).returnTo);
      return;
    }
    this.#set(req, res, this.#n(req).returnTo, Buffer.from(returnTo, 'utf8').toString('base64url'));
  }

  /** The bound `return_to`, re-validated on use (the cookie is client-controlled), or undefined. */
  peekReturnTo(req: IncomingMessage): string | undefined {
    const raw = readSingleCookie(req, this.#n(req).returnTo);
    if (raw === undefined || !/^[A-Za-z0-9_-]{1,4096}$/.test(raw)) return undefined;
    const decoded = Buffer.from(raw, 'base64url').toString('utf8');
    return isSafeReturnTo(decoded) ? decoded : undefined;
  }

  /** Forget the bound return_to (after it was used). */
  clearReturnTo(req: IncomingMessage, res: ServerResponse): void {
    this.#clearIfSent(req, res, this.#n(req).returnTo);
  }

  setPendingMfa(req: IncomingMessage, res: ServerResponse, pending: PendingMfa): void {
    const value = Buffer.from(
      JSON.stringify({ m: pending.memberId, o: pending.organizationId, p: pending.phoneHint, s: pending.smsSent, t: pending.totpRegistered }),
      'utf8',
    ).toString('base64url');
    this.#set(req, res, this.#n(req).mfa, value);
  }

  /** The pending-MFA hints, strictly parsed; anything odd reads as none. */
  readPendingMfa(req: IncomingMessage): PendingMfa | undefined {
    const parsed = readJsonCookie(req, this.#n(req).mfa, 2048);
    if (parsed === undefined) return undefined;
    const { m, o, p, s, t } = parsed;
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
    this.#set(req, res, this.#n(req).ist, ist);
  }

  /** The IST, read only from its cookie (never query, body or header). */
  readIst(req: IncomingMessage): string | undefined {
    return readSingleCookie(req, this.#n(req).ist);
  }

  /** Forget the IST and the MFA hints (flow finished, failed for good, or replaced). */
  clearIntermediateState(req: IncomingMessage, res: ServerResponse): void {
    this.#clearIfSent(req, res, this.#n(req).ist);
    this.#clearIfSent(req, res, this.#n(req).mfa);
  }

  /** Forget every transient cookie of the login flow. */
  clearAll(req: IncomingMessage, res: ServerResponse): void {
    const n = this.#n(req);
    for (const name of [n.ist, n.mfa, n.returnTo, n.join]) this.#cookies.clear(req, res, name);
    for (const { id } of this.listFlows(req)) this.#cookies.clear(req, res, n.flowPrefix + id);
  }
}
