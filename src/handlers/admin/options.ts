/**
 * Options of `stytchAdminRoutes()` and their one-time validation: paths compiled into patterns,
 * origins parsed, the invite redirect checked. Nothing here is read again per request.
 */
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../../errors.js';
import type { StytchAuthMiddleware } from '../../middleware/stytch-auth.js';
import { assertKnownOptions } from '../../option-names.js';
import type { OptionShape } from '../../option-names.js';
import { parseConfiguredOrigin } from '../options.js';

/** Route keys of `stytchAdminRoutes()`; each maps to a path under the router's mount point. */
export type AdminRouteName =
  | 'membersList'
  | 'memberGet'
  | 'memberInvite'
  | 'memberResendInvite'
  | 'memberRoles'
  | 'memberDeactivate'
  | 'memberReactivate'
  | 'memberDelete'
  | 'memberDeletePhone'
  | 'memberDeleteTotp'
  | 'memberDeletePassword'
  | 'organizationGet'
  | 'organizationUpdate'
  | 'me'
  | 'meUpdate'
  | 'meDeletePhone'
  | 'meDeleteTotp'
  | 'meRecoveryCodes'
  | 'meRecoveryCodesRotate'
  | 'meSessions'
  | 'meRevokeAllSessions';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Default path and method of every route, relative to where the router is mounted. */
export const ADMIN_ROUTES: Readonly<Record<AdminRouteName, { readonly method: AdminMethod; readonly path: string }>> = {
  membersList: { method: 'GET', path: '/members' },
  memberGet: { method: 'GET', path: '/members/:member_id' },
  memberInvite: { method: 'POST', path: '/members/invite' },
  memberResendInvite: { method: 'POST', path: '/members/:member_id/resend-invite' },
  memberRoles: { method: 'PUT', path: '/members/:member_id/roles' },
  memberDeactivate: { method: 'POST', path: '/members/:member_id/deactivate' },
  memberReactivate: { method: 'POST', path: '/members/:member_id/reactivate' },
  memberDelete: { method: 'DELETE', path: '/members/:member_id' },
  memberDeletePhone: { method: 'DELETE', path: '/members/:member_id/mfa/phone' },
  memberDeleteTotp: { method: 'DELETE', path: '/members/:member_id/mfa/totp' },
  memberDeletePassword: { method: 'DELETE', path: '/members/:member_id/password' },
  organizationGet: { method: 'GET', path: '/organization' },
  organizationUpdate: { method: 'PATCH', path: '/organization' },
  me: { method: 'GET', path: '/me' },
  meUpdate: { method: 'PATCH', path: '/me' },
  meDeletePhone: { method: 'DELETE', path: '/me/mfa/phone' },
  meDeleteTotp: { method: 'DELETE', path: '/me/mfa/totp' },
  meRecoveryCodes: { method: 'POST', path: '/me/recovery-codes' },
  meRecoveryCodesRotate: { method: 'POST', path: '/me/recovery-codes/rotate' },
  meSessions: { method: 'GET', path: '/me/sessions' },
  meRevokeAllSessions: { method: 'POST', path: '/me/sessions/revoke-all' },
};

/** Options of {@link stytchAdminRoutes}. */
export interface StytchAdminRoutesOptions {
  /**
   * The `stytchAuth()` middleware these routes run behind. Recommended: the routes then bind to
   * its client, policy cache and store at construction. Without it, they use whichever
   * `stytchAuth()` decided the request.
   */
  auth?: StytchAuthMiddleware;
  /** The application's own origin, e.g. `'https://app.example.com'`: the expected `Origin` of every non-GET. Required. */
  appUrl: string;
  /** Further exact origins allowed to send non-GET requests. Default none. */
  allowedOrigins?: readonly string[];
  /** Accept `Sec-Fetch-Site: same-site` when a request has neither `Origin` nor `Referer`. Default `false`. */
  trustedSubdomains?: boolean;
  /**
   * Absolute URL of the app's route that redeems invite links (e.g. `${appUrl}/auth/callback`, the
   * callback of `stytchRoutes()`). Required unless both invite routes are disabled.
   */
  inviteRedirectUrl?: string;
  /** Per-route paths (`:member_id` marks the member segment). A falsy value disables that route. */
  paths?: Partial<Record<AdminRouteName, string | false | null>>;
  /**
   * The self routes that remove a factor or show or rotate recovery codes need a factor proven at
   * most this many seconds ago (403 `step_up_required` otherwise). Default 300.
   */
  maxFactorAgeSeconds?: number;
  /**
   * Check the member's permission with the cached RBAC policy before calling Stytch, so a refusal
   * costs no upstream call. Default `true`. Stytch enforces the same permissions either way (every
   * call carries the member's session); `false` is for tests of that enforcement.
   */
  localCheck?: boolean;
  /** Largest request body accepted, in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** Called with every error a route answers (for reporting). Its own failures are ignored. */
  onError?: (err: unknown, req: IncomingMessage) => void;
}

/** One path segment of a compiled route path. */
export type Segment = { readonly literal: string } | { readonly param: 'member_id' };

