/**
 * The two halves of every admin route's authorization: a local RBAC check against the
 * instance's cached policy (the same evaluator as `requirePermission()`), so a refusal costs no
 * Stytch call; and the mapping of Stytch's own refusal (403 `session_authorization_error`, the
 * member-session header at work) to the same answer. Also the routes' typed refusals.
 */
import { AuthenticationError, StytchApiError, StytchExpressError, StytchUnavailableError } from '../../errors.js';
import { evaluateAuthorization } from '../../rbac/evaluate.js';
import type { PolicySnapshot } from '../../rbac/policy-cache.js';
import type { AdminContext } from './context.js';

/** An RBAC permission a route needs: `action` on `resource_id`, or on `alternative` when given. */
export interface Permission {
  readonly resource_id: 'stytch.member' | 'stytch.organization' | 'stytch.self';
  readonly action: string;
  /** A second resource whose same action also grants it (the self routes accept `stytch.member`, as Stytch does). */
  readonly alternative?: 'stytch.member';
}

/** A refusal whose body carries extra fields (`field`, `role`, `permission`): frozen, from trusted code only. */
export class AdminRouteError extends StytchExpressError {
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, status: number, message: string, details?: Record<string, unknown>) {
    super(code, status, message);
    this.details = details === undefined ? undefined : Object.freeze({ ...details });
  }
}

/** 403 `permission_denied` naming the permission. */
export function permissionDenied(permission: Permission): AdminRouteError {
  return new AdminRouteError('permission_denied', 403, 'The member does not have permission to perform this action.', {
    permission: { resource_id: permission.resource_id, action: permission.action },
  });
}

/** 404 `member_not_found`: unknown, or a member of another organization (indistinguishable on purpose). */
export function memberNotFound(): AdminRouteError {
  return new AdminRouteError('member_not_found', 404, 'No such member in this organization.');
}

/** 400 `invalid_request` naming the field (never echoing its value). */
export function invalidField(field: string, message = `Field ${field} is missing or malformed.`): AdminRouteError {
  return new AdminRouteError('invalid_request', 400, message, { field });
}

async function snapshotOf(ac: AdminContext): Promise<PolicySnapshot> {
  const cache = ac.instance.context.policyCache;
  const cached = cache.lookup(ac.auth.organizationId);
  if (cached !== undefined) return cached;
  try {
    return await cache.get(ac.auth.organizationId);
  } catch (error) {
    // "Cannot decide" is a 503, as for requirePermission().
    if (error instanceof StytchUnavailableError) throw error;
    throw new StytchUnavailableError('upstream_unavailable', 'The RBAC decision could not be made: Stytch is unavailable.', { cause: error });
  }
}

function grants(snapshot: PolicySnapshot, ac: AdminContext, resourceId: string, action: string): boolean {
  return evaluateAuthorization({
    policy: snapshot.policy,
    orgPolicy: snapshot.orgPolicy,
    subjectRoles: ac.auth.roles,
    subjectOrganizationId: ac.auth.organizationId,
    check: { organization_id: ac.auth.organizationId, resource_id: resourceId, action },
  }).authorized;
}

/**
 * Refuse (403 `permission_denied` naming the first missing permission) unless the session's roles
 * grant every one of `permissions` in the member's own organization. Skipped with `localCheck: false`.
 */
export async function requirePermissions(ac: AdminContext, permissions: readonly Permission[]): Promise<void> {
  if (!ac.cfg.localCheck || permissions.length === 0) return;
  const snapshot = await snapshotOf(ac);
  if (firstDenied(snapshot, ac, permissions) === undefined) return;
  const missing = firstDenied(await refetchedFor(ac, ac.auth.roles, snapshot), ac, permissions);
  if (missing !== undefined) throw permissionDenied(missing);
}

