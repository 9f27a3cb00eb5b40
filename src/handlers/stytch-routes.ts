/**
 * `stytchRoutes()`: the drop-in login, MFA, discovery, organization switch, logout, email update
 * and session routes, as one dependency-free dispatcher that mounts on Express 4, Express 5 and
 * Connect alike. Each flow lives in its own module; this file only wires paths, CSRF and errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, StytchApiError } from '../errors.js';
import { findStytchContext } from '../middleware/context.js';
import { logEvent } from '../session/logger.js';
import { callback } from './callback.js';
import { checkCsrf, csrfError } from './csrf.js';
import type { CsrfPolicy } from './csrf.js';
import { createDiscoveredOrganization, exchangeDiscovery, listDiscoveredOrganizations } from './discovery.js';
import { startEmailUpdate } from './email-update.js';
import { loginEmail } from './login-email.js';
import { logout } from './logout.js';
import { mfaRecover, mfaSmsAuthenticate, mfaSmsSend, mfaStatus, mfaTotpAuthenticate, mfaTotpCreate } from './mfa.js';
import { resolveRoutesOptions } from './options.js';
import type { ResolvedRoutesConfig, StytchRouteName, StytchRoutesOptions } from './options.js';
import { answerError, sendJson } from './responses.js';
import { currentSession } from './session.js';
import { switchOrganization } from './switch-organization.js';
import { clearIntermediateState } from './transient.js';

type Handler = (req: IncomingMessage, res: ServerResponse, cfg: ResolvedRoutesConfig) => Promise<void>;

interface RouteDef {
  name: StytchRouteName;
  method: 'GET' | 'POST';
  handler: Handler;
  /** Page a failed form post goes back to. */
  errorPage: 'login' | 'mfa';
}

const ROUTES: readonly RouteDef[] = [
  { name: 'loginEmail', method: 'POST', handler: loginEmail, errorPage: 'login' },
  { name: 'callback', method: 'GET', handler: callback, errorPage: 'login' },
  { name: 'discoveryOrganizations', method: 'GET', handler: listDiscoveredOrganizations, errorPage: 'login' },
  { name: 'discoveryExchange', method: 'POST', handler: exchangeDiscovery, errorPage: 'login' },
  { name: 'discoveryCreate', method: 'POST', handler: createDiscoveredOrganization, errorPage: 'login' },
  { name: 'mfa', method: 'GET', handler: mfaStatus, errorPage: 'mfa' },
  { name: 'mfaSmsSend', method: 'POST', handler: mfaSmsSend, errorPage: 'mfa' },
  { name: 'mfaSmsAuthenticate', method: 'POST', handler: mfaSmsAuthenticate, errorPage: 'mfa' },
  { name: 'mfaTotpCreate', method: 'POST', handler: mfaTotpCreate, errorPage: 'mfa' },
  { name: 'mfaTotpAuthenticate', method: 'POST', handler: mfaTotpAuthenticate, errorPage: 'mfa' },
  { name: 'mfaRecovery', method: 'POST', handler: mfaRecover, errorPage: 'mfa' },
  { name: 'switchOrganization', method: 'POST', handler: switchOrganization, errorPage: 'login' },
  { name: 'logout', method: 'POST', handler: logout, errorPage: 'login' },
  { name: 'emailUpdate', method: 'POST', handler: startEmailUpdate, errorPage: 'login' },
  { name: 'session', method: 'GET', handler: (req, res) => currentSession(req, res), errorPage: 'login' },
];

/** Errors after which the IST is useless: drop its cookie so the next page starts over. */
const DEAD_IST_ERRORS = new Set(['intermediate_session_not_found', 'invalid_intermediate_session_token_for_organization']);

type Next = (err?: unknown) => void;

