/**
 * Options of `stytchRoutes()` and their one-time validation. Everything a request handler needs
 * is precomputed here, so no handler re-parses configuration or reads the environment.
 */
import type { IncomingMessage } from 'node:http';
import type { Member, MemberSession, Organization } from '../client/types.js';
import { ConfigError } from '../errors.js';
import { assertKnownOptions, warnDeprecated } from '../option-names.js';
import type { OptionShape } from '../option-names.js';
import type { StytchAuthMiddleware } from '../middleware/stytch-auth.js';
import type { Logger } from '../session/logger.js';
import { isSafeReturnTo } from '../session/return-to.js';
import { AttemptLimiter } from './attempt-limiter.js';
import type { AttemptLimitsOptions } from './attempt-limiter.js';

/** Route keys of `stytchRoutes()`; each maps to a path under the router's mount point. */
export type StytchRouteName =
  | 'loginEmail'
  | 'callback'
  | 'discoveryOrganizations'
  | 'discoveryExchange'
  | 'discoveryCreate'
  | 'mfa'
  | 'mfaSmsSend'
  | 'mfaSmsAuthenticate'
  | 'mfaTotpCreate'
  | 'mfaTotpAuthenticate'
  | 'mfaRecovery'
  | 'switchOrganization'
  | 'logout'
  | 'emailUpdate'
  | 'session'
  | 'passwordLogin'
  | 'passwordStrength'
  | 'passwordResetStart'
  | 'passwordReset'
  | 'passwordChange'
  | 'emailCodeSend'
  | 'emailCodeVerify';

/** Default path of every route, relative to where the router is mounted. */
export const DEFAULT_ROUTE_PATHS: Readonly<Record<StytchRouteName, string>> = {
  loginEmail: '/login/email',
  callback: '/callback',
  discoveryOrganizations: '/discovery/organizations',
  discoveryExchange: '/discovery/exchange',
  discoveryCreate: '/discovery/organizations',
  mfa: '/mfa',
  mfaSmsSend: '/mfa/sms/send',
  mfaSmsAuthenticate: '/mfa/sms/authenticate',
  mfaTotpCreate: '/mfa/totp/create',
  mfaTotpAuthenticate: '/mfa/totp/authenticate',
  mfaRecovery: '/mfa/recovery',
  switchOrganization: '/switch-organization',
  logout: '/logout',
  emailUpdate: '/email/update',
  session: '/session',
  passwordLogin: '/login/password',
  passwordStrength: '/password/strength',
  passwordResetStart: '/password/reset/start',
  passwordReset: '/password/reset',
  passwordChange: '/password/change',
  emailCodeSend: '/login/code/send',
  emailCodeVerify: '/login/code/verify',
};

/** What established a session, passed to `onAuthenticated`. */
export type AuthenticatedVia =
  | 'magic_link'
  | 'oauth'
  | 'sso'
  | 'discovery_exchange'
  | 'discovery_create'
  | 'mfa_sms'
  | 'mfa_totp'
  | 'mfa_recovery_code'
  | 'switch_organization'
  | 'password'
  | 'password_reset'
  | 'password_change'
  | 'email_otp';

/** The outcome handed to `onAuthenticated` before any session cookie is written. */
export interface AuthenticatedResult {
  /** Which step produced the session. */
  via: AuthenticatedVia;
  member: Member;
  organization: Organization;
  memberSession: MemberSession | null;
}

