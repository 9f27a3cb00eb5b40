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
import type { AttemptLimit } from '../store/limiter.js';
import type { OAuthProvider } from '../client/public-urls.js';

/** The B2B OAuth providers the start routes accept. */
export const OAUTH_PROVIDERS: readonly OAuthProvider[] = ['google', 'microsoft', 'github', 'slack', 'hubspot'];

/** Per-provider pass-through of the OAuth start routes. */
export interface OAuthProviderOptions {
  /** Extra scopes asked of the provider (`custom_scopes`). */
  customScopes?: readonly string[];
  /** Provider parameters, sent as `provider_<name>` (e.g. `{ prompt: 'select_account' }`). */
  providerParams?: Readonly<Record<string, string>>;
}

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
  | 'join'
  | 'session'
  | 'ssoStart'
  | 'oauthStart'
  | 'oauthDiscoveryStart'
  | 'organizationLoginMethods'
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
  join: '/join',
  session: '/session',
  passwordLogin: '/login/password',
  passwordStrength: '/password/strength',
  passwordResetStart: '/password/reset/start',
  passwordReset: '/password/reset',
  passwordChange: '/password/change',
  emailCodeSend: '/login/code/send',
  emailCodeVerify: '/login/code/verify',
  ssoStart: '/sso/start',
  oauthStart: '/oauth/start',
  oauthDiscoveryStart: '/oauth/discovery/start',
  organizationLoginMethods: '/organizations/login-methods',
};

/** Routes that send the browser to Stytch's public start endpoints: they need the public token. */
export const START_ROUTES: readonly StytchRouteName[] = ['ssoStart', 'oauthStart', 'oauthDiscoveryStart'];

