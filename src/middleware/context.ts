import type { StytchB2BClient } from '../client/client.js';
import type { PolicyCache } from '../rbac/policy-cache.js';
import type { Logger } from '../session/logger.js';
import type { SessionMetrics } from '../session/metrics.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StytchExpressError } from '../errors.js';
import type { CredentialSource } from './auth-object.js';
import { findRequestState, requestState } from './request-state.js';

/** Renders a refusal for a browser navigation (see `StytchAuthOptions.errorPage`). */
export type ErrorPageRenderer = (req: IncomingMessage, res: ServerResponse, error: StytchExpressError) => void;

/** Cookie and redirect settings of one `stytchAuth()` instance, resolved once in the factory. */
export interface StytchContextConfig {
  cookies: {
    /** Name of the session JWT cookie (prefix included). Default `stytch_session_jwt`. */
    jwt: string;
    /** Name of the opaque session token cookie (prefix included). Default `stytch_session`. */
    token: string;
    /** Name of the intermediate session token cookie (prefix included). Default `stytch_intermediate_session_token`. */
    ist: string;
    /** `__Host-` or `__Secure-` when configured; already part of the three names above. */
    prefix?: string;
  };
  /** Where browser navigations without a session are sent (303, with `return_to`). */
  loginUrl?: string;
  /** Where browser navigations that need step-up MFA are sent. */
  mfaUrl?: string;
  /** Renders refusals for browser navigations; JSON otherwise. */
  errorPage?: ErrorPageRenderer;
  /** `'auto'`: Secure unless the request is plain HTTP to a loopback host. `true`: always Secure. */
  secure: 'auto' | boolean;
  sameSite: 'lax' | 'strict';
  /** Cookie Path. Default `/`. */
  path: string;
  /** Cookie Domain; unset by default (host-only cookies). */
  domain?: string;
  /** Trust `X-Forwarded-Proto` when deciding the Secure attribute. Default false. */
  trustProxy: boolean;
  /** Forwarded to `sessions/authenticate` when set (extends the session on each network check). */
  sessionDurationMinutes?: number;
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
  readonly credential?: { readonly source: CredentialSource; readonly kind: 'jwt' | 'opaque'; readonly value: string };
  /**
   * Forget a session in this process: cached verifications of its JWTs stop being accepted
   * locally (use after `sessions.revoke`, e.g. on logout, to close the JWT's remaining lifetime here).
   */
  forgetSession(sessionId: string): void;
}

// Kept in the request's private record (a WeakMap, like the auth object): nothing on `req` can spoof a context.

/** Attach the context to a request. Internal: only `stytchAuth()` calls this. */
export function setStytchContext(req: object, ctx: StytchRequestContext): void {
  requestState(req).ctx = ctx;
}

/**
 * Read the context that `stytchAuth()` attached to the request.
 *
 * @throws Error when `stytchAuth()` is not mounted before the caller.
 * @example
 * const { client, now } = getStytchContext(req);
 */
export function getStytchContext(req: object): StytchRequestContext {
  const ctx = findRequestState(req)?.ctx;
  if (ctx === undefined) {
    throw new Error('getStytchContext(req): stytchAuth() middleware is not mounted before this route. Add app.use(stytchAuth()) first.');
  }
  return ctx;
}

/** The context, or undefined when `stytchAuth()` did not run. */
export function findStytchContext(req: object): StytchRequestContext | undefined {
  return findRequestState(req)?.ctx;
}
