/**
 * `stytchRoutes()`: the drop-in login, MFA, discovery, organization switch, logout, email update
 * and session routes, as one dependency-free dispatcher that mounts on Express 4, Express 5 and
 * Connect alike. Each flow lives in its own module; this file only wires paths, CSRF and errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, MiddlewareNotMountedError, StytchApiError } from '../errors.js';
import { findRequestState } from '../middleware/request-state.js';
import { answerError, sendJson } from '../middleware/respond.js';
import { instanceOf } from '../middleware/stytch-auth.js';
import type { StytchInstance } from '../middleware/types.js';
import { logEvent } from '../session/logger.js';
import { callback, joinRoute } from './callback.js';
import { checkCsrf, csrfError } from './csrf.js';
import type { CsrfPolicy } from './csrf.js';
import { createDiscoveredOrganization, exchangeDiscovery, listDiscoveredOrganizations } from './discovery.js';
import { emailCodeSend, emailCodeVerify } from './email-code.js';
import { startEmailUpdate } from './email-update.js';
import { loginEmail } from './login-email.js';
import { organizationLoginMethods } from './login-methods.js';
import { logout } from './logout.js';
import { oauthDiscoveryStart, oauthStart } from './oauth-start.js';
import { mfaRecover, mfaSmsAuthenticate, mfaSmsSend, mfaStatus, mfaTotpAuthenticate, mfaTotpCreate } from './mfa.js';
import { resolveRoutesOptions } from './options.js';
import { passwordChange } from './password-change.js';
import { passwordLogin } from './password-login.js';
import { passwordReset, passwordResetStart } from './password-reset.js';
import { passwordStrength } from './password-strength.js';
import type { StytchRouteName, StytchRoutesOptions } from './options.js';
import { bindRoutes } from './route-context.js';
import type { RouteBinding, RouteContext } from './route-context.js';
import { currentSession } from './session.js';
import { ssoStart } from './sso-start.js';
import { switchOrganization } from './switch-organization.js';

type Handler = (req: IncomingMessage, res: ServerResponse, rc: RouteContext) => Promise<void>;

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
  { name: 'join', method: 'POST', handler: joinRoute, errorPage: 'login' },
  { name: 'session', method: 'GET', handler: currentSession, errorPage: 'login' },
  { name: 'passwordLogin', method: 'POST', handler: passwordLogin, errorPage: 'login' },
  { name: 'passwordStrength', method: 'POST', handler: passwordStrength, errorPage: 'login' },
  { name: 'passwordResetStart', method: 'POST', handler: passwordResetStart, errorPage: 'login' },
  { name: 'passwordReset', method: 'POST', handler: passwordReset, errorPage: 'login' },
  { name: 'passwordChange', method: 'POST', handler: passwordChange, errorPage: 'login' },
  { name: 'emailCodeSend', method: 'POST', handler: emailCodeSend, errorPage: 'login' },
  { name: 'emailCodeVerify', method: 'POST', handler: emailCodeVerify, errorPage: 'login' },
  { name: 'ssoStart', method: 'GET', handler: ssoStart, errorPage: 'login' },
  { name: 'oauthStart', method: 'GET', handler: oauthStart, errorPage: 'login' },
  { name: 'oauthDiscoveryStart', method: 'GET', handler: oauthDiscoveryStart, errorPage: 'login' },
  { name: 'organizationLoginMethods', method: 'GET', handler: organizationLoginMethods, errorPage: 'login' },
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
 * `POST /switch-organization`, `POST /logout`, `POST /email/update`, `POST /join`, `GET /session`,
 * `GET /organizations/login-methods`, and with a public token `GET /sso/start`, `GET /oauth/start`,
 * `GET /oauth/discovery/start`; `POST /login/password`, `POST /password/strength`,
 * `POST /password/reset/start`, `POST /password/reset` (password-reset links come back through the
 * callback), `POST /password/change`, `POST /login/code/send`, `POST /login/code/verify`. Failed
 * password and code attempts are limited per member and per client address (`attemptLimits`; 429
 * with `Retry-After`).
 *
 * Every POST passes the CSRF origin check against `appUrl` (403 `csrf_rejected`); HTML form posts
 * and navigations get 303 redirects (errors back to the login or MFA page of `stytchAuth()` with
 * `?error=<code>`), JSON clients get JSON with a stable `error.code`. Bodies are parsed here (JSON
 * or URL-encoded, size-capped). Pass `auth` (the `stytchAuth()` middleware) to resolve everything
 * at construction.
 *
 * @throws ConfigError when `appUrl` is missing or invalid, a redirect option is not a same-origin
 *   path, two routes share a method and path, or a start route is named in `paths` without a
 *   public token.
 * @example
 * const auth = stytchAuth({ loginUrl: '/login', mfaUrl: '/mfa' });
 * app.use(auth);
 * app.use('/auth', stytchRoutes({ auth, appUrl: 'http://localhost:3000', afterLoginUrl: '/dashboard', discoveryUrl: '/select-org' }));
 */
export function stytchRoutes(options: StytchRoutesOptions): StytchRoutesMiddleware {
  const given = options?.auth;
  const givenInstance = given === undefined ? undefined : instanceOf(given);
  if (given !== undefined && givenInstance === undefined) throw new ConfigError('stytchRoutes(): option "auth" must be the middleware returned by stytchAuth().');
  const cfg = resolveRoutesOptions(options, givenInstance?.context.logger);
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

  // Resolved once per stytchAuth() instance: at construction when `auth` is given.
  const bindings = new WeakMap<StytchInstance, RouteBinding>();
  const bindingFor = (instance: StytchInstance): RouteBinding => {
    let binding = bindings.get(instance);
    if (binding === undefined) {
      binding = bindRoutes(cfg, instance);
      bindings.set(instance, binding);
    }
    return binding;
  };
  if (givenInstance !== undefined) bindingFor(givenInstance);

  async function run(route: RouteDef, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The one read of the request's record: the router hands everything on from here.
    const state = findRequestState(req);
    const decision = state?.decision;
    const instance = state?.instance;
    if (decision === undefined || instance === undefined) {
      // Misconfiguration: answer generically rather than run a flow without identity.
      answerError(req, res, new MiddlewareNotMountedError('stytchRoutes(): stytchAuth() is not mounted before these routes.'), { onError: cfg.onError });
      return;
    }
    const binding = bindingFor(instance);
    const { context } = instance;
    const rc: RouteContext = {
      ...binding,
      auth: decision.auth,
      credential: decision.credential,
      client: context.client,
      logger: context.logger,
      cookies: instance.cookies,
      now: () => context.now(),
    };
    const errorTarget = binding.cfg.errorUrls[route.name] ?? (route.errorPage === 'mfa' ? binding.cfg.mfaUrl : binding.cfg.loginUrl);
    const event = `stytch.routes.${route.name}`;
    if (route.method === 'POST') {
      const rejection = checkCsrf(req, csrf);
      if (rejection !== undefined) {
        logEvent(context.logger, 'warn', 'stytch.routes.csrf_rejected', { route: route.name, reason: rejection });
        answerError(req, res, csrfError(), { logger: context.logger, onError: cfg.onError, event });
        return;
      }
    }
    try {
      await route.handler(req, res, rc);
    } catch (err) {
      if (err instanceof StytchApiError && DEAD_IST_ERRORS.has(err.errorType) && !res.headersSent) binding.flow.clearIntermediateState(req, res);
      answerError(req, res, err, { logger: context.logger, onError: cfg.onError, errorTarget, event });
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
      answerError(req, res, err);
    });
  };
}
