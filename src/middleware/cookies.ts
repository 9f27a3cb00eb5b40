import type { IncomingMessage, ServerResponse } from 'node:http';
import { serialize } from 'cookie';
import { MiddlewareNotMountedError } from '../errors.js';
import { COOKIE_ABSENT, scanCookieHeader } from '../session/credentials.js';
import type { CookieRead } from '../session/credentials.js';
import { logEvent } from '../session/logger.js';
import type { Logger } from '../session/logger.js';
import { findRequestState } from './request-state.js';
import type { CookieWriter, ResolvedCookieConfig } from './types.js';

/**
 * Browsers drop a cookie whose name, value and attributes exceed 4096 bytes (RFC 6265 section
 * 6.1, "at least 4096 bytes per cookie"). We never emit one that would be dropped silently.
 */
export const MAX_COOKIE_BYTES = 4096;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Headers a reverse proxy adds: a request that carries one did not come straight from a browser. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'via'] as const;

/**
 * Whether cookies written on this response get `Secure`. Decided from the socket, never from a
 * client header unless `trustProxy` is configured. `Secure` is left off only for local
 * development: outside production, on a plain-HTTP connection whose both ends are loopback,
 * addressed to a loopback Host name, with no header of a proxy. A reverse proxy on the same host
 * therefore still gets `Secure` cookies when it says it is one, and in production always does,
 * since a proxy with default settings may look exactly like a local browser.
 */
