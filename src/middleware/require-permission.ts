import type { IncomingMessage } from 'node:http';
import { AuthenticationError, AuthorizationError, ConfigError, StytchApiError, StytchExpressError, StytchUnavailableError } from '../errors.js';
import { evaluateAuthorization } from '../rbac/evaluate.js';
import type { AuthorizationDecision } from '../rbac/evaluate.js';
import type { PolicyCache, PolicySnapshot } from '../rbac/policy-cache.js';
import { grantingScope, scopesGranting } from '../rbac/scopes.js';
import type { MachineAuth, SignedInAuth, TokenKind } from '../session/auth-types.js';
import type { RbacPolicy } from '../client/types.js';
import { SESSION_ONLY, createTokenGuard } from './guard.js';
import { insufficientScope } from './machine-refusals.js';
import { resolveAcceptsToken } from './options.js';
import { findRequestState, requestState } from './request-state.js';
import { logEvent } from '../session/logger.js';
import type { AuthorizationVerdictInfo, CheckResult, GuardCheck, MachineGuardCheck, NodeMiddleware, StytchRequestContext } from './types.js';

export type { AuthorizationVerdictInfo } from './types.js';

/** Where the organization to check comes from (default: the session's own organization). */
export interface TargetOrganizationOptions {
  /**
   * Read the organization (id or slug) from the request, e.g. `(req) => req.headers['x-org']`.
   * A slug equal to the session's `organizationSlug` means the session's organization; any other
   * value that is not the session's id is a tenancy mismatch (403), decided without any upstream call.
   */
  organizationId?: (req: IncomingMessage) => string | undefined;
  /** Name of a route parameter holding the organization id or slug, e.g. `'orgId'` for `/orgs/:orgId/...`. */
  organizationParam?: string;
}

/** Options of {@link requirePermission}. */
export interface RequirePermissionOptions extends TargetOrganizationOptions {
  /**
   * `'local'` (default): decide against the cached policy (no network on a warm cache).
   * `'remote'`: ask Stytch (`sessions/authenticate` with an `authorization_check`) on every
   * request, with the request's own credential, for routes that want the authoritative answer.
   */
  mode?: 'local' | 'remote';
  /**
   * Token kinds this route accepts. Default `['session']` (machines only where a route opts in,
   * and `stytchAuth({ acceptsToken })` verifies them). A machine token (M2M, Connected-App) is granted when one of its scopes maps to the permission in the
   * project policy's `scopes` section. Stytch has no remote authorization check for access
   * tokens, so `mode: 'remote'` for a Connected-App token re-introspects it over the network on
   * every request (needs `stytchAuth({ connectedApps })`) and maps its fresh scopes, as the SDK's
   * `idp.introspectTokenNetwork` with `authorization_check` does; with `'m2m'` listed,
   * `mode: 'remote'` is refused at construction (Stytch has no network check for M2M tokens). A route organization (`organizationId`/`organizationParam`) must be the
   * token's organization claim; an M2M token without one is refused there (403 `tenancy_mismatch`).
   */
  acceptsToken?: readonly TokenKind[];
}

// Kept in the request's private record, like the auth object: a property on `req` could be spoofed.
// A frozen value is a verdict shared by every request the same memoised local decision answered
// (see localCheck); the reader gets its own copy on first access.
const verdictByRequest = {
  get: (req: object): AuthorizationVerdictInfo | undefined => findRequestState(req)?.verdict,
  set: (req: object, verdict: AuthorizationVerdictInfo): void => {
    requestState(req).verdict = verdict;
  },
};

/**
 * The verdict of the last `requirePermission()` guard that ran for this request (local or
 * remote), e.g. to read `grantingRoles`; `undefined` when none ran.
 *
 * @example
 * app.get('/docs', requirePermission('documents', 'read', { mode: 'remote' }), (req, res) => {
 *   res.json({ grantedBy: getAuthorizationVerdict(req)?.grantingRoles });
 * });
 */
export function getAuthorizationVerdict(req: object): AuthorizationVerdictInfo | undefined {
  const stored = verdictByRequest.get(req);
  if (stored === undefined || !Object.isFrozen(stored)) return stored;
  // Materialised lazily: the warm path stores a shared frozen verdict (no allocation per
  // request); a caller still gets a private, mutable object, the same one on every call.
  const own: AuthorizationVerdictInfo = { ...stored, grantingRoles: [...stored.grantingRoles], check: { ...stored.check } };
  verdictByRequest.set(req, own);
  return own;
}

