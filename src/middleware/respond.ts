import type { IncomingMessage, ServerResponse } from 'node:http';
import { StytchApiError, StytchUnavailableError } from '../errors.js';
import type { StytchExpressError } from '../errors.js';
import { findStytchContext } from './context.js';

/**
 * True when the request is a top-level browser navigation (a redirect to a login page makes
 * sense), false for API calls (they get a 401 JSON body instead; catalogue #1).
 * `Sec-Fetch-Mode` decides when present; otherwise a GET/HEAD that accepts `text/html`.
 *
 * @example
 * if (isNavigation(req)) res.redirect(303, '/login'); else sendError(req, res, new AuthenticationError());
 */
export function isNavigation(req: IncomingMessage): boolean {
  const mode = req.headers['sec-fetch-mode'];
  if (typeof mode === 'string') return mode.toLowerCase() === 'navigate';
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers['x-requested-with'] !== undefined) return false;
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes('text/html');
}

/** Our own messages are safe to return; upstream text and internal details are not (catalogue #96). */
function publicMessage(error: StytchExpressError): string {
  if (error instanceof StytchApiError) return 'The request could not be completed.';
  if (error instanceof StytchUnavailableError || error.status === 502 || error.status === 503) return 'The authentication service is unavailable. Try again later.';
  if (error.status >= 500) return 'Internal error.';
  return error.message;
}

/**
 * Answer a rejected request: JSON `{ error: { code, message } }` with the error's status,
 * `Cache-Control: no-store`, `WWW-Authenticate: Bearer` on 401 and `Retry-After` when known.
 * Never a token, an upstream message or a stack. Browser navigations go to the configured
 * `errorPage` renderer first, when there is one.
 *
 * @example
 * sendError(req, res, new AuthorizationError('permission_denied'));
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: StytchExpressError): void {
  if (res.headersSent) {
    // Too late for a clean answer; cut the connection rather than let a partial 2xx stand.
    res.destroy();
    return;
  }
  const errorPage = findStytchContext(req)?.config.errorPage;
  if (errorPage !== undefined && isNavigation(req) && renderedBy(errorPage, req, res, error)) return;
  const status = Number.isInteger(error.status) && error.status >= 400 && error.status <= 599 ? error.status : 500;
  const body = JSON.stringify({ error: { code: error.code, message: publicMessage(error) } });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
    res.setHeader('Retry-After', String(Math.ceil(retryAfter)));
  }
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Let the app render the refusal; false when it threw or left the response open (then JSON follows). */
function renderedBy(render: (req: IncomingMessage, res: ServerResponse, error: StytchExpressError) => void, req: IncomingMessage, res: ServerResponse, error: StytchExpressError): boolean {
  try {
    res.setHeader('Cache-Control', 'no-store');
    render(req, res, error);
  } catch {
    // The renderer's own bug must not turn a refusal into a 500 or a pass.
    if (res.headersSent) res.destroy();
    return res.headersSent;
  }
  if (res.writableEnded || res.headersSent) return true;
  return false;
}

/**
 * Answer with a 303 redirect (browser navigations: login, step-up). The target must already be
 * validated by the caller; `Cache-Control: no-store` because the decision depends on the session.
 */
export function sendRedirect(res: ServerResponse, location: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', 0);
  res.end();
}