/** The method of every route (two routes may share a path with different methods). */
export const ROUTE_METHODS: Readonly<Record<StytchRouteName, 'GET' | 'POST'>> = {
  loginEmail: 'POST',
  callback: 'GET',
  discoveryOrganizations: 'GET',
  discoveryExchange: 'POST',
  discoveryCreate: 'POST',
  mfa: 'GET',
  mfaSmsSend: 'POST',
  mfaSmsAuthenticate: 'POST',
  mfaTotpCreate: 'POST',
  mfaTotpAuthenticate: 'POST',
  mfaRecovery: 'POST',
  switchOrganization: 'POST',
  logout: 'POST',
  emailUpdate: 'POST',
  join: 'POST',
  session: 'GET',
  ssoStart: 'GET',
  oauthStart: 'GET',
  oauthDiscoveryStart: 'GET',
  organizationLoginMethods: 'GET',
  passwordLogin: 'POST',
  passwordStrength: 'POST',
  passwordResetStart: 'POST',
  passwordReset: 'POST',
  passwordChange: 'POST',
  emailCodeSend: 'POST',
  emailCodeVerify: 'POST',
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
  /**
   * Whether the callback URL given to Stytch carries `?flow=<id>`, naming the flow a link ends.
   * Default `true`. Stytch's redirect-URL guide allows query parameters on a registered redirect
   * URL, but its URL-validation reference says the match is exact, query included; set `false`
   * when your project refuses login starts for the redirect URL. Then the callback URL is sent
   * exactly as registered, a browser's pending flows share one PKCE verifier, and a callback is
   * given to the flow whose bindings (organization, member, address) Stytch's answer meets. The
   * cost: a link this browser did not start, opened while one of its logins of the same kind is
   * pending, is redeemed before it is refused (its session is revoked), instead of being refused
   * unspent.
   */
  flowParam?: boolean;
  /** Per-route paths. A falsy value (`false`, `''`, `null`) disables that route. */
  paths?: Partial<Record<StytchRouteName, string | false | null>>;
  /**
   * Per-route page a failed form post or navigation goes back to, with `?error=<code>`, e.g.
   * `{ discoveryCreate: '/select-org', emailUpdate: '/account' }`: the page the action came from.
   * Default: the MFA page for the MFA routes, the login page for the others.
   */
  errorUrls?: Partial<Record<StytchRouteName, string>>;
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
   * Identity changes from a signed-in session (changing the sign-in email address, enrolling the
   * first MFA phone or a TOTP app) need a factor proven at most this many seconds ago; otherwise
   * they answer the step-up response of `requireFreshAuth()` (403 `step_up_required`). Default 300.
   * A stolen old session must not become a permanent takeover.
   */
  maxFactorAgeSeconds?: number;
  /**
   * The app's page that asks for the new password after a password-reset link (the callback
   * keeps the reset token in an HttpOnly cookie and redirects here). Default `'/reset-password'`.
   */
  resetPasswordUrl?: string;
  /** Limits on failed password and email-code attempts (429 with `Retry-After`). See {@link AttemptLimitsOptions}. */
  attemptLimits?: AttemptLimitsOptions;
  /**
   * Attempt limits, counted in the `store` of `stytchAuth()` (with Redis: across the fleet). Over
   * a limit the route answers 429 `too_many_attempts` with `Retry-After`, before calling Stytch.
   * Each limit is `{ max, windowSeconds }`, or `false` to turn it off; `false` turns them all off.
   */
  limits?: false | RouteLimitsOptions;
  /**
   * The project's public token (`public-token-test-…` / `public-token-live-…`), used by the SSO and
   * OAuth start routes. Default: `env.STYTCH_PUBLIC_TOKEN`, read once. Without one the start routes
   * are not mounted, and naming a start route in `paths` is a ConfigError.
   */
  publicToken?: string;
  /**
   * Origin of Stytch's public start endpoints (a custom auth domain). Default: the client's API
   * base URL.
   */
  publicBaseUrl?: string;
  /** Pass-through options of the OAuth start routes, per provider. */
  oauth?: Partial<Record<OAuthProvider, OAuthProviderOptions>>;
  /** Extra scopes asked of the identity provider by the SSO start route (`custom_scopes`). */
  ssoCustomScopes?: readonly string[];
  /** Where environment fallbacks are read from. Default `process.env`, read once here. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The attempt limits of `stytchRoutes()` (see `StytchRoutesOptions.limits`). */
export interface RouteLimitsOptions {
  /** MFA codes checked per member (SMS, TOTP, recovery codes); a success resets the count. Default 10 per 15 minutes. */
  codeAttempts?: AttemptLimit | false;
  /** Login and discovery emails sent per email address. Default 10 per 10 minutes. */
  emailSends?: AttemptLimit | false;
  /** SMS codes sent per member. Default 10 per 10 minutes. */
  smsSends?: AttemptLimit | false;
  /**
   * Emails and SMS codes sent per client address. Default off: behind a load balancer every
   * request comes from its address unless `clientAddress` reads the real one.
   */
  sendsPerClient?: AttemptLimit | false;
  /** The client address of a request, for `sendsPerClient`. Default: the socket's remote address. */
  clientAddress?: (req: IncomingMessage) => string | undefined;
}

/** Resolved limits: undefined means off. Internal. */
export interface ResolvedRouteLimits {
  readonly codeAttempts: AttemptLimit | undefined;
  readonly emailSends: AttemptLimit | undefined;
  readonly smsSends: AttemptLimit | undefined;
  readonly sendsPerClient: AttemptLimit | undefined;
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
}

const DEFAULT_LIMITS = {
  codeAttempts: { max: 10, windowSeconds: 900 },
  emailSends: { max: 10, windowSeconds: 600 },
  smsSends: { max: 10, windowSeconds: 600 },
} as const;

function resolveLimit(name: keyof typeof DEFAULT_LIMITS | 'sendsPerClient', value: AttemptLimit | false | undefined): AttemptLimit | undefined {
  if (value === false) return undefined;
  if (value === undefined) return name === 'sendsPerClient' ? undefined : DEFAULT_LIMITS[name];
  const { max, windowSeconds } = value;
  if (!Number.isInteger(max) || max < 1 || max > 1_000_000) throw new ConfigError(`limits.${name}.max must be an integer from 1 to 1000000.`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 86_400) throw new ConfigError(`limits.${name}.windowSeconds must be an integer from 1 to 86400.`);
  return Object.freeze({ max, windowSeconds });
}

function resolveLimits(limits: StytchRoutesOptions['limits']): ResolvedRouteLimits {
  const given: RouteLimitsOptions = limits === false ? { codeAttempts: false, emailSends: false, smsSends: false, sendsPerClient: false } : (limits ?? {});
  if (typeof given !== 'object' || given === null) throw new ConfigError('limits must be false or an object of { max, windowSeconds } limits.');
  if (given.clientAddress !== undefined && typeof given.clientAddress !== 'function') throw new ConfigError('limits.clientAddress must be a function (req) => string | undefined.');
  return Object.freeze({
    codeAttempts: resolveLimit('codeAttempts', given.codeAttempts),
    emailSends: resolveLimit('emailSends', given.emailSends),
    smsSends: resolveLimit('smsSends', given.smsSends),
    sendsPerClient: resolveLimit('sendsPerClient', given.sendsPerClient),
    clientAddress: given.clientAddress ?? ((req: IncomingMessage) => req.socket?.remoteAddress),
  });
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
  flowParam: true,
  paths: Object.fromEntries(Object.keys(DEFAULT_ROUTE_PATHS).map((name) => [name, true])),
  errorUrls: Object.fromEntries(Object.keys(DEFAULT_ROUTE_PATHS).map((name) => [name, true])),
  onAuthenticated: true,
  onError: true,
  trustedSubdomains: true,
  maxBodyBytes: true,
  maxFactorAgeSeconds: true,
  resetPasswordUrl: true,
  attemptLimits: { member: true, client: true, strengthChecks: true, store: true, clientAddress: true },
  limits: {
    codeAttempts: { max: true, windowSeconds: true },
    emailSends: { max: true, windowSeconds: true },
    smsSends: { max: true, windowSeconds: true },
    sendsPerClient: { max: true, windowSeconds: true },
    clientAddress: true,
  },
  publicToken: true,
  publicBaseUrl: true,
  oauth: Object.fromEntries(OAUTH_PROVIDERS.map((name) => [name, { customScopes: true, providerParams: true }])),
  ssoCustomScopes: true,
  env: true,
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
  flowParam: boolean;
  paths: Readonly<Record<StytchRouteName, string | undefined>>;
  /** Only the routes given in `errorUrls`; the others use the login or MFA page. */
  errorUrls: Readonly<Partial<Record<StytchRouteName, string>>>;
  onAuthenticated: StytchRoutesOptions['onAuthenticated'];
  onError: StytchRoutesOptions['onError'];
  maxBodyBytes: number;
  maxFactorAgeMs: number;
  resetPasswordUrl: string;
  attemptLimiter: AttemptLimiter;
  limits: ResolvedRouteLimits;
  /** Undefined when no public token is configured (then no start route is mounted). */
  publicToken: string | undefined;
  publicBaseUrl: string | undefined;
  oauth: Readonly<Partial<Record<OAuthProvider, { customScopes: readonly string[]; providerParams: Readonly<Record<string, string>> }>>>;
  ssoCustomScopes: readonly string[];
}

const PUBLIC_TOKEN = /^public-token-(test|live)-[A-Za-z0-9-]{8,128}$/;
const SCOPE = /^[\x21-\x7e]{1,256}$/;
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function scopesOption(value: unknown, name: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && SCOPE.test(s))) {
    throw new ConfigError(`${name} must be an array of scope names (printable, no spaces).`);
  }
  return Object.freeze([...(value as string[])]);
}