/** Options of {@link stytchRoutes}. */
export interface StytchRoutesOptions {
  /**
   * The `stytchAuth()` middleware these routes run behind. Recommended: the routes then inherit
   * its cookie settings, `loginUrl`, `mfaUrl` and `sessionDurationMinutes` at construction. Without
   * it, they inherit from whichever `stytchAuth()` decided the request.
   */
  auth?: StytchAuthMiddleware;
  /**
   * The application's own origin, e.g. `'https://app.example.com'` (a path is ignored). Required.
   * It is the expected `Origin` for CSRF checks and the origin of the redirect URLs given to Stytch;
   * it is never taken from `Host` or `X-Forwarded-Host`.
   */
  appUrl: string;
  /** Further exact origins allowed to post to the routes (e.g. a separate SPA origin). Default none. */
  allowedOrigins?: readonly string[];
  /**
   * Public path of the callback route used in the redirect URLs sent to Stytch, e.g. `'/auth/callback'`.
   * Default: the router's mount path + `paths.callback`, computed from the request.
   */
  callbackPath?: string;
  /** Where a completed login lands when no `return_to` was bound. Default `'/'`. */
  afterLoginUrl?: string;
  /** Where a logout lands (form posts and navigations). Default `loginUrl`. */
  afterLogoutUrl?: string;
  /** @deprecated Set `loginUrl` on `stytchAuth()`; the routes inherit it. */
  loginUrl?: string;
  /** @deprecated Set `mfaUrl` on `stytchAuth()`; the routes inherit it. */
  mfaUrl?: string;
  /** The app's organization picker; a discovery login lands here. Default `'/select-organization'`. */
  discoveryUrl?: string;
  /** Session lifetime asked of Stytch for new sessions. Default: `stytchAuth()`'s value, else Stytch's (60 minutes). */
  sessionDurationMinutes?: number;
  /**
   * PKCE for login links and callbacks. Default `true`: the verifier lives in a short-lived
   * HttpOnly cookie, so a link only works in the browser that asked for it (login CSRF defence).
   * Set `false` only when logins are started outside these routes (e.g. OAuth started by a frontend SDK).
   */
  pkce?: boolean;
  /** Per-route paths. A falsy value (`false`, `''`, `null`) disables that route. */
  paths?: Partial<Record<StytchRouteName, string | false | null>>;
  /**
   * Called after Stytch authenticated a member and before session cookies are written, e.g. to
   * provision an application user. Returning `false` or throwing vetoes the login: 403
   * `login_vetoed`, no cookies, and the new session is revoked (best effort).
   */
  onAuthenticated?: (req: IncomingMessage, result: AuthenticatedResult) => boolean | undefined | void | Promise<boolean | undefined | void>;
  /** Called with every error a route answers (for reporting). Its own failures are ignored. */
  onError?: (err: unknown, req: IncomingMessage) => void;
  /**
   * Accept `Sec-Fetch-Site: same-site` (a sibling subdomain) when a request has neither `Origin`
   * nor `Referer`. Default `false`. Origins of subdomains must still be listed in `allowedOrigins`.
   */
  trustedSubdomains?: boolean;
  /** Largest request body accepted, in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /**
   * The app's page that asks for the new password after a password-reset link (the callback
   * keeps the reset token in an HttpOnly cookie and redirects here). Default `'/reset-password'`.
   */
  resetPasswordUrl?: string;
  /** Limits on failed password and email-code attempts (429 with `Retry-After`). See {@link AttemptLimitsOptions}. */
  attemptLimits?: AttemptLimitsOptions;
}

/** Every option `stytchRoutes()` knows; anything else is refused at startup. */
const ROUTES_OPTIONS: OptionShape = {
  auth: true,
  appUrl: true,
  allowedOrigins: true,
  callbackPath: true,
  afterLoginUrl: true,
  afterLogoutUrl: true,
  loginUrl: true,
  mfaUrl: true,
  discoveryUrl: true,
  sessionDurationMinutes: true,
  pkce: true,
  paths: Object.fromEntries(Object.keys(DEFAULT_ROUTE_PATHS).map((name) => [name, true])),
  onAuthenticated: true,
  onError: true,
  trustedSubdomains: true,
  maxBodyBytes: true,
  resetPasswordUrl: true,
  attemptLimits: { member: true, client: true, strengthChecks: true, store: true, clientAddress: true },
};

/** Fully validated options of one `stytchRoutes()` call, before what `stytchAuth()` adds. Internal. */
export interface ResolvedRoutesConfig {
  appOrigin: string;
  allowedOrigins: ReadonlySet<string>;
  trustedSubdomains: boolean;
  callbackPath: string | undefined;
  afterLoginUrl: string;
  /** Undefined: the login page (inherited). */
  afterLogoutUrl: string | undefined;
  /** Deprecated per-router pages; undefined unless given (then they win over `stytchAuth()`'s). */
  loginUrl: string | undefined;
  mfaUrl: string | undefined;
  discoveryUrl: string;
  sessionDurationMinutes: number | undefined;
  pkce: boolean;
  paths: Readonly<Record<StytchRouteName, string | undefined>>;
  onAuthenticated: StytchRoutesOptions['onAuthenticated'];
  onError: StytchRoutesOptions['onError'];
  maxBodyBytes: number;
  resetPasswordUrl: string;
  attemptLimiter: AttemptLimiter;
}

const PATH_SHAPE = /^\/[A-Za-z0-9/_.~-]*$/;

/**
 * Parse an origin from config: http(s) only, no userinfo. Returns the serialised origin.
 * Exported for `csrfProtection()`, which takes the same kind of option.
 */
