/**
 * Types shared by the middleware, the guards and the routes. A leaf module: it imports types
 * only, so every file of the edge can depend on it without a cycle.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StytchB2BClient } from '../client/client.js';
import type { StytchExpressError } from '../errors.js';
import type { AuthorizationDecision } from '../rbac/evaluate.js';
import type { PolicyCache } from '../rbac/policy-cache.js';
import type { Credential, MachineAuth, SignedInAuth, TokenKind } from '../session/auth-types.js';
import type { AuthOutcome, RefreshedCredentials } from '../session/authenticator.js';
import type { Logger } from '../session/logger.js';
import type { SessionMetrics } from '../session/metrics.js';
import type { PendingRevocations } from '../session/revocations.js';
import type { SharedStore } from '../store/types.js';

/** Connect-style middleware: works on Express 4, Express 5 and Connect. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Renders a refusal for a browser navigation (see `StytchAuthOptions.errorPage`). */
export type ErrorPageRenderer = (req: IncomingMessage, res: ServerResponse, error: StytchExpressError) => void;

/** Resolved cookie settings of one `stytchAuth()` instance (names already carry the prefix). */
export interface ResolvedCookieConfig {
  /** Name of the session JWT cookie. Default `stytch_session_jwt`. */
  readonly jwt: string;
  /** Name of the opaque session token cookie. Default `stytch_session`. */
  readonly token: string;
  /** Name of the intermediate session token cookie (used by the routes). Default `stytch_intermediate_session_token`. */
  readonly ist: string;
  /** `__Host-` or `__Secure-` when configured; already part of the names above. */
  readonly prefix: '__Host-' | '__Secure-' | undefined;
  /** `'auto'`: Secure unless the request is plain HTTP on a loopback connection to a loopback host. `true`: always. */
  readonly secure: 'auto' | true;
  readonly sameSite: 'lax' | 'strict';
  /** Cookie Path. Default `/`. */
  readonly path: string;
  /** Cookie Domain; unset by default (host-only cookies). */
  readonly domain: string | undefined;
  /** Trust `X-Forwarded-Proto` when deciding the Secure attribute. Default false. */
  readonly trustProxy: boolean;
  /**
   * Whether `'auto'` may leave `Secure` off at all: only outside production (`NODE_ENV` is not
   * `production`, read once from `env`), for local development over plain http://localhost.
   */
  readonly insecureLoopbackAllowed: boolean;
  /** Who keeps the session cookies: `'server'` (default) or `'frontend-sdk'` (see `CookieOptions.mode`). */
  readonly mode: 'server' | 'frontend-sdk';
}

/** Cookie and redirect settings of one `stytchAuth()` instance, resolved once in the factory. */
export interface StytchContextConfig {
  readonly cookies: ResolvedCookieConfig;
  /** Where browser navigations without a session are sent (303, with `return_to`). */
  readonly loginUrl: string | undefined;
  /** Where browser navigations that need step-up MFA are sent. */
  readonly mfaUrl: string | undefined;
  /** Renders refusals for browser navigations; JSON otherwise. */
  readonly errorPage: ErrorPageRenderer | undefined;
  /** Forwarded to `sessions/authenticate` when set (extends the session on each network check). */
  readonly sessionDurationMinutes: number | undefined;
  /** Token kinds this instance verifies (option `acceptsToken`); guards default to these. */
  readonly acceptsToken: ReadonlySet<TokenKind>;
}

/**
 * Everything a guard or route handler needs from the `stytchAuth()` that ran for this request:
 * the shared client, the policy cache, the injected clock, the logger and the resolved config.
 */
export interface StytchRequestContext {
  readonly client: StytchB2BClient;
  readonly policyCache: PolicyCache;
  /** Epoch milliseconds (injected in tests). */
  now(): number;
  readonly logger: Logger | undefined;
  readonly metrics: SessionMetrics;
  readonly config: StytchContextConfig;
  /** The raw credential the identity came from on this request. Never log it. */
  readonly credential?: Credential;
  /**
   * Refuse a session on every path (cached, local JWT and network answers) until `untilMs` (e.g.
   * its `sessionExpiresAt`), or for ten minutes when omitted: use after a logout, so the JWT's
   * remaining lifetime and a revoke that did not reach Stytch cannot let it back in. Enforced in
   * this process at once, and published to the `store` (with Redis: every instance of the fleet).
   */
  forgetSession(sessionId: string, untilMs?: number): void;
  /**
   * Ask Stytch now about a Connected-App token (introspection, bypassing the machine cache; the
   * single flight, negative cache and breaker still apply). Set only when `stytchAuth()` has the
   * `connectedApps` option; used by `requirePermission(..., { mode: 'remote' })`. Never rejects.
   */
  readonly introspectMachineToken?: ((token: string) => Promise<AuthOutcome>) | undefined;
}

/** Writes the cookies of one `stytchAuth()` instance with its resolved attributes. */
export interface CookieWriter {
  /** Write a cookie (HttpOnly unless turned off); `maxAgeSeconds` of 0 or less clears it. */
  set(req: IncomingMessage, res: ServerResponse, name: string, value: string, options: { maxAgeSeconds: number; httpOnly?: boolean; path?: string }): void;
  /** Expire a cookie with the attributes it was written with. */
  clear(req: IncomingMessage, res: ServerResponse, name: string, options?: { path?: string }): void;
  /** Write both session cookies, capped at the session's expiry. */
  setSession(req: IncomingMessage, res: ServerResponse, session: { session_token: string; session_jwt: string; expires_at: string | Date } | RefreshedCredentials): void;
  /** Clear both session cookies. */
  clearSession(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Whether `stytchAuth()` itself writes refreshed session cookies and clears bad ones. False in
   * `'frontend-sdk'` mode, where Stytch's frontend SDK keeps them.
   */
  readonly ownsSession: boolean;
}

/** One `stytchAuth()` instance as the edges see it: its context (no credential), its cookie writer, and its pending revocations. */
export interface StytchInstance {
  readonly context: StytchRequestContext;
  readonly cookies: CookieWriter;
  /** Keep revoking a logged-out session until Stytch confirms or it expires; true when one is pending. */
  readonly revocations: PendingRevocations;
  /** Shared short-lived state (revocations, attempt counters) of this instance. */
  readonly store: SharedStore;
}

/** The RBAC verdict of the last permission guard that ran for a request. */
export interface AuthorizationVerdictInfo extends AuthorizationDecision {
  /** Where the decision was made. */
  mode: 'local' | 'remote';
  /** The check that was decided (organization resolved to an id). */
  check: { organizationId: string; resourceId: string; action: string };
}

/** What one check of a guard decided. Access needs at least one `pass` and no `fail`. */
export type CheckResult =
  | { outcome: 'pass' }
  | { outcome: 'skip' }
  | {
      outcome: 'fail';
      error: StytchExpressError;
      /** For browser navigations: where to send the user instead (e.g. step-up MFA). Must be trusted config. */
      redirectTo?: string;
    };

/** A predicate over a signed-in request. May be async (e.g. waits for the RBAC policy). */
export type GuardCheck = (auth: SignedInAuth, req: IncomingMessage, ctx: StytchRequestContext) => CheckResult | Promise<CheckResult>;

/** A predicate over a request from a machine caller (M2M or Connected-App token). */
export type MachineGuardCheck = (auth: MachineAuth, req: IncomingMessage, ctx: StytchRequestContext) => CheckResult | Promise<CheckResult>;