const PASS: CheckResult = Object.freeze({ outcome: 'pass' });

/** Same check as {@link TargetOrganizationOptions} validation; throws a ConfigError naming the option. */
export function validateTargetOrganizationOptions(factory: string, options: TargetOrganizationOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${factory}: options must be an object.`);
  if (options.organizationId !== undefined && typeof options.organizationId !== 'function') {
    throw new ConfigError(`${factory}: option "organizationId" must be a function (req) => string.`);
  }
  if (options.organizationParam !== undefined && (typeof options.organizationParam !== 'string' || options.organizationParam.length === 0)) {
    throw new ConfigError(`${factory}: option "organizationParam" must be a non-empty route parameter name.`);
  }
  if (options.organizationId !== undefined && options.organizationParam !== undefined) {
    throw new ConfigError(`${factory}: options "organizationId" and "organizationParam" are mutually exclusive.`);
  }
}

type TargetResult = { ok: true; organizationId: string } | { ok: false; result: CheckResult };

const TENANCY_MISMATCH = new AuthorizationError('tenancy_mismatch', 'The requested organization is not the organization of this session.');
const UNKNOWN_TARGET = new AuthorizationError('permission_denied', 'The organization to check could not be determined.');
const PERMISSION_DENIED = new AuthorizationError('permission_denied', 'The member does not have permission to perform this action.');

/**
 * Resolve the organization a guard checks against, as an id. Only the session's own
 * organization can ever pass: by its id, or by its slug (mapped to the id). Everything else is
 * a tenancy mismatch, decided here without fetching a policy or calling Stytch.
 */
export function resolveTargetOrganization(auth: SignedInAuth, req: IncomingMessage, options: TargetOrganizationOptions | undefined): TargetResult {
  let requested: unknown;
  if (options?.organizationId !== undefined) {
    requested = options.organizationId(req);
  } else if (options?.organizationParam !== undefined) {
    const params = (req as { params?: unknown }).params;
    // Own properties only: a parameter named like an Object.prototype member must not resolve.
    requested = typeof params === 'object' && params !== null && Object.hasOwn(params, options.organizationParam)
      ? (params as Record<string, unknown>)[options.organizationParam]
      : undefined;
  } else {
    return { ok: true, organizationId: auth.organizationId };
  }
  // Missing or malformed: deny, never fall back to the session's organization.
  if (typeof requested !== 'string' || requested.length === 0) return { ok: false, result: { outcome: 'fail', error: UNKNOWN_TARGET } };
  if (requested === auth.organizationId) return { ok: true, organizationId: auth.organizationId };
  if (typeof auth.organizationSlug === 'string' && auth.organizationSlug.length > 0 && requested === auth.organizationSlug) {
    return { ok: true, organizationId: auth.organizationId };
  }
  return { ok: false, result: { outcome: 'fail', error: TENANCY_MISMATCH } };
}

function validateName(factory: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`${factory}: argument "${name}" must be a non-empty string.`);
  }
}

const REFUSED_PERMISSION: CheckResult = Object.freeze({ outcome: 'fail', error: PERMISSION_DENIED });
const REFUSED_TENANCY: CheckResult = Object.freeze({ outcome: 'fail', error: TENANCY_MISMATCH });

function refusal(decision: AuthorizationDecision): CheckResult {
  return decision.reason === 'tenancy_mismatch' ? REFUSED_TENANCY : REFUSED_PERMISSION;
}

/** One local decision, remembered with everything it was computed from. */
interface DecisionMemo {
  readonly policy: PolicySnapshot['policy'];
  readonly orgPolicy: PolicySnapshot['orgPolicy'];
  readonly subjectOrganizationId: string;
  readonly organizationId: string;
  /** Frozen and shared by every request this memo answers (copied on read, see getAuthorizationVerdict). */
  readonly verdict: AuthorizationVerdictInfo;
  readonly result: CheckResult;
}

function frozenVerdict(decision: AuthorizationDecision, check: AuthorizationVerdictInfo['check']): AuthorizationVerdictInfo {
  const verdict: AuthorizationVerdictInfo = { ...decision, grantingRoles: Object.freeze([...decision.grantingRoles]) as string[], mode: 'local', check: Object.freeze(check) };
  return Object.freeze(verdict);
}

function localCheck(resourceId: string, action: string, options: TargetOrganizationOptions | undefined): GuardCheck {
  const targeted = options?.organizationId !== undefined || options?.organizationParam !== undefined;
  /*
   * The decision of this guard (one resource, one action) for a roles array, until the policy
   * changes. Keyed by the identity of the session's roles array: frozen, and shared by every
   * request of that verified session (one auth object per cached token), so the warm path is a
   * WeakMap read and four identity comparisons, allocating nothing. The policies are frozen
   * snapshots replaced as a whole on refresh (the compiler memoises on the same identity), so a
   * refreshed policy is a different object and recomputes the decision.
   */
  const memoByRoles = new WeakMap<readonly string[], DecisionMemo>();
  const decideWith = (auth: SignedInAuth, req: IncomingMessage, organizationId: string, snapshot: PolicySnapshot, cache: PolicyCache | undefined): CheckResult | Promise<CheckResult> => {
    const roles = auth.roles;
    let memo = memoByRoles.get(roles);
    if (
      memo === undefined ||
      memo.policy !== snapshot.policy ||
      memo.orgPolicy !== snapshot.orgPolicy ||
      memo.subjectOrganizationId !== auth.organizationId ||
      memo.organizationId !== organizationId
    ) {
      const decision = evaluateAuthorization({
        policy: snapshot.policy,
        orgPolicy: snapshot.orgPolicy,
        subjectRoles: roles,
        subjectOrganizationId: auth.organizationId,
        check: { organization_id: organizationId, resource_id: resourceId, action },
      });
      memo = {
        policy: snapshot.policy,
        orgPolicy: snapshot.orgPolicy,
        subjectOrganizationId: auth.organizationId,
        organizationId,
        verdict: frozenVerdict(decision, { organizationId, resourceId, action }),
        result: decision.authorized ? PASS : refusal(decision),
      };
      // Only an immutable roles array may key a remembered decision.
      if (Object.isFrozen(roles)) memoByRoles.set(roles, memo);
    }
    verdictByRequest.set(req, memo.verdict);
    // Refused, and the session names a role the cached policies do not define: a role created
    // since they were fetched. Decide once more with fresh copies (rate-limited by the cache);
    // if they cannot be had, the refusal stands.
    if (cache !== undefined && memo.verdict.reason === 'permission_denied') {
      const fresh = cache.revalidateForRoles(auth.organizationId, roles);
      if (fresh !== undefined) {
        const refused = memo.result;
        return fresh.then(
          (next) => decideWith(auth, req, organizationId, next, undefined),
          () => refused,
        );
      }
    }
    return memo.result;
  };
  return function permissionCheck(auth, req, ctx) {
    let organizationId = auth.organizationId;
    if (targeted) {
      const target = resolveTargetOrganization(auth, req, options);
      if (!target.ok) return target.result;
      organizationId = target.organizationId;
    }
    // Warm path: synchronous, no promise (the guard only goes async when a check returns one).
    const cached = ctx.policyCache.lookup(auth.organizationId);
    if (cached !== undefined) return decideWith(auth, req, organizationId, cached, ctx.policyCache);
    return ctx.policyCache.get(auth.organizationId).then(
      (snapshot) => decideWith(auth, req, organizationId, snapshot, ctx.policyCache),
      (error: unknown): CheckResult => ({ outcome: 'fail', error: asUnavailable(error) }),
    );
  };
}

/**
 * "Cannot decide" is always a 503, including a malformed answer
 * (which the client reports as a 502 `upstream_bad_response`) and an organization policy that
 * Stytch refuses to return (e.g. a 404 for a deleted organization).
 */
function asUnavailable(error: unknown): StytchExpressError {
  if (error instanceof StytchUnavailableError && error.status === 503) return error;
  if (error instanceof StytchExpressError && error.status < 500 && !(error instanceof StytchApiError)) return error;
  return new StytchUnavailableError('upstream_unavailable', 'The RBAC decision could not be made: Stytch is unavailable.', { cause: error });
}

function remoteCheck(resourceId: string, action: string, options: TargetOrganizationOptions | undefined): GuardCheck {
  return async function remotePermissionCheck(auth, req, ctx: StytchRequestContext): Promise<CheckResult> {
    const target = resolveTargetOrganization(auth, req, options);
    if (!target.ok) return target.result;
    const credential = ctx.credential;
    if (credential === undefined) {
      return { outcome: 'fail', error: new AuthorizationError('permission_denied', 'No session credential is available for a remote authorization check.') };
    }
    const check = { organization_id: target.organizationId, resource_id: resourceId, action };
    try {
      const response = await ctx.client.sessions.authenticate({
        ...(credential.kind === 'jwt' ? { session_jwt: credential.value } : { session_token: credential.value }),
        authorization_check: check,
      });
      const verdict = response.verdict;
      // Stytch answers 403 when refused; a 200 without an affirmative verdict is not a grant.
      if (verdict?.authorized !== true || !Array.isArray(verdict.granting_roles)) {
        verdictByRequest.set(req, { authorized: false, grantingRoles: [], reason: 'permission_denied', mode: 'remote', check: { organizationId: target.organizationId, resourceId, action } });
        return refusal({ authorized: false, grantingRoles: [], reason: 'permission_denied' });
      }
      verdictByRequest.set(req, { authorized: true, grantingRoles: [...verdict.granting_roles], mode: 'remote', check: { organizationId: target.organizationId, resourceId, action } });
      return PASS;
    } catch (error) {
      return remoteFailure(error, req, { organizationId: target.organizationId, resourceId, action });
    }
  };
}

function remoteFailure(error: unknown, req: IncomingMessage, check: AuthorizationVerdictInfo['check']): CheckResult {
  if (error instanceof StytchApiError) {
    if (error.status === 403) {
      // Tenancy error type per the Go SDK (spec 4.6); every other 403 is a permission refusal.
      const reason = error.errorType === 'session_authorization_tenancy_error' ? 'tenancy_mismatch' : 'permission_denied';
      verdictByRequest.set(req, { authorized: false, grantingRoles: [], reason, mode: 'remote', check });
      return refusal({ authorized: false, grantingRoles: [], reason });
    }
    if (error.status === 401 || error.status === 404) {
      // The session ended since it was verified (revoked, expired): no identity any more.
      return { outcome: 'fail', error: new AuthenticationError('session_not_found', 'The session is no longer valid.') };
    }
    if (error.status === 429) {
      return { outcome: 'fail', error: new StytchUnavailableError('upstream_rate_limited', 'Stytch is rate limiting requests.', { cause: error, retryAfterSeconds: error.retryAfterSeconds }) };
    }
    // Any other refusal from Stytch (e.g. a 400 for an unknown action) cannot be a grant.
    verdictByRequest.set(req, { authorized: false, grantingRoles: [], reason: 'invalid_input', mode: 'remote', check });
    return { outcome: 'fail', error: new AuthorizationError('permission_denied', 'The member does not have permission to perform this action.') };
  }
  return { outcome: 'fail', error: asUnavailable(error) };
}

const MACHINE_TENANCY = Object.freeze({ outcome: 'fail', error: new AuthorizationError('tenancy_mismatch', 'The requested organization is not the organization of this token.') }) as CheckResult;

/** The route's organization for a machine caller: only the token's own organization can pass. */
function machineTarget(auth: MachineAuth, req: IncomingMessage, options: TargetOrganizationOptions): CheckResult | undefined {
  if (options.organizationId === undefined && options.organizationParam === undefined) return undefined;
  let requested: unknown;
  if (options.organizationId !== undefined) requested = options.organizationId(req);
  else {
    const params = (req as { params?: unknown }).params;
    const name = options.organizationParam as string;
    requested = typeof params === 'object' && params !== null && Object.hasOwn(params, name) ? (params as Record<string, unknown>)[name] : undefined;
  }
  if (typeof requested !== 'string' || requested.length === 0) return { outcome: 'fail', error: UNKNOWN_TARGET };
  const own = auth.organizationId;
  if (own !== undefined && (requested === own || (auth.organizationSlug !== undefined && auth.organizationSlug !== '' && requested === auth.organizationSlug))) return undefined;
  return MACHINE_TENANCY;
}

/** Decide one permission for a scopes array against the project policy, memoised per (policy, scopes). */
function scopeDecider(resourceId: string, action: string): (scopes: readonly string[], policy: RbacPolicy) => CheckResult {
  // Per policy object and scopes array (both frozen snapshots), the decision is fixed.
  const memo = new WeakMap<RbacPolicy, WeakMap<readonly string[], CheckResult>>();
  const refusals = new WeakMap<RbacPolicy, CheckResult>();
  return (scopes, policy) => {
    let byScopes = memo.get(policy);
    if (byScopes === undefined) {
      byScopes = new WeakMap();
      memo.set(policy, byScopes);
    }
    let result = byScopes.get(scopes);
    if (result === undefined) {
      if (grantingScope(policy, scopes, resourceId, action) !== undefined) result = PASS;
      else {
        result = refusals.get(policy);
        if (result === undefined) {
          const needed = scopesGranting(policy, resourceId, action);
          result = insufficientScope(needed[0] ?? `${action}:${resourceId}`, needed.length > 0 ? needed : [`${action}:${resourceId}`]);
          refusals.set(policy, result);
        }
      }
      if (Object.isFrozen(scopes)) byScopes.set(scopes, result);
    }
    return result;
  };
}

/** Decide with the cached project policy (fetched when nothing is cached; unavailable is 503). */
function withProjectPolicy(ctx: StytchRequestContext, scopes: readonly string[], decide: ReturnType<typeof scopeDecider>): CheckResult | Promise<CheckResult> {
  const cached = ctx.policyCache.lookupProjectPolicy();
  if (cached !== undefined) return orFresherPolicy(ctx, scopes, decide, decide(scopes, cached));
  return ctx.policyCache.getProjectPolicy().then(
    (policy) => orFresherPolicy(ctx, scopes, decide, decide(scopes, policy)),
    (error: unknown): CheckResult => ({ outcome: 'fail', error: asUnavailable(error) }),
  );
}

/**
 * A refusal for a token holding a scope the cached policy does not define (added in Stytch
 * since): decide once more with a refetched policy (rate-limited by the cache); if it cannot be
 * had, the refusal stands.
 */
function orFresherPolicy(ctx: StytchRequestContext, scopes: readonly string[], decide: ReturnType<typeof scopeDecider>, result: CheckResult): CheckResult | Promise<CheckResult> {
  if (result.outcome !== 'fail') return result;
  const fresh = ctx.policyCache.revalidateForScopes(scopes);
  if (fresh === undefined) return result;
  return fresh.then(
    (policy) => decide(scopes, policy),
    () => result,
  );
}

/** The machine side of requirePermission: the token's scopes through the policy's scope mapping. */
function machinePermissionCheck(resourceId: string, action: string, options: TargetOrganizationOptions): MachineGuardCheck {
  const decide = scopeDecider(resourceId, action);
  return function machinePermission(auth, req, ctx) {
    const tenancy = machineTarget(auth, req, options);
    if (tenancy !== undefined) return tenancy;
    return withProjectPolicy(ctx, auth.scopes, decide);
  };
}

const INACTIVE_MACHINE_TOKEN: CheckResult = Object.freeze({
  outcome: 'fail',
  error: Object.assign(new AuthenticationError('invalid_token', 'The access token is no longer active.'), { wwwAuthenticate: 'Bearer error="invalid_token"' }),
});
const REMOTE_NOT_CONFIGURED: CheckResult = Object.freeze({
  outcome: 'fail',
  error: new ConfigError("requirePermission(): mode 'remote' for Connected-App tokens needs stytchAuth({ connectedApps: { clientId, clientSecret } }) to introspect them."),
});

/** The instances (by their resolved config) whose missing `connectedApps` was already logged. */
const misconfigurationLogged = new WeakSet<object>();

/**
 * Remote mode for a Connected-App token. Stytch has no authorization endpoint for access tokens:
 * the official SDK's `idp.introspectTokenNetwork(..., { authorization_check })` introspects the
 * token over the network (is it still active? what does it grant now?) and then evaluates the
 * scopes against its cached project policy, locally. This does the same: a fresh introspection on
 * every request (bypassing the machine cache; a revoked consent is seen at once, and the token is
 * then refused on local routes too), then the policy's scope mapping. Inactive is 401; Stytch
 * unreachable is 503. (M2M tokens have no network check at all: refused at construction.)
 */
function machineRemotePermissionCheck(resourceId: string, action: string, options: TargetOrganizationOptions): MachineGuardCheck {
  const decide = scopeDecider(resourceId, action);
  return async function machineRemotePermission(auth, req, ctx): Promise<CheckResult> {
    const tenancy = machineTarget(auth, req, options);
    if (tenancy !== undefined) return tenancy;
    const introspect = ctx.introspectMachineToken;
    if (introspect === undefined) {
      // A setup mistake, not an event per request: said once per stytchAuth() instance.
      if (!misconfigurationLogged.has(ctx.config)) {
        misconfigurationLogged.add(ctx.config);
        logEvent(ctx.logger, 'error', 'remote_machine_check_not_configured', { clientId: auth.clientId });
      }
      return REMOTE_NOT_CONFIGURED;
    }
    const credential = ctx.credential;
    if (credential === undefined) return INACTIVE_MACHINE_TOKEN;
    const outcome = await introspect(credential.value);
    if (outcome.status === 'undecided') return { outcome: 'fail', error: asUnavailable(outcome.error) };
    // The same token must still name the same caller; anything else is no grant.
    if (outcome.status !== 'machine' || outcome.identity.clientId !== auth.clientId || outcome.identity.organizationId !== auth.organizationId) return INACTIVE_MACHINE_TOKEN;
    return withProjectPolicy(ctx, outcome.identity.scopes, decide);
  };
}

/**
 * Protect a route with an RBAC permission: the signed-in member needs a role (from the session,
 * plus their organization's custom roles) that grants `action` on `resourceId` in the
 * organization being checked, exactly as Stytch decides it.
 *
 * - signed out: 401 (or a 303 to `loginUrl` for browser navigations), as `requireAuth()`;
 * - refused: 403 `permission_denied`, or 403 `tenancy_mismatch` when the route's organization
 *   (`organizationId` / `organizationParam` option, by id or by the session's own slug) is not
 *   the session's;
 * - policy unavailable (nothing cached within the stale window, Stytch unreachable): 503;
 * - a machine token (where accepted, see `acceptsToken`) whose scopes map to no such permission:
 *   403 `insufficient_scope`, with `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the policy scopes that would grant it>"`.
 *
 * The default `mode: 'local'` decides against the cached policy (no network once warm);
 * `mode: 'remote'` asks Stytch each time. Either way the verdict is readable with
 * {@link getAuthorizationVerdict}.
 *
 * @param resourceId - the RBAC resource, e.g. `'documents'` or `'stytch.member'`.
 * @param action - the action, e.g. `'read'`; matched exactly (a role's `*` grants every action).
 * @throws ConfigError naming the bad argument when called with invalid arguments.
 * @example
 * app.delete('/orgs/:orgId/documents/:id', requirePermission('documents', 'delete', { organizationParam: 'orgId' }), handler);
 */
export function requirePermission(resourceId: string, action: string, options?: RequirePermissionOptions): NodeMiddleware {
  validateName('requirePermission', 'resourceId', resourceId);
  validateName('requirePermission', 'action', action);
  validateTargetOrganizationOptions('requirePermission', options);
  const mode = options?.mode ?? 'local';
  if (mode !== 'local' && mode !== 'remote') throw new ConfigError('requirePermission: option "mode" must be "local" or "remote".');
  // Copy what we need: later edits to the caller's options object change nothing.
  const target: TargetOrganizationOptions = { organizationId: options?.organizationId, organizationParam: options?.organizationParam };
  const accepts = resolveAcceptsToken('requirePermission', options?.acceptsToken);
  if (mode === 'remote' && accepts?.has('m2m') === true) {
    // Stytch offers no network check of any kind for M2M tokens (m2m.authenticateToken is local
    // only, and introspection is for Connected-App tokens): a "remote" answer would be a lie.
    throw new ConfigError(
      "requirePermission: mode 'remote' cannot check M2M tokens (Stytch has no network check for them); drop 'm2m' from acceptsToken or use mode 'local'.",
    );
  }
  const check = mode === 'remote' ? remoteCheck(resourceId, action, target) : localCheck(resourceId, action, target);
  const machineCheck = mode === 'remote' ? machineRemotePermissionCheck(resourceId, action, target) : machinePermissionCheck(resourceId, action, target);
  return createTokenGuard('requirePermission', [check], { accepts: accepts ?? SESSION_ONLY, machineChecks: [machineCheck] });
}
