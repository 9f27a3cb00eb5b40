import type { Dispatcher } from 'undici';
import type { StytchB2BClient } from '../client/client.js';
import { ConfigError } from '../errors.js';
import type { PolicyCache } from '../rbac/policy-cache.js';
import { DEFAULT_MAX_TOKEN_BYTES, isValidCookieName } from '../session/credentials.js';
import type { JwksCacheOptions } from '../session/jwks-cache.js';
import type { TokenKind } from '../session/auth-types.js';
import type { Logger } from '../session/logger.js';
import type { SharedStore } from '../store/types.js';
import { assertKnownOptions, warnDeprecated } from '../option-names.js';
import type { OptionShape } from '../option-names.js';
import type { ErrorPageRenderer, ResolvedCookieConfig, StytchContextConfig } from './types.js';

/** Cookie settings of `stytchAuth()`, inherited by `stytchRoutes()`. */
export interface CookieOptions {
  /** Session JWT cookie. Default `stytch_session_jwt` (the name Stytch's frontend SDK uses). */
  jwt?: string;
  /** Opaque session token cookie. Default `stytch_session` (the name Stytch's frontend SDK uses). */
  token?: string;
  /** Intermediate session token cookie, written by the routes during MFA and discovery. Default `stytch_intermediate_session_token`. */
  ist?: string;
  /** `__Host-` (recommended in production: no Domain, Path=/, Secure) or `__Secure-`, prepended to every cookie name. */
  prefix?: '__Host-' | '__Secure-';
  /** Cookie Path. Default `/`. */
  path?: string;
  /** Cookie Domain. Default: none (host-only). */
  domain?: string;
  /**
   * `Secure` on cookies. `'auto'` (default): always, except plain HTTP on a loopback connection to
   * `localhost`/`127.0.0.1` (local development). `true`: always.
   */
  secure?: 'auto' | true;
  /** Default `'lax'` (needed for magic-link callbacks arriving from email clients). */
  sameSite?: 'lax' | 'strict';
  /**
   * Who keeps the session cookies. `'server'` (default): `stytchAuth()` writes refreshed session
   * cookies and clears bad ones, always HttpOnly. `'frontend-sdk'`: Stytch's frontend SDK (or its
   * prebuilt UI) owns them, writing and reading them from JavaScript. `stytchAuth()` then only
   * reads them: it never writes a refreshed JWT back and never clears them. Session cookies that
   * the server still writes on purpose (a login or logout through `stytchRoutes()`,
   * `setSessionCookies()`, `clearSessionCookies()`) are written the way the SDK writes them,
   * without HttpOnly, so the SDK can read and replace them. Short-lived login cookies stay HttpOnly.
   */
  mode?: 'server' | 'frontend-sdk';
}