/** Validated options. Internal. */
export interface ResolvedAdminConfig {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly trustedSubdomains: boolean;
  readonly inviteRedirectUrl: string | undefined;
  /** The enabled routes' compiled paths. */
  readonly paths: Readonly<Partial<Record<AdminRouteName, readonly Segment[]>>>;
  readonly maxFactorAgeMs: number;
  readonly localCheck: boolean;
  readonly maxBodyBytes: number;
  readonly onError: StytchAdminRoutesOptions['onError'];
}

const ADMIN_OPTIONS: OptionShape = {
  auth: true,
  appUrl: true,
  allowedOrigins: true,
  trustedSubdomains: true,
  inviteRedirectUrl: true,
  paths: Object.fromEntries(Object.keys(ADMIN_ROUTES).map((name) => [name, true])),
  maxFactorAgeSeconds: true,
  localCheck: true,
  maxBodyBytes: true,
  onError: true,
};

const PATH_SHAPE = /^\/[A-Za-z0-9/_.~:-]*$/;
const LITERAL = /^[A-Za-z0-9_.~-]+$/;

/** Split a path into segments; a trailing slash is ignored. */
export function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

function compilePath(name: AdminRouteName, given: string): Segment[] {
  const fallback = ADMIN_ROUTES[name].path;
  const needsMember = fallback.includes(':member_id');
  if (!PATH_SHAPE.test(given) || given.includes('//')) throw new ConfigError(`paths.${name} must be a path such as '${fallback}'.`);
  const segments: Segment[] = splitPath(given).map((part) => {
    if (part === ':member_id') return { param: 'member_id' };
    if (!LITERAL.test(part)) throw new ConfigError(`paths.${name}: segment "${part}" must be letters, digits, _ . ~ - or ":member_id".`);
    return { literal: part };
  });
  const params = segments.filter((s) => 'param' in s).length;
  if (params !== (needsMember ? 1 : 0)) {
    throw new ConfigError(`paths.${name} must contain ${needsMember ? 'exactly one' : 'no'} ":member_id" segment, like '${fallback}'.`);
  }
  return segments;
}

function absoluteUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${name} must be an absolute http(s) URL, e.g. 'https://app.example.com/auth/callback'.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name} must be an http(s) URL without credentials.`);
  }
  return url.href;
}

/** Validate `stytchAdminRoutes()` options once. Never mutates `options`. */
export function resolveAdminOptions(options: StytchAdminRoutesOptions): ResolvedAdminConfig {
  if (typeof options !== 'object' || options === null) throw new ConfigError('stytchAdminRoutes(options): options are required (at least appUrl).');
  assertKnownOptions('stytchAdminRoutes()', options, ADMIN_OPTIONS);
  const appOrigin = parseConfiguredOrigin(options.appUrl, 'appUrl');
  const allowed = new Set<string>([appOrigin]);
  for (const origin of options.allowedOrigins ?? []) allowed.add(parseConfiguredOrigin(origin, 'allowedOrigins[]'));

  const paths: Partial<Record<AdminRouteName, readonly Segment[]>> = {};
  const seen = new Map<string, AdminRouteName>();
  for (const name of Object.keys(ADMIN_ROUTES) as AdminRouteName[]) {
    const explicit = options.paths !== undefined && Object.hasOwn(options.paths, name);
    const given = explicit ? options.paths?.[name] : ADMIN_ROUTES[name].path;
    if (!given) continue;
    if (typeof given !== 'string') throw new ConfigError(`paths.${name} must be a path string or false.`);
    const segments = compilePath(name, given);
    const key = `${ADMIN_ROUTES[name].method} /${segments.map((s) => ('param' in s ? ':' : s.literal)).join('/')}`;
    const clash = seen.get(key);
    if (clash !== undefined) throw new ConfigError(`paths.${name} and paths.${clash} are the same route (${key}).`);
    seen.set(key, name);
    paths[name] = Object.freeze(segments);
  }

  const invites = paths.memberInvite !== undefined || paths.memberResendInvite !== undefined;
  if (invites && options.inviteRedirectUrl === undefined) {
    throw new ConfigError('inviteRedirectUrl is required while the invite routes are enabled: the absolute URL of the route that redeems invite links.');
  }
  const inviteRedirectUrl = options.inviteRedirectUrl === undefined ? undefined : absoluteUrl(options.inviteRedirectUrl, 'inviteRedirectUrl');

  const maxFactorAgeSeconds = options.maxFactorAgeSeconds ?? 300;
  if (!Number.isInteger(maxFactorAgeSeconds) || maxFactorAgeSeconds < 1 || maxFactorAgeSeconds > 86_400) {
    throw new ConfigError('maxFactorAgeSeconds must be an integer from 1 to 86400.');
  }
  if (options.localCheck !== undefined && typeof options.localCheck !== 'boolean') throw new ConfigError('localCheck must be a boolean.');
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 256) throw new ConfigError('maxBodyBytes must be an integer >= 256.');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new ConfigError('onError must be a function.');
  if (options.trustedSubdomains !== undefined && typeof options.trustedSubdomains !== 'boolean') throw new ConfigError('trustedSubdomains must be a boolean.');

  return Object.freeze({
    allowedOrigins: allowed,
    trustedSubdomains: options.trustedSubdomains === true,
    inviteRedirectUrl,
    paths: Object.freeze(paths),
    maxFactorAgeMs: maxFactorAgeSeconds * 1000,
    localCheck: options.localCheck ?? true,
    maxBodyBytes,
    onError: options.onError,
  });
}
