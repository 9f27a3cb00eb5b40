import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticationError, AuthorizationError, MiddlewareNotMountedError, StytchExpressError } from '../errors.js';
import type { MachineAuth, SignedInAuth, TokenKind, UndecidedAuth } from '../session/auth-types.js';
import { logEvent } from '../session/logger.js';
import { safeReturnTo } from '../session/return-to.js';
import { findStytchContext } from './context.js';
import { findRequestState } from './request-state.js';
import { answerError, isNavigation, redirect } from './respond.js';
import type { CheckResult, GuardCheck, MachineGuardCheck, NodeMiddleware, StytchRequestContext } from './types.js';

export type { CheckResult, GuardCheck, MachineGuardCheck, NodeMiddleware } from './types.js';

const PASS: CheckResult = Object.freeze({ outcome: 'pass' });
/** The check that `requireAuth()` uses: being signed in is enough. */
export const signedInCheck: GuardCheck = () => PASS;

const UNAUTHENTICATED = new AuthenticationError('unauthenticated', 'Authentication required.');
const NOT_MOUNTED = new MiddlewareNotMountedError();
const INTERNAL = new StytchExpressError('internal_error', 500, 'Internal error.');
const NO_CHECK_PASSED = new AuthorizationError('permission_denied', 'Not allowed.');
/** RFC 6750 §3.1: a request that presented a token that does not verify. */
const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';
const INVALID_MACHINE_TOKEN = Object.assign(new AuthenticationError('unauthenticated', 'Authentication required.'), { wwwAuthenticate: INVALID_TOKEN_CHALLENGE });
const NOT_ACCEPTED = Object.assign(new AuthenticationError('token_type_not_accepted', 'This kind of token is not accepted here.'), {
  wwwAuthenticate: 'Bearer error="invalid_token", error_description="token type not accepted"',
});
export const SESSION_ONLY: ReadonlySet<TokenKind> = new Set(['session']);

/** How a guard treats each kind of credential (internal: the public guards set it). */
export interface TokenGuardOptions {
  /** Kinds this guard accepts; undefined means the machine kinds of `stytchAuth({ acceptsToken })` (requireScope). */
  readonly accepts: ReadonlySet<TokenKind> | undefined;
  /** Checks for a machine caller; an empty list lets any accepted machine through (requireAuth). */
  readonly machineChecks: readonly MachineGuardCheck[];
}

/** Build a redirect to a page: the configured URL plus the request's own path as a safe `return_to`. */
export function pageLocation(req: IncomingMessage, pageUrl: string): string {
  const own = (req as { originalUrl?: unknown }).originalUrl ?? req.url;
  const returnTo = safeReturnTo(own, '/');
  return `${pageUrl}${pageUrl.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo)}`;
}

function undecidedError(auth: UndecidedAuth): StytchExpressError {
  // Undecided is always 503, whatever the upstream said (a 429 from Stytch is our outage, not the caller's).
  const error = new StytchExpressError(auth.error.code, 503, auth.error.message);
  const retryAfterSeconds = (auth.error as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfterSeconds !== undefined) Object.assign(error, { retryAfterSeconds });
  return error;
}

/** Answer a refusal through the one response layer, with the instance's error page. */
function refuse(req: IncomingMessage, res: ServerResponse, ctx: StytchRequestContext | undefined, error: StytchExpressError): void {
  answerError(req, res, error, { errorPage: ctx?.config.errorPage });
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
  // Custom checks are written for members: machines never reach them.
  return createTokenGuard(name, checks, { accepts: SESSION_ONLY, machineChecks: [] });
}