/** Options of `stytchAuth()`. Every option is validated once, when the factory is called. */
export interface StytchAuthOptions {
  /** A client to share (recommended when several parts of the app talk to Stytch). Default: one is created from the options below. */
  client?: StytchB2BClient;
  /** Used only when `client` is not given (then `STYTCH_PROJECT_ID` etc. are the fallbacks, read once by the client). */
  projectId?: string;
  secret?: string;
  baseUrl?: string;
  /** Environment to read fallbacks from when creating the client. Default `process.env`, read once. */
  env?: Record<string, string | undefined>;
  /** undici dispatcher for the created client and for JWKS fetches. */
  dispatcher?: Dispatcher;
  /** Cookie names and attributes, in one place; `stytchRoutes()` inherits them. */
  cookies?: CookieOptions;
  /**
   * The app's login page: guards send browser navigations without a session there (303, with a
   * `return_to`), and `stytchRoutes()` sends failed sign-in form posts back there with `?error=<code>`.
   * Relative path or absolute http(s) URL. Default: none (guards answer 401; the routes use `/login`).
   */
  loginUrl?: string;
  /** The app's MFA page: step-up redirects and logins that need a second factor land there. Default: none (guards answer 403; the routes use `/mfa`). */
  mfaUrl?: string;
  /**
   * Renders refusals (403, 503, and 401 when no `loginUrl` applies) for browser navigations, e.g.
   * as an HTML page. API calls always get the JSON body. Must end the response; if it throws or
   * leaves the response open when it returns (it must answer synchronously, e.g. `res.status(error.status).send(html)`),
   * the JSON body is sent instead. Default: JSON for everyone.
   */
  errorPage?: ErrorPageRenderer;
  /** @deprecated Use `cookies.secure`. */
  secure?: 'auto' | true;
  /** @deprecated Use `cookies.sameSite`. */
  sameSite?: 'lax' | 'strict';
  /** @deprecated Use `cookies.path`. */
  cookiePath?: string;
  /** @deprecated Use `cookies.domain`. */
  cookieDomain?: string;
  /** Trust `X-Forwarded-Proto` when deciding `Secure`. Only behind a proxy you control. Default false. */
  trustProxy?: boolean;
  /** Extend the session by this many minutes on every network check (5-527040). Default: not extended. */
  sessionDurationMinutes?: number;
  /**
   * Revocation window in seconds: a JWT issued longer ago (by `iat`) is re-checked with Stytch even
   * before its `exp`. 0 checks every request over the network. Default: none (trusted until `exp`, at most 5 minutes).
   */
  maxTokenAgeSeconds?: number;
  /** Leeway for `exp`/`nbf`/`iat` in seconds (0-300). Default 0. */
  clockToleranceSeconds?: number;
  /** Longest accepted token, in characters; longer ones are refused before any decoding. Default 8192. */
  maxTokenBytes?: number;
  /** JWKS cache tuning (each option as documented on `JwksCacheOptions`). */
  jwks?: Pick<JwksCacheOptions, 'maxAgeMs' | 'cooldownMs' | 'staleIfErrorMs' | 'timeoutMs' | 'maxBodyBytes' | 'maxKeys'>;
  /** Entries in the verified-token cache (0 disables it). Default 10 000. */
  verifiedCacheSize?: number;
  /** Circuit breaker of the network path. */
  circuitBreaker?: { failureThreshold?: number; coolOffMs?: number };
  /** Deadline of one `sessions/authenticate` call, in ms. Default: the client's `timeoutMs`. */
  networkTimeoutMs?: number;
  /** RBAC: a shared policy cache, and whether to warm it for each newly verified session (default true; never blocks a request). */
  rbac?: { policyCache?: PolicyCache; preload?: boolean };
  /**
   * Token kinds to accept: `'session'` (member sessions: bearer JWT and cookies), `'m2m'` (M2M
   * access tokens) and `'connected_app'` (Connected-App access tokens), the machine kinds as
   * `Authorization: Bearer` only. Machine tokens are verified locally against the project JWKS
   * (issuer, audience, expiry, a space-separated `scope`, the organization claim) and cached like
   * session JWTs; their auth object has `status: 'machine'`. Routes take machines only where they
   * opt in: `requireAuth`/`requirePermission` accept member sessions unless given their own
   * `acceptsToken`, `requireScope` takes the machine kinds listed here, and
   * `requireRole`/`requireFreshAuth`/`createGuard` only ever accept members.
   * Default `['session']`: machine tokens are signed out as `not_a_session_token`, as before.
   */
  acceptsToken?: readonly TokenKind[];
  /**
   * Introspect opaque Connected-App access tokens (and serve `requirePermission(..., { mode: 'remote' })`
   * for Connected-App tokens) with `POST /v1/public/{project_id}/oauth2/introspect`, as the official
   * SDK's `idp.introspectTokenNetwork` does. Stytch requires the Connected App's `clientId`, and
   * its `clientSecret` for a confidential client (public clients have none). Needs
   * `'connected_app'` in `acceptsToken`. An opaque bearer token then costs one network call,
   * shared by concurrent requests, remembered until its `exp` (at most five minutes, and at most
   * `maxTokenAgeSeconds`); an inactive one is refused (401) and remembered for a while; Stytch
   * unreachable is undecided (503), behind the same circuit breaker as sessions. Default: none
   * (an opaque bearer token is malformed; JWT Connected-App tokens are verified locally either way).
   */
  connectedApps?: { clientId: string; clientSecret?: string };
  /**
   * Shared short-lived state: revocations (logout, `revokeSession`, `revokeMember`) and the routes'
   * attempt limits. Default: `memoryStore()`, this process only. Give every instance of a fleet the
   * same `redisStore({ url })` so a logout on one is refused by all within about a second. A store
   * given here is not closed by `close()` (it may be shared).
   */
  store?: SharedStore;
  /** Receives structured events (reasons and ids only, never tokens). */
  logger?: Logger;
  /** Epoch-ms clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Everything `stytchAuth()` needs, resolved once. Internal. */
export interface ResolvedStytchAuthOptions {
  config: StytchContextConfig;
  maxTokenBytes: number;
  maxTokenAgeSeconds: number | undefined;
  clockToleranceSeconds: number;
  jwks: NonNullable<StytchAuthOptions['jwks']>;
  verifiedCacheSize: number;
  failureThreshold: number;
  coolOffMs: number;
  networkTimeoutMs: number | undefined;
  preload: boolean;
  /** The `connectedApps` option, validated (undefined when not given). */
  connectedApps: { readonly clientId: string; readonly clientSecret: string | undefined } | undefined;
  /** The `store` option as given (undefined: `stytchAuth()` creates a memory store). */
  store: SharedStore | undefined;
  logger: Logger | undefined;
  now: () => number;
}

function fail(option: string, message: string): never {
  throw new ConfigError(`stytchAuth(): option "${option}" ${message}`);
}

const COOKIE_SHAPE: OptionShape = { jwt: true, token: true, ist: true, prefix: true, path: true, domain: true, secure: true, sameSite: true, mode: true };

/** Every option `stytchAuth()` knows; anything else is refused at startup. */
export const STYTCH_AUTH_OPTIONS: OptionShape = {
  client: true,
  projectId: true,
  secret: true,
  baseUrl: true,
  env: true,
  dispatcher: true,
  cookies: COOKIE_SHAPE,
  loginUrl: true,
  mfaUrl: true,
  errorPage: true,
  secure: true,
  sameSite: true,
  cookiePath: true,
  cookieDomain: true,
  trustProxy: true,
  sessionDurationMinutes: true,
  maxTokenAgeSeconds: true,
  clockToleranceSeconds: true,
  maxTokenBytes: true,
  jwks: { maxAgeMs: true, cooldownMs: true, staleIfErrorMs: true, timeoutMs: true, maxBodyBytes: true, maxKeys: true },
  verifiedCacheSize: true,
  circuitBreaker: { failureThreshold: true, coolOffMs: true },
  networkTimeoutMs: true,
  rbac: { policyCache: true, preload: true },
  acceptsToken: true,
  connectedApps: { clientId: true, clientSecret: true },
  store: true,
  logger: true,
  now: true,
};

/** Old option names kept for one release: old name, new name. */
const DEPRECATED: ReadonlyArray<readonly ['secure' | 'sameSite' | 'cookiePath' | 'cookieDomain', 'secure' | 'sameSite' | 'path' | 'domain']> = [
  ['secure', 'secure'],
  ['sameSite', 'sameSite'],
  ['cookiePath', 'path'],
  ['cookieDomain', 'domain'],
];

function optionalNumber(option: string, value: unknown, min: number, max: number, integer = true): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(option, `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}.`);
  }
  return value;
}

