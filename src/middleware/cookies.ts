import type { IncomingMessage, ServerResponse } from 'node:http';
import { serialize } from 'cookie';
import { logEvent } from '../session/logger.js';
import { scanCookieHeader } from '../session/credentials.js';
import { getStytchContext } from './context.js';
import type { StytchContextConfig } from './context.js';

/**
 * Browsers drop a cookie whose name, value and attributes exceed 4096 bytes (RFC 6265 5.3
 * "at least 4096 bytes per cookie"; catalogue #65). We never emit one that would be dropped silently.
 */
export const MAX_COOKIE_BYTES = 4096;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Whether cookies written on this response get `Secure`. Decided from the socket and the Host,
 * never from a client header unless `trustProxy` is configured (catalogue #66): only a plain-HTTP
 * connection that is really on loopback (local address) *and* addressed to a loopback Host name
 * goes without `Secure`, so local development over http://localhost works.
 */
export function isSecureRequest(req: IncomingMessage, config: Pick<StytchContextConfig, 'secure' | 'trustProxy'>): boolean {
  if (config.secure === true) return true;
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  if (socket?.encrypted === true) return true;
  if (config.trustProxy) {
    const proto = req.headers['x-forwarded-proto'];
    const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
    if (first === 'https') return true;
  }
  const local = socket?.localAddress;
  if (local === undefined || !LOOPBACK_ADDRESSES.has(local)) return true;
  return !LOOPBACK_HOSTS.has(hostName(req.headers.host));
}

function hostName(host: string | undefined): string {
  if (host === undefined) return '';
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    return end === -1 ? lower : lower.slice(0, end + 1);
  }
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

/** Append one `Set-Cookie` line, keeping the ones already set (Express 4, 5 and Connect alike). */
function appendSetCookie(res: ServerResponse, line: string): boolean {
  if (res.headersSent) return false;
  const previous = res.getHeader('Set-Cookie');
  if (previous === undefined) res.setHeader('Set-Cookie', [line]);
  else if (Array.isArray(previous)) res.setHeader('Set-Cookie', [...previous, line]);
  else res.setHeader('Set-Cookie', [String(previous), line]);
  return true;
}

function noStore(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Cache-Control', 'no-store');
}

function attributes(req: IncomingMessage, config: StytchContextConfig, path: string | undefined, httpOnly: boolean) {
  return {
    httpOnly,
    secure: isSecureRequest(req, config),
    sameSite: config.sameSite,
    path: path ?? config.path,
    ...(config.domain === undefined ? {} : { domain: config.domain }),
  } as const;
}

/**
 * Write a cookie with the library's attributes: HttpOnly (unless turned off), Secure (see
 * {@link isSecureRequest}), the configured SameSite, Path and Domain, and `Max-Age`.
 * Also sets `Cache-Control: no-store`.
 *
 * @param maxAgeSeconds - lifetime; 0 or less clears the cookie.
 * @throws TypeError when the name or value holds characters a cookie cannot carry.
 * @example
 * setCookie(req, res, 'stytch_pkce_verifier', verifier, { maxAgeSeconds: 600 });
 */
export function setCookie(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  value: string,
  options: { maxAgeSeconds: number; httpOnly?: boolean; path?: string },
): void {
  const { config } = getStytchContext(req);
  if (!(options.maxAgeSeconds > 0)) {
    clearCookie(req, res, name, options.path === undefined ? undefined : { path: options.path });
    return;
  }
  const line = serialize(name, value, { ...attributes(req, config, options.path, options.httpOnly ?? true), maxAge: Math.floor(options.maxAgeSeconds) });
  appendSetCookie(res, line);
  noStore(res);
}

/**
 * Expire a cookie with the same Path, Domain, Secure and SameSite it was written with
 * (catalogue #68), so the browser really drops it.
 *
 * @example
 * clearCookie(req, res, 'stytch_intermediate_session_token');
 */
export function clearCookie(req: IncomingMessage, res: ServerResponse, name: string, options?: { path?: string }): void {
  const { config } = getStytchContext(req);
  const line = serialize(name, '', { ...attributes(req, config, options?.path, true), maxAge: 0, expires: new Date(0) });
  appendSetCookie(res, line);
  noStore(res);
}

/**
 * Write both session cookies after a login or a refresh. Lifetime is capped at the session's
 * `expires_at` (catalogue #64). A JWT cookie that would exceed {@link MAX_COOKIE_BYTES} is not
 * written (the browser would drop it silently): the opaque token cookie alone carries the session,
 * any older JWT cookie is cleared so it cannot shadow the new token, and a warning is logged.
 *
 * @example
 * const r = await client.magicLinks.authenticate({ magic_links_token });
 * setSessionCookies(req, res, { ...r, expires_at: r.member_session.expires_at });
 */
export function setSessionCookies(
  req: IncomingMessage,
  res: ServerResponse,
  session: { session_token: string; session_jwt: string; expires_at: string | Date },
): void {
  const ctx = getStytchContext(req);
  const { config } = ctx;
  const expiresAt = session.expires_at instanceof Date ? session.expires_at : new Date(session.expires_at);
  const maxAge = Math.floor((expiresAt.getTime() - ctx.now()) / 1000);
  if (!Number.isFinite(maxAge) || maxAge <= 0) {
    clearSessionCookies(req, res);
    return;
  }
  const attrs = { ...attributes(req, config, undefined, true), maxAge, expires: expiresAt };
  if (session.session_jwt !== '') {
    const jwtLine = serialize(config.cookies.jwt, session.session_jwt, attrs);
    if (jwtLine.length > MAX_COOKIE_BYTES) {
      logEvent(ctx.logger, 'warn', 'session_jwt_cookie_too_large', { bytes: jwtLine.length, limit: MAX_COOKIE_BYTES });
      appendSetCookie(res, serialize(config.cookies.jwt, '', { ...attributes(req, config, undefined, true), maxAge: 0, expires: new Date(0) }));
    } else {
      appendSetCookie(res, jwtLine);
    }
  }
  if (session.session_token !== '') appendSetCookie(res, serialize(config.cookies.token, session.session_token, attrs));
  noStore(res);
}

/**
 * Clear both session cookies (logout, or a credential that is definitely invalid).
 *
 * @example
 * clearSessionCookies(req, res);
 */
export function clearSessionCookies(req: IncomingMessage, res: ServerResponse): void {
  const { config } = getStytchContext(req);
  clearCookie(req, res, config.cookies.jwt);
  clearCookie(req, res, config.cookies.token);
}

/**
 * Read one cookie from the request's `Cookie` header without parsing the others.
 * Returns `'duplicate'` when the name appears more than once with different values (a planted
 * cookie, catalogue #5): callers must treat that as no credential, never pick one. A value that
 * is not valid percent-encoding reads as undefined.
 *
 * @example
 * const ist = readCookie(req, 'stytch_intermediate_session_token');
 * if (ist === undefined || ist === 'duplicate') throw new AuthenticationError('intermediate_session_missing');
 */
// The 'duplicate' sentinel is spelled out in the type on purpose: it documents the contract.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export function readCookie(req: IncomingMessage, name: string): string | undefined | 'duplicate' {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  const raw = scanCookieHeader(header, name);
  if (raw === undefined || raw === 'duplicate') return raw;
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