export function parseConfiguredOrigin(value: unknown, optionName: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`option "${optionName}" is required: the application's own origin, e.g. 'https://app.example.com'.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${optionName} must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${optionName} must use http or https.`);
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${optionName} must not contain credentials.`);
  return url.origin;
}

/**
 * A configured redirect target: a safe relative path, or an absolute URL on the app's own origin
 * (kept as path + query). Anything else is a ConfigError: we never redirect off-site, even by config.
 */
function resolveTarget(value: unknown, optionName: string, appOrigin: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && isSafeReturnTo(value)) return value;
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      const relative = url.pathname + url.search;
      if (url.origin === appOrigin && isSafeReturnTo(relative)) return relative;
    } catch {
      // fall through to the error below
    }
  }
  throw new ConfigError(`${optionName} must be a same-origin path such as '/dashboard'.`);
}

/** Validate `stytchRoutes()` options once. Never mutates `options`. */
export function resolveRoutesOptions(options: StytchRoutesOptions, logger?: Logger): ResolvedRoutesConfig {
  if (typeof options !== 'object' || options === null) throw new ConfigError('stytchRoutes(options): options are required (at least appUrl).');
  assertKnownOptions('stytchRoutes()', options, ROUTES_OPTIONS);
  for (const name of ['loginUrl', 'mfaUrl'] as const) {
    if (options[name] !== undefined) warnDeprecated('stytchRoutes()', name, `stytchAuth({ ${name} })`, logger);
  }
  const appOrigin = parseConfiguredOrigin(options.appUrl, 'appUrl');
  const allowed = new Set<string>([appOrigin]);
  for (const origin of options.allowedOrigins ?? []) allowed.add(parseConfiguredOrigin(origin, 'allowedOrigins[]'));

  const loginUrl = options.loginUrl === undefined ? undefined : resolveTarget(options.loginUrl, 'loginUrl', appOrigin, '/login');
  const paths = {} as Record<StytchRouteName, string | undefined>;
  const seen = new Map<string, StytchRouteName>();
  for (const name of Object.keys(DEFAULT_ROUTE_PATHS) as StytchRouteName[]) {
    const given = options.paths !== undefined && Object.hasOwn(options.paths, name) ? options.paths[name] : DEFAULT_ROUTE_PATHS[name];
    if (!given) {
      paths[name] = undefined;
      continue;
    }
    if (typeof given !== 'string' || !PATH_SHAPE.test(given) || given.includes('//')) {
      throw new ConfigError(`paths.${name} must be a path such as '${DEFAULT_ROUTE_PATHS[name]}' (letters, digits, / _ . ~ -).`);
    }
    const method = name === 'discoveryOrganizations' || name === 'mfa' || name === 'callback' || name === 'session' ? 'GET' : 'POST';
    const key = `${method} ${given}`;
    const clash = seen.get(key);
    if (clash !== undefined) throw new ConfigError(`paths.${name} and paths.${clash} are both ${key}.`);
    seen.set(key, name);
    paths[name] = given;
  }

  let callbackPath: string | undefined;
  if (options.callbackPath !== undefined) {
    if (typeof options.callbackPath !== 'string' || !PATH_SHAPE.test(options.callbackPath)) {
      throw new ConfigError("callbackPath must be a path such as '/auth/callback'.");
    }
    callbackPath = options.callbackPath;
  }

  const duration = options.sessionDurationMinutes;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 5 || duration > 527_040)) {
    throw new ConfigError('sessionDurationMinutes must be an integer from 5 to 527040.');
  }
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 256) throw new ConfigError('maxBodyBytes must be an integer >= 256.');
  if (options.onAuthenticated !== undefined && typeof options.onAuthenticated !== 'function') throw new ConfigError('onAuthenticated must be a function.');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError('onError must be a function.');
  if (options.pkce !== undefined && typeof options.pkce !== 'boolean') throw new ConfigError('pkce must be a boolean.');

  return {
    appOrigin,
    allowedOrigins: allowed,
    trustedSubdomains: options.trustedSubdomains === true,
    callbackPath,
    afterLoginUrl: resolveTarget(options.afterLoginUrl, 'afterLoginUrl', appOrigin, '/'),
    afterLogoutUrl: options.afterLogoutUrl === undefined ? undefined : resolveTarget(options.afterLogoutUrl, 'afterLogoutUrl', appOrigin, '/'),
    loginUrl,
    mfaUrl: options.mfaUrl === undefined ? undefined : resolveTarget(options.mfaUrl, 'mfaUrl', appOrigin, '/mfa'),
    discoveryUrl: resolveTarget(options.discoveryUrl, 'discoveryUrl', appOrigin, '/select-organization'),
    sessionDurationMinutes: duration,
    pkce: options.pkce ?? true,
    paths,
    onAuthenticated: options.onAuthenticated,
    onError: options.onError,
    maxBodyBytes,
    resetPasswordUrl: resolveTarget(options.resetPasswordUrl, 'resetPasswordUrl', appOrigin, '/reset-password'),
    attemptLimiter: new AttemptLimiter(options.attemptLimits),
  };
}