// eslint-disable-next-line no-control-regex
const UNSAFE_ATTRIBUTE = /[\u0000-\u0020;,\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

function redirectTarget(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048 || CONTROL_OR_SPACE.test(value)) {
    fail(option, 'must be a path or an http(s) URL without spaces or control characters.');
  }
  if (value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(option, 'must be a path starting with "/" or an absolute http(s) URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(option, 'must use http or https.');
  return value;
}

/** Validate and freeze the options (never mutating the caller's object). */
export function resolveStytchAuthOptions(options: StytchAuthOptions): ResolvedStytchAuthOptions {
  if (typeof options !== 'object' || options === null) throw new ConfigError('stytchAuth(): options must be an object.');
  assertKnownOptions('stytchAuth()', options, STYTCH_AUTH_OPTIONS);
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) fail('logger', 'must be a pino-compatible logger object.');
  const cookieOptions: CookieOptions = { ...(options.cookies ?? {}) };
  // Errors name the option the caller wrote, old name included.
  const spelled: Record<string, string> = {};
  for (const [oldName, newName] of DEPRECATED) {
    if (options[oldName] === undefined) continue;
    warnDeprecated('stytchAuth()', oldName, `cookies.${newName}`, options.logger);
    if (cookieOptions[newName] !== undefined) fail(oldName, `and "cookies.${newName}" are both set; keep only "cookies.${newName}".`);
    (cookieOptions as Record<string, unknown>)[newName] = options[oldName];
    spelled[newName] = oldName;
  }
  const cookies = resolveCookies(cookieOptions, (key) => spelled[key] ?? `cookies.${key}`);
  if (options.trustProxy !== undefined && typeof options.trustProxy !== 'boolean') fail('trustProxy', 'must be a boolean.');

  const sessionDurationMinutes = optionalNumber('sessionDurationMinutes', options.sessionDurationMinutes, 5, 527_040);
  const maxTokenAgeSeconds = optionalNumber('maxTokenAgeSeconds', options.maxTokenAgeSeconds, 0, 86_400);
  const clockToleranceSeconds = optionalNumber('clockToleranceSeconds', options.clockToleranceSeconds, 0, 300) ?? 0;
  const maxTokenBytes = optionalNumber('maxTokenBytes', options.maxTokenBytes, 256, 65_536) ?? DEFAULT_MAX_TOKEN_BYTES;
  const verifiedCacheSize = optionalNumber('verifiedCacheSize', options.verifiedCacheSize, 0, 10_000_000) ?? 10_000;
  const failureThreshold = optionalNumber('circuitBreaker.failureThreshold', options.circuitBreaker?.failureThreshold, 1, 1000) ?? 5;
  const coolOffMs = optionalNumber('circuitBreaker.coolOffMs', options.circuitBreaker?.coolOffMs, 0, 3_600_000) ?? 30_000;
  const networkTimeoutMs = optionalNumber('networkTimeoutMs', options.networkTimeoutMs, 1, 600_000);
  const jwks = options.jwks ?? {};
  optionalNumber('jwks.maxAgeMs', jwks.maxAgeMs, 1_000, 86_400_000);
  optionalNumber('jwks.cooldownMs', jwks.cooldownMs, 0, 3_600_000);
  optionalNumber('jwks.staleIfErrorMs', jwks.staleIfErrorMs, 0, 7 * 86_400_000);
  optionalNumber('jwks.timeoutMs', jwks.timeoutMs, 1, 60_000);
  optionalNumber('jwks.maxBodyBytes', jwks.maxBodyBytes, 1_024, 10 * 1024 * 1024);
  optionalNumber('jwks.maxKeys', jwks.maxKeys, 1, 100);
  if (options.now !== undefined && typeof options.now !== 'function') fail('now', 'must be a function returning epoch milliseconds.');
  if (options.rbac?.preload !== undefined && typeof options.rbac.preload !== 'boolean') fail('rbac.preload', 'must be a boolean.');
  if (options.errorPage !== undefined && typeof options.errorPage !== 'function') fail('errorPage', 'must be a function (req, res, error) that ends the response.');
  if (options.store !== undefined && !isStore(options.store)) fail('store', 'must be a store such as memoryStore() or redisStore({ url }).');

  const config: StytchContextConfig = Object.freeze({
    cookies: Object.freeze({
      ...cookies,
      trustProxy: options.trustProxy ?? false,
      // Read once, here: in production every cookie is Secure whatever the connection looks like.
      insecureLoopbackAllowed: (options.env ?? process.env).NODE_ENV !== 'production',
    }),
    loginUrl: redirectTarget('loginUrl', options.loginUrl),
    mfaUrl: redirectTarget('mfaUrl', options.mfaUrl),
    errorPage: options.errorPage,
    sessionDurationMinutes,
    acceptsToken: resolveAcceptsToken('stytchAuth()', options.acceptsToken) ?? DEFAULT_ACCEPTS,
  });
  const connectedApps = resolveConnectedApps(options.connectedApps, config.acceptsToken);

  return {
    config,
    maxTokenBytes,
    maxTokenAgeSeconds,
    clockToleranceSeconds,
    jwks: { ...jwks },
    verifiedCacheSize,
    failureThreshold,
    coolOffMs,
    networkTimeoutMs,
    preload: options.rbac?.preload ?? true,
    connectedApps,
    store: options.store,
    logger: options.logger,
    now: options.now ?? Date.now,
  };
}

/** Client ids are printable ASCII without spaces (they travel in a form body). */
const CLIENT_ID = /^[\x21-\x7e]{1,1024}$/;

function resolveConnectedApps(value: unknown, accepts: ReadonlySet<TokenKind>): ResolvedStytchAuthOptions['connectedApps'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('connectedApps', 'must be an object { clientId, clientSecret? }.');
  const { clientId, clientSecret } = value as Record<string, unknown>;
  // Stytch's introspection always needs the Connected App's client id (addendum A8.5).
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) fail('connectedApps.clientId', 'is required: the Connected App\'s client id (printable characters, no spaces).');
  // Never echo the secret: only its type is judged.
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret.length === 0 || clientSecret.length > 1024)) {
    fail('connectedApps.clientSecret', 'must be a non-empty string when given (confidential clients); leave it out for public clients.');
  }
  if (!accepts.has('connected_app')) fail('connectedApps', "needs 'connected_app' in acceptsToken.");
  return Object.freeze({ clientId, clientSecret });
}

