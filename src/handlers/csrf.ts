/**
 * CSRF defence for cookie-authenticated, state-changing requests: the request's own origin
 * (from `Origin`, else `Referer`, else Fetch Metadata) must be exactly one we were configured
 * with. The expected origin comes from config only, never from `Host`/`X-Forwarded-Host`
 *.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationError, ConfigError } from '../errors.js';
import { parseConfiguredOrigin } from './options.js';
import { sendJson } from '../middleware/respond.js';

/** Options of {@link csrfProtection}. */
export interface CsrfProtectionOptions {
  /** The application's own origin (e.g. `'https://app.example.com'`); a path is ignored. Required. */
  appUrl: string;
  /** More exact origins allowed to send state-changing requests. Default none. */
  allowedOrigins?: readonly string[];
  /** Accept `Sec-Fetch-Site: same-site` when neither Origin nor Referer is present. Default false. */
  trustedSubdomains?: boolean;
}

/** Why a request was rejected; logged, never sent. */
export type CsrfRejection = 'origin_mismatch' | 'origin_null' | 'referer_mismatch' | 'cross_site' | 'no_origin';

/** Resolved CSRF settings. Internal. */
export interface CsrfPolicy {
  allowedOrigins: ReadonlySet<string>;
  trustedSubdomains: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Decide a request. Returns `undefined` when allowed, or the reason it is refused.
 *
 * Exempt: safe methods, and requests that carry a bearer token and no cookies at all (a browser
 * cannot be made to attach a bearer header cross-site).
 */
export function checkCsrf(req: IncomingMessage, policy: CsrfPolicy): CsrfRejection | undefined {
  if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return undefined;
  const cookie = header(req, 'cookie');
  const authorization = header(req, 'authorization');
  if ((cookie === undefined || cookie.trim() === '') && authorization !== undefined && /^bearer\s+\S/i.test(authorization)) return undefined;

  // A browser never sends an allowed Origin on a cross-site request, but Fetch Metadata is a
  // second opinion that costs nothing: cross-site is refused whatever the other headers say.
  const site = header(req, 'sec-fetch-site')?.toLowerCase();
  if (site === 'cross-site') return 'cross_site';

  const origin = header(req, 'origin');
  if (origin !== undefined) {
    if (origin === 'null') return 'origin_null';
    // Exact whole-origin comparison: `https://app.example.com.evil.com` or `http://` downgrade never match.
    return policy.allowedOrigins.has(origin) ? undefined : 'origin_mismatch';
  }
  const referer = header(req, 'referer');
  if (referer !== undefined) {
    let refererOrigin: string | undefined;
    try {
      refererOrigin = new URL(referer).origin;
    } catch {
      refererOrigin = undefined;
    }
    return refererOrigin !== undefined && policy.allowedOrigins.has(refererOrigin) ? undefined : 'referer_mismatch';
  }
  if (site === 'same-origin') return undefined;
  if (site === 'same-site' && policy.trustedSubdomains) return undefined;
  if (site === 'same-site' || site === 'none') return 'cross_site';
  // Neither Origin, Referer nor Fetch Metadata: block (OWASP's recommendation).
  return 'no_origin';
}

/** Resolve and validate CSRF options once. Internal, shared with `stytchRoutes()`. */
export function resolveCsrfPolicy(options: CsrfProtectionOptions): CsrfPolicy {
  if (typeof options !== 'object' || options === null) throw new ConfigError('csrfProtection(options): options with appUrl are required.');
  const allowed = new Set<string>([parseConfiguredOrigin(options.appUrl, 'appUrl')]);
  for (const origin of options.allowedOrigins ?? []) allowed.add(parseConfiguredOrigin(origin, 'allowedOrigins[]'));
  return { allowedOrigins: allowed, trustedSubdomains: options.trustedSubdomains === true };
}

/** The error every refused request gets: 403 `csrf_rejected`, one message whatever the reason. */
export function csrfError(): AuthorizationError {
  return new AuthorizationError('csrf_rejected', 'Cross-site request refused.');
}

type Next = (err?: unknown) => void;

/**
 * Reusable CSRF middleware for your own cookie-authenticated routes (Express 4/5, Connect).
 *
 * Safe methods pass. Unsafe methods pass only when `Origin` (else `Referer`, else
 * `Sec-Fetch-Site: same-origin`) names exactly `appUrl`'s origin or one of `allowedOrigins`;
 * otherwise the request is answered 403 `{ error: { code: 'csrf_rejected' } }` and the route never runs.
 * Bearer-only requests (no Cookie header) are exempt.
 *
 * @throws ConfigError when `appUrl` or an allowed origin is not an http(s) origin.
 * @example
 * app.post('/api/projects', csrfProtection({ appUrl: 'https://app.example.com' }), requireAuth(), createProject);
 */
export function csrfProtection(options: CsrfProtectionOptions): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const policy = resolveCsrfPolicy(options);
  return function csrfProtectionMiddleware(req, res, next) {
    if (checkCsrf(req, policy) === undefined) {
      next();
      return;
    }
    const err = csrfError();
    sendJson(res, err.status, { error: { code: err.code, message: err.message } });
  };
}