/** The middleware returned by {@link stytchRoutes}. */
export type StytchRoutesMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * Build the drop-in authentication routes. Mount after `stytchAuth()`, usually under a prefix.
 *
 * Routes (defaults; every path is configurable through `paths`, and a falsy path disables it):
 * `POST /login/email`, `GET /callback`, `GET /discovery/organizations`, `POST /discovery/exchange`,
 * `POST /discovery/organizations`, `GET /mfa`, `POST /mfa/sms/send`, `POST /mfa/sms/authenticate`,
 * `POST /mfa/totp/create`, `POST /mfa/totp/authenticate`, `POST /mfa/recovery`,
 * `POST /switch-organization`, `POST /logout`, `POST /email/update`, `GET /session`.
 *
 * Every POST passes the CSRF origin check against `appUrl` (403 `csrf_rejected`); HTML form posts
 * get 303 redirects (errors back to `loginUrl`/`mfaUrl` with `?error=<code>`), JSON clients get
 * JSON with a stable `error.code`. Bodies are parsed here (JSON or URL-encoded, size-capped).
 *
 * @throws ConfigError when `appUrl` is missing or invalid, a redirect option is not a same-origin
 *   path, or two routes share a method and path.
 * @example
 * app.use(stytchAuth());
 * app.use('/auth', stytchRoutes({ appUrl: 'http://localhost:3000', afterLoginUrl: '/dashboard', loginUrl: '/login', mfaUrl: '/mfa', discoveryUrl: '/select-org' }));
 */
export function stytchRoutes(options: StytchRoutesOptions): StytchRoutesMiddleware {
  const cfg = resolveRoutesOptions(options);
  if (cfg.paths.loginEmail !== undefined && cfg.paths.callback === undefined && cfg.callbackPath === undefined) {
    throw new ConfigError('paths.callback is disabled: set callbackPath to where your own callback route lives.');
  }
  const csrf: CsrfPolicy = { allowedOrigins: cfg.allowedOrigins, trustedSubdomains: cfg.trustedSubdomains };
  const table = new Map<string, Map<string, RouteDef>>();
  for (const route of ROUTES) {
    const path = cfg.paths[route.name];
    if (path === undefined) continue;
    const normalized = pathOf(path);
    let byMethod = table.get(normalized);
    if (byMethod === undefined) table.set(normalized, (byMethod = new Map<string, RouteDef>()));
    byMethod.set(route.method, route);
  }

  async function run(route: RouteDef, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = findStytchContext(req);
    if (ctx === undefined) {
      // Misconfiguration: answer generically rather than run a flow without identity.
      sendJson(res, 500, { error: { code: 'config_error', message: 'Internal error.' } });
      return;
    }
    const errorTarget = route.errorPage === 'mfa' ? cfg.mfaUrl : cfg.loginUrl;
    const event = `stytch.routes.${route.name}`;
    if (route.method === 'POST') {
      const rejection = checkCsrf(req, csrf);
      if (rejection !== undefined) {
        logEvent(ctx.logger, 'warn', 'stytch.routes.csrf_rejected', { route: route.name, reason: rejection });
        answerError(req, res, csrfError(), { logger: ctx.logger, onError: cfg.onError, event });
        return;
      }
    }
    try {
      await route.handler(req, res, cfg);
    } catch (err) {
      if (err instanceof StytchApiError && DEAD_IST_ERRORS.has(err.errorType) && !res.headersSent) clearIntermediateState(req, res);
      answerError(req, res, err, { logger: ctx.logger, onError: cfg.onError, errorTarget, event });
    }
  }

  return function stytchRoutesMiddleware(req, res, next) {
    const byMethod = table.get(pathOf(req.url));
    if (byMethod === undefined) {
      next();
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    // No HEAD-as-GET: a link scanner's HEAD must never spend a single-use callback token.
    const route = byMethod.get(method);
    if (route === undefined) {
      res.setHeader('Allow', [...byMethod.keys()].join(', '));
      sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'Method not allowed.' } });
      return;
    }
    run(route, req, res).catch((err: unknown) => {
      // run() answers its own errors; this only guards against a failure while answering.
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal_error', message: 'Internal error.' } });
      else res.destroy(err instanceof Error ? err : undefined);
    });
  };
}