const TOKEN_KINDS: readonly TokenKind[] = ['session', 'm2m', 'connected_app'];
const DEFAULT_ACCEPTS: ReadonlySet<TokenKind> = Object.freeze(new Set<TokenKind>(['session']));

/**
 * Validate an `acceptsToken` list (of `stytchAuth()` or a guard) into a frozen set; undefined
 * when not given. Throws a ConfigError naming the factory for an empty list or an unknown kind.
 */
export function resolveAcceptsToken(factory: string, value: unknown, allowed: readonly TokenKind[] = TOKEN_KINDS): ReadonlySet<TokenKind> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(`${factory}: option "acceptsToken" must be a non-empty array of ${allowed.map((k) => `'${k}'`).join(', ')}.`);
  for (const kind of value as unknown[]) {
    if (typeof kind !== 'string' || !(allowed as readonly string[]).includes(kind)) {
      throw new ConfigError(`${factory}: option "acceptsToken" holds ${JSON.stringify(kind)}; allowed: ${allowed.map((k) => `'${k}'`).join(', ')}.`);
    }
  }
  return Object.freeze(new Set(value as TokenKind[]));
}

const STORE_METHODS = ['revoke', 'isRevoked', 'hit', 'peek', 'reset', 'ready', 'metrics', 'close'] as const;

