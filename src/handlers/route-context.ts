/**
 * What each route handler is handed: the request's decision (auth object and credential), the
 * shared client and clock, the cookie writers, and the routes' config merged with what
 * `stytchAuth()` already knows. Built by the router; no handler looks anything up from `req`.
 */
import type { IncomingMessage } from 'node:http';
import type { StytchB2BClient } from '../client/client.js';
import { isSecureRequest } from '../middleware/cookies.js';
import type { Credential, StytchAuth } from '../session/auth-types.js';
import type { Logger } from '../session/logger.js';
import type { CookieWriter, ResolvedCookieConfig, StytchInstance } from '../middleware/types.js';
import { createRouteLimiters } from './limits.js';
import type { RouteLimiters } from './limits.js';
import type { ResolvedRoutesConfig } from './options.js';
import { FlowCookies, transientCookieNames } from './transient.js';
import type { TransientCookieNames } from './transient.js';

/** The routes' config with the pages and cookie names inherited from `stytchAuth()`. */
export interface RoutesConfig extends Omit<ResolvedRoutesConfig, 'loginUrl' | 'mfaUrl' | 'afterLogoutUrl'> {
  readonly loginUrl: string;
  readonly mfaUrl: string;
  readonly afterLogoutUrl: string;
  /** Session cookie names of the `stytchAuth()` instance. */
  readonly sessionCookies: { readonly jwt: string; readonly token: string };
  /** `session_duration_minutes` for calls that create a session: `{}` when Stytch's default applies. */
  readonly sessionFields: { readonly session_duration_minutes?: number };
}

/** One router bound to one `stytchAuth()` instance: resolved once. */
export interface RouteBinding {
  readonly cfg: RoutesConfig;
  readonly flow: FlowCookies;
  readonly instance: StytchInstance;
  /** The attempt limits, counted in the instance's store. */
  readonly limiters: RouteLimiters;
}

/** Everything a handler needs for one request. */
export interface RouteContext extends RouteBinding {
  readonly auth: StytchAuth;
  readonly credential: Credential | undefined;
  readonly client: StytchB2BClient;
  readonly logger: Logger | undefined;
  readonly cookies: CookieWriter;
  now(): number;
}

/**
 * `__Host-` names for the routes' transient cookies on Secure responses, unless the app chose a
 * prefix, a cookie Path or Domain (which `__Host-` forbids), or lets the frontend SDK keep the
 * cookies (it reads the IST under its own name).
 */
function hostPrefixed(cookies: ResolvedCookieConfig): { names: TransientCookieNames; isSecure: (req: IncomingMessage) => boolean } | undefined {
  if (cookies.prefix !== undefined || cookies.path !== '/' || cookies.domain !== undefined || cookies.mode === 'frontend-sdk') return undefined;
  return { names: transientCookieNames('__Host-', `__Host-${cookies.ist}`), isSecure: (req) => isSecureRequest(req, cookies) };
}

/** Merge a router's options with an instance's config (the pages come from one place). */
export function bindRoutes(routes: ResolvedRoutesConfig, instance: StytchInstance): RouteBinding {
  const { config } = instance.context;
  const loginUrl = routes.loginUrl ?? config.loginUrl ?? '/login';
  const duration = routes.sessionDurationMinutes ?? config.sessionDurationMinutes;
  const cfg: RoutesConfig = Object.freeze({
    ...routes,
    loginUrl,
    mfaUrl: routes.mfaUrl ?? config.mfaUrl ?? '/mfa',
    afterLogoutUrl: routes.afterLogoutUrl ?? loginUrl,
    sessionDurationMinutes: duration,
    sessionCookies: Object.freeze({ jwt: config.cookies.jwt, token: config.cookies.token }),
    sessionFields: Object.freeze(duration === undefined ? {} : { session_duration_minutes: duration }),
    // Password and email-code limits count in the instance's store: with Redis, across the fleet.
    attemptLimiter: routes.attemptLimiter.withSharedStore(instance.store),
  });
  return Object.freeze({
    cfg,
    instance,
    flow: new FlowCookies(transientCookieNames(config.cookies.prefix, config.cookies.ist), instance.cookies, hostPrefixed(config.cookies)),
    limiters: createRouteLimiters(routes.limits, instance.store),
  });
}