/** {@link createGuard} with a policy for machine callers (requireAuth, requireScope, requirePermission). */
export function createTokenGuard(name: string, checks: readonly GuardCheck[], tokens: TokenGuardOptions): NodeMiddleware {
  const list = [...checks];
  const machineList = [...tokens.machineChecks];
  // An app has one stytchAuth() as a rule: remember its machine kinds, not a WeakMap read per request.
  let lastAccepts: ReadonlySet<TokenKind> | undefined;
  let lastKinds: ReadonlySet<TokenKind> = SESSION_ONLY;
  const kindsOf = (accepts: ReadonlySet<TokenKind>): ReadonlySet<TokenKind> => {
    if (accepts !== lastAccepts) {
      lastKinds = machineKindsOf(accepts);
      lastAccepts = accepts;
    }
    return lastKinds;
  };
  const guard: NodeMiddleware = function stytchGuard(req, res, next) {
    const auth = findRequestState(req)?.decision?.auth;
    if (auth === undefined) {
      refuse(req, res, undefined, NOT_MOUNTED);
      return;
    }
    const ctx = findStytchContext(req) as StytchRequestContext;
    if (auth.status === 'undecided') {
      refuse(req, res, ctx, undecidedError(auth));
      return;
    }
    const accepts = tokens.accepts ?? kindsOf(ctx.config.acceptsToken);
    if (auth.status === 'signed_out') {
      const loginUrl = ctx.config.loginUrl;
      if (loginUrl !== undefined && isNavigation(req)) redirect(res, pageLocation(req, loginUrl), true);
      else if (auth.reason === 'token_type_not_accepted') refuse(req, res, ctx, NOT_ACCEPTED);
      else refuse(req, res, ctx, auth.reason !== 'no_credentials' && acceptsMachine(accepts) ? INVALID_MACHINE_TOKEN : UNAUTHENTICATED);
      return;
    }
    if (!accepts.has(auth.status === 'machine' ? auth.tokenType : 'session')) {
      refuse(req, res, ctx, NOT_ACCEPTED);
      return;
    }
    if (auth.status === 'machine') {
      // A machine accepted by a guard without machine checks (requireAuth) passes on its token alone.
      if (machineList.length === 0) grant(res, next);
      else runChecks(machineList, auth, req, res, ctx, next, name);
      return;
    }
    runChecks(list, auth, req, res, ctx, next, name);
  };
  Object.defineProperty(guard, 'name', { value: name });
  return guard;
}

const machineKinds = new WeakMap<ReadonlySet<TokenKind>, ReadonlySet<TokenKind>>();
/** The machine kinds of an instance's `acceptsToken` (computed once per instance). */
function machineKindsOf(accepts: ReadonlySet<TokenKind>): ReadonlySet<TokenKind> {
  let kinds = machineKinds.get(accepts);
  if (kinds === undefined) {
    kinds = new Set([...accepts].filter((kind) => kind !== 'session'));
    machineKinds.set(accepts, kinds);
  }
  return kinds;
}

function acceptsMachine(accepts: ReadonlySet<TokenKind>): boolean {
  return accepts.has('m2m') || accepts.has('connected_app');
}

type GuardedAuth = SignedInAuth | MachineAuth;
type AnyCheck<A extends GuardedAuth> = (auth: A, req: IncomingMessage, ctx: StytchRequestContext) => CheckResult | Promise<CheckResult>;

/** Denied authorization is a security event: ids and the coarse reason only. */
function logDenied(ctx: StytchRequestContext, name: string, auth: GuardedAuth, error: StytchExpressError): void {
  const who = auth.status === 'machine' ? { clientId: auth.clientId, organizationId: auth.organizationId } : { memberId: auth.memberId, organizationId: auth.organizationId };
  logEvent(ctx.logger, 'info', 'access_denied', { guard: name, code: error.code, status: error.status, ...who });
}

function fail(req: IncomingMessage, res: ServerResponse, result: Extract<CheckResult, { outcome: 'fail' }>, ctx: StytchRequestContext, name: string, auth: GuardedAuth): void {
  logDenied(ctx, name, auth, result.error);
  if (result.redirectTo !== undefined && isNavigation(req)) redirect(res, result.redirectTo, true);
  else refuse(req, res, ctx, result.error);
}

function grant(res: ServerResponse, next: (err?: unknown) => void): void {
  // Responses that depend on the session must not be stored by shared caches.
  if (!res.headersSent) res.setHeader('Cache-Control', 'no-store');
  next();
}

/** After every check ran without a failure: access only if one of them passed (fail closed). */
function settle(
  passed: boolean,
  auth: GuardedAuth,
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
  refuse(req, res, ctx, NO_CHECK_PASSED);
}

function onThrow(req: IncomingMessage, res: ServerResponse, ctx: StytchRequestContext, name: string, error: unknown): void {
  if (error instanceof StytchExpressError) {
    refuse(req, res, ctx, error);
    return;
  }
  logEvent(ctx.logger, 'error', 'guard_check_threw', { guard: name, error: error instanceof Error ? error.name : typeof error });
  refuse(req, res, ctx, INTERNAL);
}

/**
 * Synchronous fast path: most checks answer synchronously, so no promise is created unless a
 * check returns one.
 */
function runChecks<A extends GuardedAuth>(
  checks: readonly AnyCheck<A>[],
  auth: A,
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
      // A check that answers garbage denies (fail closed).
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

async function continueAsync<A extends GuardedAuth>(
  checks: readonly AnyCheck<A>[],
  index: number,
  pending: Promise<CheckResult>,
  passedSoFar: boolean,
  auth: A,
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
