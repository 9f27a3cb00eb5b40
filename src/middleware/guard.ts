import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticationError, AuthorizationError, StytchExpressError } from '../errors.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import type { StytchRequestContext } from './context.js';
import { findRequestState } from './request-state.js';
import type { SignedInAuth, UndecidedAuth } from './auth-object.js';
import { isNavigation, sendError, sendRedirect } from './respond.js';

/** Connect-style middleware: works on Express 4, Express 5 and Connect. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

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

const PASS: CheckResult = Object.freeze({ outcome: 'pass' });
/** The check that `requireAuth()` uses: being signed in is enough. */
export const signedInCheck: GuardCheck = () => PASS;

const UNAUTHENTICATED = new AuthenticationError('unauthenticated', 'Authentication required.');
const NOT_MOUNTED = new StytchExpressError('middleware_not_mounted', 500, 'stytchAuth() is not mounted before this guard.');
const INTERNAL = new StytchExpressError('internal_error', 500, 'Internal error.');
const NO_CHECK_PASSED = new AuthorizationError('permission_denied', 'Not allowed.');

/** Build the login redirect: the configured URL plus the request's own path as a safe `return_to`. */
function loginLocation(req: IncomingMessage, loginUrl: string): string {
  const own = (req as { originalUrl?: unknown }).originalUrl ?? req.url;
  const returnTo = safeReturnTo(own, '/');
  return `${loginUrl}${loginUrl.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
}

function undecidedError(auth: UndecidedAuth): StytchExpressError {
  // Undecided is always 503 (catalogue status vocabulary), whatever the upstream said.
  if (auth.error.status === 503) return auth.error;
  const error = new StytchExpressError(auth.error.code, 503, auth.error.message);
  const retryAfterSeconds = (auth.error as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfterSeconds !== undefined) Object.assign(error, { retryAfterSeconds });
  return error;
}

/**
 * The one guard behind `requireAuth`, `requireRole`, `requirePermission` and `requireFreshAuth`.
 *
 * - signed out: 401 JSON (`WWW-Authenticate: Bearer`, `Cache-Control: no-store`), or for a browser
 *   navigation a 303 to `loginUrl?return_to=<own path>` when a `loginUrl` is configured;
 * - undecided (Stytch unreachable): 503, with `Retry-After` when known;
 * - signed in: each check runs in order; a `fail` answers at once (its error, or a 303 to its
 *   `redirectTo` for navigations); access is granted only when some check passed (fail closed).
 *
 * A check that throws answers 500/503 generically; the guard never calls `next()` without an identity.
 *
 * @param name - the middleware's function name (shows in stack traces and Express's router).
 * @param checks - predicates; an empty list denies every request.
 * @example
 * const requireAdmin = createGuard('requireAdmin', [(auth) => auth.roles.includes('stytch_admin') ? { outcome: 'pass' } : { outcome: 'skip' }]);
 */
export function createGuard(name: string, checks: readonly GuardCheck[]): NodeMiddleware {
  const list = [...checks];
  const guard: NodeMiddleware = function stytchGuard(req, res, next) {
    // One read of the request's private record for both the context and the auth object.
    const state = findRequestState(req);
    const ctx = state?.ctx;
    const auth = state?.auth;
    if (ctx === undefined || auth === undefined) {
      sendError(req, res, NOT_MOUNTED);
      return;
    }
    if (auth.status === 'undecided') {
      sendError(req, res, undecidedError(auth));
      return;
    }
    if (auth.status === 'signed_out') {
      const loginUrl = ctx.config.loginUrl;
      if (loginUrl !== undefined && isNavigation(req)) sendRedirect(res, loginLocation(req, loginUrl));
      else sendError(req, res, UNAUTHENTICATED);
      return;
    }
    runChecks(list, auth, req, res, ctx, next, name);
  };
  Object.defineProperty(guard, 'name', { value: name });
  return guard;
}

/** Denied authorization is a security event (catalogue #98): ids and the coarse reason only. */
function logDenied(ctx: StytchRequestContext, name: string, auth: SignedInAuth, error: StytchExpressError): void {
  logEvent(ctx.logger, 'info', 'access_denied', { guard: name, code: error.code, status: error.status, memberId: auth.memberId, organizationId: auth.organizationId });
}

function fail(req: IncomingMessage, res: ServerResponse, result: Extract<CheckResult, { outcome: 'fail' }>, ctx: StytchRequestContext, name: string, auth: SignedInAuth): void {
  logDenied(ctx, name, auth, result.error);
  if (result.redirectTo !== undefined && isNavigation(req)) sendRedirect(res, result.redirectTo);
  else sendError(req, res, result.error);
}

function grant(res: ServerResponse, next: (err?: unknown) => void): void {
  // Responses that depend on the session must not be stored by shared caches (catalogue #67).
  if (!res.headersSent) res.setHeader('Cache-Control', 'no-store');
  next();
}

/** After every check ran without a failure: access only if one of them passed (fail closed). */
function settle(
  passed: boolean,
  auth: SignedInAuth,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: StytchRequestContext,
  next: (err?: unknown) => void,
  name: string,
): void {
  if (passed) {
    grant(res, next);
    return;
  }
  logDenied(ctx, name, auth, NO_CHECK_PASSED);
  sendError(req, res, NO_CHECK_PASSED);
}

function onThrow(req: IncomingMessage, res: ServerResponse, ctx: StytchRequestContext, name: string, error: unknown): void {
  if (error instanceof StytchExpressError) {
    sendError(req, res, error);
    return;
  }
  logEvent(ctx.logger, 'error', 'guard_check_threw', { guard: name, error: error instanceof Error ? error.name : typeof error });
  sendError(req, res, INTERNAL);
}

/**
 * Synchronous fast path: most checks answer synchronously, so no promise is created unless a
 * check returns one.
 */
function runChecks(
  checks: readonly GuardCheck[],
  auth: SignedInAuth,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: StytchRequestContext,
  next: (err?: unknown) => void,
  name: string,
): void {
  let passed = false;
  for (let i = 0; i < checks.length; i++) {
    let result: CheckResult | Promise<CheckResult>;
    try {
      result = checks[i]!(auth, req, ctx);
    } catch (error) {
      onThrow(req, res, ctx, name, error);
      return;
    }
    if (result instanceof Promise) {
      continueAsync(checks, i, result, passed, auth, req, res, ctx, next, name).catch((error: unknown) => onThrow(req, res, ctx, name, error));
      return;
    }
    if (!isCheckResult(result)) {
      // A check that answers garbage denies (fail closed, catalogue #60).
      onThrow(req, res, ctx, name, new TypeError('guard check returned an invalid result'));
      return;
    }
    if (result.outcome === 'fail') {
      fail(req, res, result, ctx, name, auth);
      return;
    }
    if (result.outcome === 'pass') passed = true;
  }
  settle(passed, auth, req, res, ctx, next, name);
}

async function continueAsync(
  checks: readonly GuardCheck[],
  index: number,
  pending: Promise<CheckResult>,
  passedSoFar: boolean,
  auth: SignedInAuth,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: StytchRequestContext,
  next: (err?: unknown) => void,
  name: string,
): Promise<void> {
  let passed = passedSoFar;
  let result = await pending;
  for (let i = index; ; ) {
    if (!isCheckResult(result)) throw new TypeError('guard check returned an invalid result');
    if (result.outcome === 'fail') {
      fail(req, res, result, ctx, name, auth);
      return;
    }
    if (result.outcome === 'pass') passed = true;
    i++;
    if (i >= checks.length) break;
    result = await checks[i]!(auth, req, ctx);
  }
  settle(passed, auth, req, res, ctx, next, name);
}

function isCheckResult(value: unknown): value is CheckResult {
  if (typeof value !== 'object' || value === null) return false;
  const outcome = (value as { outcome?: unknown }).outcome;
  if (outcome === 'pass' || outcome === 'skip') return true;
  return outcome === 'fail' && (value as { error?: unknown }).error instanceof StytchExpressError;
}
