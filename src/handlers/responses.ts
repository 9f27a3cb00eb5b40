/**
 * How the drop-in routes answer: JSON for API clients, 303 redirects for HTML form posts and
 * navigations, and one mapping from any error to a stable `{ error: { code, message } }`.
 * Bodies and Locations built here never carry a token, a Stytch message or a stack.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StytchApiError, StytchExpressError, StytchUnavailableError } from '../errors.js';
import { logEvent } from '../session/logger.js';
import type { Logger } from '../session/logger.js';

/** Public shape of an error answer. */
export interface HttpErrorShape {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number | undefined;
}

// Generic messages per status: the same text whatever Stytch's reason was, so an attacker cannot
// tell "no such member" from "wrong code" (catalogue #81) and no upstream text is echoed.
const GENERIC_MESSAGES: Record<number, string> = {
  400: 'The request is invalid.',
  401: 'Authentication failed or expired.',
  403: 'Not allowed.',
  404: 'Not found or expired.',
  405: 'Method not allowed.',
  409: 'Conflict with existing data.',
  413: 'Request body too large.',
  415: 'Unsupported content type.',
  429: 'Too many attempts. Try again later.',
  500: 'Internal error.',
  502: 'The authentication service answered unexpectedly.',
  503: 'The authentication service is unavailable. Try again later.',
};

const STYTCH_STATUSES = new Set([400, 401, 403, 404, 409, 429]);
const SAFE_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * Map anything thrown by a flow to the answer the client gets. Our own typed errors keep their
 * code, status and message; Stytch API errors keep their `error_type` as code with a status in
 * 400/401/403/404/409/429; upstream failures are 502/503; anything else is a generic 500.
 */
export function toHttpError(err: unknown): HttpErrorShape {
  if (err instanceof StytchApiError) {
    // Stytch rejecting our own project credentials is a server misconfiguration, not the user's fault.
    if (err.errorType === 'unauthorized_credentials' || err.status >= 500) {
      return { status: 503, code: 'upstream_unavailable', message: GENERIC_MESSAGES[503] ?? '' };
    }
    const status = STYTCH_STATUSES.has(err.status) ? err.status : 400;
    const code = SAFE_CODE.test(err.errorType) ? err.errorType : 'stytch_error';
    return { status, code, message: GENERIC_MESSAGES[status] ?? 'Request failed.', retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StytchUnavailableError && err.code === 'upstream_rate_limited') {
    // Stytch's 429s on login endpoints are per email/member limits (reference 8.2): the user
    // should slow down, so they get a 429 rather than an outage answer. Never retried here.
    return { status: 429, code: 'too_many_requests', message: GENERIC_MESSAGES[429] ?? '', retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StytchUnavailableError) {
    return { status: err.status, code: err.code, message: GENERIC_MESSAGES[err.status] ?? 'Unavailable.', retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StytchExpressError && err.status < 500) {
    return { status: err.status, code: err.code, message: err.message };
  }
  return { status: 500, code: 'internal_error', message: GENERIC_MESSAGES[500] ?? '' };
}

/** `Cache-Control: no-store` on everything these routes answer: they set or read credentials. */
export function setNoStore(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

/** Send a JSON body with `Cache-Control: no-store`. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  setNoStore(res);
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Send an empty answer (204 for logout). */
export function sendEmpty(res: ServerResponse, status: number): void {
  setNoStore(res);
  res.statusCode = status;
  res.end();
}

// eslint-disable-next-line no-control-regex
const HEADER_UNSAFE = /[\x00-\x1f\x7f]/;

/**
 * 303 to a path we validated. `Referrer-Policy: no-referrer` keeps the URL of the page we came
 * from (which may be a callback URL with a token) out of the next request.
 */
export function redirect(res: ServerResponse, location: string): void {
  // Defence in depth: every target was validated already, but a Location header must never
  // carry a control character (header injection, catalogue #95).
  if (HEADER_UNSAFE.test(location) || !location.startsWith('/')) location = '/';
  setNoStore(res);
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.end();
}

/** Append `key=value` to a same-origin path, keeping an existing query and fragment. */
export function withQuery(path: string, key: string, value: string): string {
  const hashAt = path.indexOf('#');
  const base = hashAt === -1 ? path : path.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : path.slice(hashAt);
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash}`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * True for an HTML form post or a top-level navigation: those get 303 redirects (also for errors,
 * back to the login or MFA page with `?error=<code>`); everything else gets JSON.
 */
export function wantsRedirect(req: IncomingMessage): boolean {
  const type = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return true;
  return header(req, 'sec-fetch-mode') === 'navigate';
}

/** What answering an error needs from the route. */
export interface ErrorAnswerContext {
  logger: Logger | undefined;
  onError?: ((err: unknown, req: IncomingMessage) => void) | undefined;
  /** Page a form post goes back to with `?error=<code>`; JSON when undefined. */
  errorTarget?: string | undefined;
  /** Event name for the log line, e.g. `stytch.routes.callback`. */
  event: string;
}

/**
 * Answer a failed flow: log a coarse reason (never the token), call `onError`, then either
 * 303 back to the error page for forms or a JSON error. Retry-After is forwarded for 429/503.
 */
export function answerError(req: IncomingMessage, res: ServerResponse, err: unknown, ctx: ErrorAnswerContext): void {
  const shape = toHttpError(err);
  logEvent(ctx.logger, shape.status >= 500 ? 'error' : 'warn', ctx.event, {
    outcome: 'error',
    code: shape.code,
    status: shape.status,
    ...(shape.status === 500 && err instanceof Error ? { errorName: err.name } : {}),
  });
  if (ctx.onError !== undefined) {
    try {
      ctx.onError(err, req);
    } catch {
      // The reporting hook must not change the answer.
    }
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  if (shape.retryAfterSeconds !== undefined && Number.isFinite(shape.retryAfterSeconds) && shape.retryAfterSeconds >= 0) {
    res.setHeader('Retry-After', String(Math.ceil(shape.retryAfterSeconds)));
  }
  if (ctx.errorTarget !== undefined && wantsRedirect(req)) {
    redirect(res, withQuery(ctx.errorTarget, 'error', shape.code));
    return;
  }
  sendJson(res, shape.status, { error: { code: shape.code, message: shape.message } });
}