function oauthOptions(value: unknown): ResolvedRoutesConfig['oauth'] {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new ConfigError('oauth must be an object keyed by provider.');
  const out: Partial<Record<OAuthProvider, { customScopes: readonly string[]; providerParams: Readonly<Record<string, string>> }>> = {};
  for (const provider of OAUTH_PROVIDERS) {
    const given = (value as Record<string, OAuthProviderOptions | undefined>)[provider];
    if (given === undefined) continue;
    const params = given.providerParams ?? {};
    if (typeof params !== 'object' || params === null) throw new ConfigError(`oauth.${provider}.providerParams must be an object of strings.`);
    for (const [key, v] of Object.entries(params)) {
      if (!PARAM_NAME.test(key) || typeof v !== 'string') throw new ConfigError(`oauth.${provider}.providerParams.${key} must be a string under a name of A-Z a-z 0-9 _ . -.`);
    }
    out[provider] = Object.freeze({ customScopes: scopesOption(given.customScopes, `oauth.${provider}.customScopes`), providerParams: Object.freeze({ ...params }) });
  }
  return Object.freeze(out);
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
  const env = options.env ?? process.env;
  const tokenGiven = options.publicToken ?? env.STYTCH_PUBLIC_TOKEN;
  if (tokenGiven !== undefined && (typeof tokenGiven !== 'string' || !PUBLIC_TOKEN.test(tokenGiven))) {
    throw new ConfigError("publicToken (or STYTCH_PUBLIC_TOKEN) must be a project public token, e.g. 'public-token-test-…'.");
  }
  const publicToken = tokenGiven === '' ? undefined : tokenGiven;
  const paths = {} as Record<StytchRouteName, string | undefined>;
  const seen = new Map<string, StytchRouteName>();
  for (const name of Object.keys(DEFAULT_ROUTE_PATHS) as StytchRouteName[]) {
    const explicit = options.paths !== undefined && Object.hasOwn(options.paths, name);
    const isStart = START_ROUTES.includes(name);
    if (isStart && explicit && options.paths?.[name] && publicToken === undefined) {
      throw new ConfigError(`paths.${name} is set but no publicToken is configured: pass publicToken or set STYTCH_PUBLIC_TOKEN.`);
    }
    // Start routes are mounted by default only when a public token is known.
    const given = explicit ? options.paths?.[name] : isStart && publicToken === undefined ? undefined : DEFAULT_ROUTE_PATHS[name];
    if (!given) {
      paths[name] = undefined;
      continue;
    }
    if (typeof given !== 'string' || !PATH_SHAPE.test(given) || given.includes('//')) {
      throw new ConfigError(`paths.${name} must be a path such as '${DEFAULT_ROUTE_PATHS[name]}' (letters, digits, / _ . ~ -).`);
    }
    const method = ROUTE_METHODS[name];
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
  if (options.flowParam !== undefined && typeof options.flowParam !== 'boolean') throw new ConfigError('flowParam must be a boolean.');
  const maxFactorAgeSeconds = options.maxFactorAgeSeconds ?? 300;
  if (!Number.isInteger(maxFactorAgeSeconds) || maxFactorAgeSeconds < 1 || maxFactorAgeSeconds > 86_400) {
    throw new ConfigError('maxFactorAgeSeconds must be an integer from 1 to 86400.');
  }
  const errorUrls: Partial<Record<StytchRouteName, string>> = {};
  if (options.errorUrls !== undefined) {
    if (typeof options.errorUrls !== 'object' || options.errorUrls === null) throw new ConfigError('errorUrls must be an object of route name to page.');
    for (const [name, target] of Object.entries(options.errorUrls) as [StytchRouteName, unknown][]) {
      if (target !== undefined) errorUrls[name] = resolveTarget(target, `errorUrls.${name}`, appOrigin, '/');
    }
  }

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
    flowParam: options.flowParam ?? true,
    paths,
    errorUrls: Object.freeze(errorUrls),
    onAuthenticated: options.onAuthenticated,
    onError: options.onError,
    maxBodyBytes,
    maxFactorAgeMs: maxFactorAgeSeconds * 1000,
    resetPasswordUrl: resolveTarget(options.resetPasswordUrl, 'resetPasswordUrl', appOrigin, '/reset-password'),
    attemptLimiter: new AttemptLimiter(options.attemptLimits),
    limits: resolveLimits(options.limits),
    publicToken,
    publicBaseUrl: options.publicBaseUrl === undefined ? undefined : parseConfiguredOrigin(options.publicBaseUrl, 'publicBaseUrl'),
    oauth: oauthOptions(options.oauth),
    ssoCustomScopes: scopesOption(options.ssoCustomScopes, 'ssoCustomScopes'),
  };
}
