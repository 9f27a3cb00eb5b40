/**
 * The one response layer of guards and routes alike: one content negotiation (navigation, form
 * post or API call), one mapping from a typed error to a status and body, and the same security
 * headers on every answer. Bodies and Locations built here never carry a token, an upstream
 * message or a stack.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MiddlewareNotMountedError, StytchApiError, StytchExpressError, StytchUnavailableError } from '../errors.js';
import { logEvent } from '../session/logger.js';
import type { Logger } from '../session/logger.js';
import type { ErrorPageRenderer } from './types.js';

/** Public shape of an error answer. */
export interface HttpErrorShape {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number | undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * True when the request is a top-level browser navigation (a redirect to a page makes sense).
 * `Sec-Fetch-Mode` decides when present; otherwise a GET/HEAD that accepts `text/html` and is not
 * marked as a script's call (`X-Requested-With`).
 */
export function isNavigation(req: IncomingMessage): boolean {
  const mode = header(req, 'sec-fetch-mode');
  if (mode !== undefined) return mode.toLowerCase() === 'navigate';
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers['x-requested-with'] !== undefined) return false;
  const accept = header(req, 'accept');
  return accept !== undefined && accept.toLowerCase().includes('text/html');
}

/** True for an HTML form post (`application/x-www-form-urlencoded`). */
export function isFormPost(req: IncomingMessage): boolean {
  const type = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

/** Form posts and navigations get 303 redirects (errors included); everything else gets JSON. */
export function wantsRedirect(req: IncomingMessage): boolean {
  return isFormPost(req) || isNavigation(req);
}

// Generic messages per status: the same text whatever Stytch's reason was, so an attacker cannot
// tell "no such member" from "wrong code", and no upstream text is ever echoed.
const GENERIC_MESSAGES: Readonly<Record<number, string>> = {
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

function generic(status: number): string {
  return GENERIC_MESSAGES[status] ?? 'Request failed.';
}

const STYTCH_STATUSES = new Set([400, 401, 403, 404, 409, 429]);
const SAFE_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * Map anything thrown or refused to the answer the client gets. Our own typed errors below 500
 * keep their code, status and message; Stytch API errors keep their `error_type` as code with a
 * status in 400/401/403/404/409/429; upstream failures are 502/503; "stytchAuth() not mounted"
 * is 500 `middleware_not_mounted`; anything else is a generic 500.
 */
export function toHttpError(err: unknown): HttpErrorShape {
  if (err instanceof StytchApiError) {
    // Stytch rejecting our own project credentials is a server misconfiguration, not the user's fault.
    if (err.errorType === 'unauthorized_credentials' || err.status >= 500) return { status: 503, code: 'upstream_unavailable', message: generic(503) };
    const status = STYTCH_STATUSES.has(err.status) ? err.status : 400;
    const code = SAFE_CODE.test(err.errorType) ? err.errorType : 'stytch_error';
    return { status, code, message: generic(status), retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StytchUnavailableError && err.code === 'upstream_rate_limited') {
    // Stytch's 429s on login endpoints are per email/member limits: the user should slow down,
    // so they get a 429 rather than an outage answer. Never retried here.
    return { status: 429, code: 'too_many_requests', message: generic(429), retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StytchUnavailableError) return { status: err.status, code: err.code, message: generic(err.status), retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof MiddlewareNotMountedError) return { status: 500, code: err.code, message: generic(500) };
  if (err instanceof StytchExpressError && err.status >= 400 && err.status < 500) {
    const retryAfterSeconds = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return { status: err.status, code: err.code, message: err.message, retryAfterSeconds: typeof retryAfterSeconds === 'number' ? retryAfterSeconds : undefined };
  }
  if (err instanceof StytchExpressError && (err.status === 502 || err.status === 503)) {
    const retryAfterSeconds = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return { status: err.status, code: err.code, message: generic(err.status), retryAfterSeconds: typeof retryAfterSeconds === 'number' ? retryAfterSeconds : undefined };
  }
  return { status: 500, code: 'internal_error', message: generic(500) };
}

/** The headers every answer of guards and routes carries: they depend on, set or read credentials. */
function securityHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  // Keeps the URL of the page we came from (a callback URL may hold a token) out of the next request.
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** Too late for a clean answer: cut the connection rather than let a partial answer stand. */
function abandon(res: ServerResponse): void {
  if (!res.writableEnded) res.destroy();
}

/** Send a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, req?: IncomingMessage): void {
  if (res.headersSent) {
    abandon(res);
    return;
  }
  securityHeaders(res);
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req?.method === 'HEAD' ? undefined : text);
}

/** Escape text for an HTML body or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Send a small self-contained HTML page (built by the caller with {@link escapeHtml}): no script,
 * no external resource, no framing, forms only to this origin.
 */
export function sendHtml(res: ServerResponse, status: number, html: string, options: { postsForm?: boolean } = {}): void {
  if (res.headersSent) {
    abandon(res);
    return;
  }
  securityHeaders(res);
  // A page with a POST form: under no-referrer, browsers send `Origin: null` with the post, which
  // the CSRF check refuses. strict-origin still never sends the page's path (nor its query).
  if (options.postsForm === true) res.setHeader('Referrer-Policy', 'strict-origin');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}

/** Send an empty answer (204 for logout). */
export function sendEmpty(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    abandon(res);
    return;
  }
  securityHeaders(res);
  res.statusCode = status;
  res.end();
}

// eslint-disable-next-line no-control-regex
const HEADER_UNSAFE = /[\x00-\x1f\x7f]/;

/**
 * 303 to a location from trusted config or validated input. Defence in depth: a Location that
 * holds a control character (header injection) or is not a same-origin path becomes `/`, unless
 * `absolute` allows an absolute http(s) URL from configuration (a login page on another origin).
 */
export function redirect(res: ServerResponse, location: string, absolute = false): void {
  if (res.headersSent) {
    abandon(res);
    return;
  }
  const sameOriginPath = location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\');
  if (HEADER_UNSAFE.test(location) || !(sameOriginPath || (absolute && /^https?:\/\//i.test(location)))) location = '/';
  securityHeaders(res);
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.end();
}

/** Append `key=value` to a path or URL, keeping an existing query and fragment. */
export function withQuery(path: string, key: string, value: string): string {
  const hashAt = path.indexOf('#');
  const base = hashAt === -1 ? path : path.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : path.slice(hashAt);
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash}`;
}

/** How a refusal is answered besides JSON. */
export interface AnswerOptions {
  /** Page a form post or navigation goes back to with `?error=<code>`. */
  errorTarget?: string | undefined;
  /** Renders the refusal of a browser navigation (when no `errorTarget` applies). */
  errorPage?: ErrorPageRenderer | undefined;
  logger?: Logger | undefined;
  /** Event name of the log line, e.g. `stytch.routes.callback`; nothing is logged without one. */
  event?: string | undefined;
  /** Reporting hook; its own failures are ignored. */
  onError?: ((err: unknown, req: IncomingMessage) => void) | undefined;
}

/**
 * Answer a refusal or a failure: log a coarse reason (never a token), report it, then 303 back
 * to the error target for forms and navigations, the app's error page for other navigations, or
 * JSON `{ error: { code, message } }` with the status, `WWW-Authenticate: Bearer` on 401 and
 * `Retry-After` when known.
 *
 * @example
 * answerError(req, res, new AuthorizationError('permission_denied'), { errorPage });
 */
export function answerError(req: IncomingMessage, res: ServerResponse, err: unknown, options: AnswerOptions = {}): void {
  const shape = toHttpError(err);
  if (options.event !== undefined) {
    logEvent(options.logger, shape.status >= 500 ? 'error' : 'warn', options.event, {
      outcome: 'error',
      code: shape.code,
      status: shape.status,
      ...(shape.status === 500 && err instanceof Error ? { errorName: err.name } : {}),
    });
  }
  if (options.onError !== undefined) {
    try {
      options.onError(err, req);
    } catch {
      // The reporting hook must not change the answer.
    }
  }
  if (res.headersSent) {
    abandon(res);
    return;
  }
  if (shape.retryAfterSeconds !== undefined && Number.isFinite(shape.retryAfterSeconds) && shape.retryAfterSeconds >= 0) {
    res.setHeader('Retry-After', String(Math.ceil(shape.retryAfterSeconds)));
  }
  if (options.errorTarget !== undefined && wantsRedirect(req)) {
    redirect(res, withQuery(options.errorTarget, 'error', shape.code), true);
    return;
  }
  if (options.errorPage !== undefined && isNavigation(req) && err instanceof StytchExpressError && renderedBy(options.errorPage, req, res, err)) return;
  // A guard may name the RFC 6750 challenge (invalid_token, insufficient_scope); built from trusted config only.
  const challenge = (err as { wwwAuthenticate?: unknown } | null)?.wwwAuthenticate;
  if (typeof challenge === 'string' && (shape.status === 401 || shape.status === 403)) res.setHeader('WWW-Authenticate', challenge);
  else if (shape.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  sendJson(res, shape.status, { error: { ...detailsOf(err, shape.status), code: shape.code, message: shape.message } }, req);
}

/**
 * Extra fields of a refusal body (e.g. the `field` or `permission` a 4xx names): only from our own
 * errors below 500, set by trusted code as a frozen record (never upstream text).
 */
function detailsOf(err: unknown, status: number): Record<string, unknown> | undefined {
  if (!(err instanceof StytchExpressError) || err instanceof StytchApiError || status >= 500) return undefined;
  const details = (err as { details?: unknown }).details;
  return typeof details === 'object' && details !== null && Object.isFrozen(details) ? (details as Record<string, unknown>) : undefined;
}

/** Let the app render the refusal; false when it threw or left the response open (then JSON follows). */
function renderedBy(render: ErrorPageRenderer, req: IncomingMessage, res: ServerResponse, error: StytchExpressError): boolean {
  try {
    securityHeaders(res);
    render(req, res, error);
  } catch {
    // The renderer's own bug must not turn a refusal into a 500 or a pass.
    if (res.headersSent) abandon(res);
    return res.headersSent;
  }
  return res.writableEnded || res.headersSent;
}