/**
 * The policies once more, from fresh copies, when `roles` name one the cached copies do not
 * define (a role created since: see PolicyCache.revalidateForRoles); `snapshot` itself when none
 * is missing, the copies are too recent to refetch, or Stytch cannot give them (the answer from
 * `snapshot` then stands).
 */
async function refetchedFor(ac: AdminContext, roles: readonly string[], snapshot: PolicySnapshot): Promise<PolicySnapshot> {
  const fresh = ac.instance.context.policyCache.revalidateForRoles(ac.auth.organizationId, roles);
  return fresh === undefined ? snapshot : fresh.catch(() => snapshot);
}

function firstDenied(snapshot: PolicySnapshot, ac: AdminContext, permissions: readonly Permission[]): Permission | undefined {
  for (const permission of permissions) {
    if (grants(snapshot, ac, permission.resource_id, permission.action)) continue;
    if (permission.alternative !== undefined && grants(snapshot, ac, permission.alternative, permission.action)) continue;
    return permission;
  }
  return undefined;
}

/**
 * The first of `permissions` the cached policy does not grant, to name in a refusal Stytch made
 * without naming one; undefined when all are granted or no policy is at hand. Never throws.
 */
export async function firstMissing(ac: AdminContext, permissions: readonly Permission[]): Promise<Permission | undefined> {
  let snapshot: PolicySnapshot;
  try {
    snapshot = await snapshotOf(ac);
  } catch {
    return undefined;
  }
  return firstDenied(snapshot, ac, permissions);
}

/** Which of `actions` on `resourceId` the session's roles grant (for showing what is editable). Never throws. */
export async function grantedActions(ac: AdminContext, resourceId: string, actions: readonly string[]): Promise<ReadonlySet<string>> {
  let snapshot: PolicySnapshot;
  try {
    snapshot = await snapshotOf(ac);
  } catch {
    return new Set();
  }
  return new Set(actions.filter((action) => grants(snapshot, ac, resourceId, action)));
}

/**
 * The first of `roles` that neither the project policy nor the member's organization defines;
 * undefined when all are defined. A role unknown to the cached policies has them refetched once
 * (rate-limited by the cache), so a custom role created a moment ago can be assigned at once.
 */
export async function firstUndefinedRole(ac: AdminContext, roles: readonly string[]): Promise<string | undefined> {
  const snapshot = await snapshotOf(ac);
  if (firstUndefinedIn(snapshot, roles) === undefined) return undefined;
  return firstUndefinedIn(await refetchedFor(ac, roles, snapshot), roles);
}

function firstUndefinedIn(snapshot: PolicySnapshot, roles: readonly string[]): string | undefined {
  const ids = new Set<string>();
  for (const role of [...(snapshot.policy.roles ?? []), ...(snapshot.orgPolicy?.roles ?? [])]) {
    if (typeof role?.role_id === 'string') ids.add(role.role_id);
  }
  return roles.find((role) => !ids.has(role));
}

/**
 * Run one Stytch call made as the member and translate its refusals: Stytch's RBAC refusal becomes
 * 403 `permission_denied` naming `permission` (the same body as the local refusal), an unknown
 * member 404 `member_not_found`, a session that ended meanwhile 401. Everything else is answered
 * by the shared response layer (Stytch's 4xx keep their code; outages are 502/503).
 */
export async function asMember<T>(permission: Permission | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof StytchApiError)) throw error;
    if (error.status === 403 && (error.errorType === 'session_authorization_error' || error.errorType === 'session_authorization_tenancy_error')) {
      throw permission === undefined ? new AdminRouteError('permission_denied', 403, 'The member does not have permission to perform this action.') : permissionDenied(permission);
    }
    if (error.errorType === 'member_not_found') throw memberNotFound();
    if (error.errorType === 'session_not_found' || (error.status === 401 && error.errorType !== 'unauthorized_credentials')) {
      throw new AuthenticationError('unauthenticated', 'The session is no longer valid. Sign in again.');
    }
    throw error;
  }
}
