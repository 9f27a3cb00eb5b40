import { evaluateAuthorization } from './evaluate.js';
import type { PolicyCache } from './policy-cache.js';

/**
 * Build the synchronous `auth.can(resourceId, action)` of a signed-in member: a local RBAC check
 * in the member's own organization against the cached policy.
 *
 * Fails closed: when no usable policy is cached yet it returns `false` (and starts loading the
 * policy in the background so a later call can answer). It never waits on the network and never
 * throws. Past the TTL the cached policy answers while a background refresh runs; a refusal of
 * roles the cached policies do not define refetches them in the background (see
 * `PolicyCache.revalidateForRoles`).
 *
 * @param policyCache the shared policy cache.
 * @param organizationId the session's organization id (JWT organization claim).
 * @param roles the session's role ids (JWT session claim `roles`).
 * @example
 * const can = createCan(policyCache, session.organization_id, session.roles);
 * if (can('documents', 'edit')) showEditButton();
 */
export function createCan(policyCache: PolicyCache, organizationId: string, roles: readonly string[]): (resourceId: string, action: string) => boolean {
  return function can(resourceId: string, action: string): boolean {
    const snapshot = policyCache.lookup(organizationId);
    if (snapshot === undefined) {
      policyCache.prefetch(organizationId);
      return false;
    }
    const authorized = evaluateAuthorization({
      policy: snapshot.policy,
      orgPolicy: snapshot.orgPolicy,
      subjectRoles: roles,
      subjectOrganizationId: organizationId,
      check: { organization_id: organizationId, resource_id: resourceId, action },
    }).authorized;
    // A role newer than the cached policies: refetch them in the background so a later call can answer.
    if (!authorized) policyCache.revalidateForRoles(organizationId, roles)?.catch(() => undefined);
    return authorized;
  };
}