function isStore(value: unknown): value is SharedStore {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return STORE_METHODS.every((name) => typeof candidate[name] === 'function') && typeof candidate.hasRevocations === 'boolean';
}

/** Validate the cookie group; names get the prefix, and a prefix forces Secure. */
function resolveCookies(cookies: CookieOptions, named: (key: keyof CookieOptions) => string): Omit<ResolvedCookieConfig, 'trustProxy' | 'insecureLoopbackAllowed'> {
  const prefix = cookies.prefix;
  if (prefix !== undefined && prefix !== '__Host-' && prefix !== '__Secure-') fail('cookies.prefix', 'must be "__Host-" or "__Secure-".');
  const names = {
    jwt: (prefix ?? '') + (cookies.jwt ?? 'stytch_session_jwt'),
    token: (prefix ?? '') + (cookies.token ?? 'stytch_session'),
    ist: (prefix ?? '') + (cookies.ist ?? 'stytch_intermediate_session_token'),
  };
  for (const [key, name] of Object.entries(names)) {
    // `;`, `=`, CR/LF or spaces in a name would inject cookie attributes.
    if (!isValidCookieName(name)) fail(`cookies.${key}`, 'must be a cookie name (letters, digits and !#$%&\'*+-.^_`|~ only).');
  }
  if (new Set(Object.values(names)).size !== 3) fail('cookies', 'must use three different names.');
  const secure: unknown = cookies.secure ?? 'auto';
  if (secure === false) fail(named('secure'), "false is refused: 'auto' already omits Secure for plain-HTTP localhost development.");
  if (secure !== 'auto' && secure !== true) fail(named('secure'), "must be 'auto' or true.");
  const sameSite = cookies.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') fail(named('sameSite'), "must be 'lax' or 'strict'.");
  const path = cookies.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/') || UNSAFE_ATTRIBUTE.test(path) || path.length > 1024) fail(named('path'), 'must start with "/" and hold no spaces, ";", "," or control characters.');
  const domain = cookies.domain;
  if (domain !== undefined && (typeof domain !== 'string' || !/^\.?[A-Za-z0-9.-]{1,253}$/.test(domain))) fail(named('domain'), 'must be a host name.');
  if (prefix === '__Host-' && (domain !== undefined || path !== '/')) fail('cookies.prefix', `"__Host-" requires no ${named('domain')} and ${named('path')} "/".`);
  const mode = cookies.mode ?? 'server';
  if (mode !== 'server' && mode !== 'frontend-sdk') fail('cookies.mode', "must be 'server' or 'frontend-sdk'.");
  // A cookie prefix needs Secure everywhere, so it upgrades 'auto' to true.
  return { ...names, prefix, secure: prefix === undefined ? secure : true, sameSite, path, domain, mode };
}