export function isSecureRequest(req: IncomingMessage, config: Pick<ResolvedCookieConfig, 'secure' | 'trustProxy' | 'insecureLoopbackAllowed'>): boolean {
  if (config.secure === true || !config.insecureLoopbackAllowed) return true;
  const socket = req.socket as (IncomingMessage['socket'] & { encrypted?: boolean }) | undefined;
  if (socket?.encrypted === true) return true;
  if (config.trustProxy) {
    const proto = req.headers['x-forwarded-proto'];
    const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
    if (first === 'https') return true;
  }
  const local = socket?.localAddress;
  const remote = socket?.remoteAddress;
  if (local === undefined || !LOOPBACK_ADDRESSES.has(local) || remote === undefined || !LOOPBACK_ADDRESSES.has(remote)) return true;
  for (const name of PROXY_HEADERS) if (req.headers[name] !== undefined) return true;
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
function appendSetCookie(res: ServerResponse, line: string): void {
  if (res.headersSent) return;
  const previous = res.getHeader('Set-Cookie');
  if (previous === undefined) res.setHeader('Set-Cookie', [line]);
  else if (Array.isArray(previous)) res.setHeader('Set-Cookie', [...previous, line]);
  else res.setHeader('Set-Cookie', [String(previous), line]);
  // A response that sets a credential must never be stored by a shared cache.
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * The cookie writer of one `stytchAuth()` instance: every cookie it writes is HttpOnly (unless
 * turned off for one cookie), Secure (see {@link isSecureRequest}), and carries the configured
 * SameSite, Path and Domain, resolved once here.
 *
 * In `'frontend-sdk'` mode the session cookies belong to Stytch's frontend SDK, which writes them
 * from JavaScript (`document.cookie`, no HttpOnly) and keeps them fresh itself. A browser refuses
 * a script's write over an HttpOnly cookie of the same name, so a server-written HttpOnly copy
 * would freeze the SDK out of its own session. There the middleware never writes or clears them
 * (`ownsSession` false), and the deliberate writes (login, logout) leave HttpOnly off.
 */
export function createCookieWriter(config: ResolvedCookieConfig, now: () => number, logger: Logger | undefined): CookieWriter {
  const attributes = (req: IncomingMessage, path: string | undefined, httpOnly: boolean) =>
    ({
      httpOnly,
      secure: isSecureRequest(req, config),
      sameSite: config.sameSite,
      path: path ?? config.path,
      ...(config.domain === undefined ? {} : { domain: config.domain }),
    }) as const;

  const clear: CookieWriter['clear'] = (req, res, name, options) => {
    appendSetCookie(res, serialize(name, '', { ...attributes(req, options?.path, true), maxAge: 0, expires: new Date(0) }));
  };

  const sessionHttpOnly = config.mode !== 'frontend-sdk';
  const clearSession: CookieWriter['clearSession'] = (req, res) => {
    for (const name of [config.jwt, config.token]) {
      appendSetCookie(res, serialize(name, '', { ...attributes(req, undefined, sessionHttpOnly), maxAge: 0, expires: new Date(0) }));
    }
  };

  const writer: CookieWriter = {
    set(req, res, name, value, options) {
      if (!(options.maxAgeSeconds > 0)) {
        clear(req, res, name, options.path === undefined ? undefined : { path: options.path });
        return;
      }
      appendSetCookie(res, serialize(name, value, { ...attributes(req, options.path, options.httpOnly ?? true), maxAge: Math.floor(options.maxAgeSeconds) }));
    },
    clear,
    setSession(req, res, session) {
      const expiresAt = session.expires_at instanceof Date ? session.expires_at : new Date(session.expires_at);
      const maxAge = Math.floor((expiresAt.getTime() - now()) / 1000);
      if (!Number.isFinite(maxAge) || maxAge <= 0) {
        clearSession(req, res);
        return;
      }
      const attrs = { ...attributes(req, undefined, sessionHttpOnly), maxAge, expires: expiresAt };
      if (session.session_jwt !== '') {
        const jwtLine = serialize(config.jwt, session.session_jwt, attrs);
        if (jwtLine.length > MAX_COOKIE_BYTES) {
          // The opaque token cookie alone carries the session; an older JWT cookie is cleared so it cannot shadow it.
          logEvent(logger, 'warn', 'session_jwt_cookie_too_large', { bytes: jwtLine.length, limit: MAX_COOKIE_BYTES });
          clear(req, res, config.jwt);
        } else {
          appendSetCookie(res, jwtLine);
        }
      }
      if (session.session_token !== '') appendSetCookie(res, serialize(config.token, session.session_token, attrs));
    },
    clearSession,
    ownsSession: config.mode !== 'frontend-sdk',
  };
  return Object.freeze(writer);
}

function writerOf(req: IncomingMessage, caller: string): CookieWriter {
  const writer = findRequestState(req)?.instance?.cookies;
  if (writer === undefined) throw new MiddlewareNotMountedError(`${caller}: stytchAuth() middleware is not mounted before this route. Add app.use(stytchAuth()) first.`);
  return writer;
}

/**
 * Write both session cookies after a login or a refresh, with the attributes of the
 * `stytchAuth()` that ran for this request. Lifetime is capped at the session's `expires_at`. A JWT
 * cookie that would exceed {@link MAX_COOKIE_BYTES} is not written (the browser would drop it
 * silently): the opaque token cookie alone carries the session, and a warning is logged.
 *
 * @throws MiddlewareNotMountedError when `stytchAuth()` did not run for this request.
 * @example
 * const r = await client.magicLinks.authenticate({ magic_links_token });
 * setSessionCookies(req, res, { ...r, expires_at: r.member_session.expires_at });
 */
export function setSessionCookies(req: IncomingMessage, res: ServerResponse, session: { session_token: string; session_jwt: string; expires_at: string | Date }): void {
  writerOf(req, 'setSessionCookies').setSession(req, res, session);
}

/**
 * Clear both session cookies (logout, or a credential that is definitely invalid).
 *
 * @throws MiddlewareNotMountedError when `stytchAuth()` did not run for this request.
 * @example
 * clearSessionCookies(req, res);
 */
export function clearSessionCookies(req: IncomingMessage, res: ServerResponse): void {
  writerOf(req, 'clearSessionCookies').clearSession(req, res);
}

/**
 * Read one cookie from the request's `Cookie` header without parsing the others, percent-decoded.
 * A name sent twice with different values is a `conflict` (a planted cookie): callers treat it as
 * no credential, never pick one. A value that is not valid percent-encoding reads as absent.
 *
 * @example
 * const ist = readCookie(req, 'stytch_intermediate_session_token');
 * if (ist.kind !== 'value') throw new AuthenticationError('intermediate_session_missing');
 */
export function readCookie(req: IncomingMessage, name: string): CookieRead {
  const header = req.headers.cookie;
  if (header === undefined) return COOKIE_ABSENT;
  const read = scanCookieHeader(header, name);
  if (read.kind !== 'value' || !read.value.includes('%')) return read;
  try {
    return { kind: 'value', value: decodeURIComponent(read.value) };
  } catch {
    return COOKIE_ABSENT;
  }
}

/** The value of a cookie sent exactly once and not empty; undefined when absent, empty or in conflict. */
export function readSingleCookie(req: IncomingMessage, name: string): string | undefined {
  const read = readCookie(req, name);
  return read.kind === 'value' && read.value !== '' ? read.value : undefined;
}
