/**
 * The emulator's own RBAC evaluation for `authorization_check` (reference 4.4 / 4.6). Written
 * independently of the library's evaluator on purpose: the emulator is the reference the
 * library is tested against.
 */
import type { AuthorizationVerdict, Organization, RbacRole } from '../client/types.js';
import { ApiError, badRequest } from './http-errors.js';
import { findOrganization } from './organizations.js';
import type { EmulatorState } from './state.js';
import { isPlainObject } from './validate.js';

/** Project roles followed by the organization's own roles. */
export function policyRoles(state: EmulatorState, organizationId: string): RbacRole[] {
  return [...state.policy.roles, ...(state.orgPolicies.get(organizationId)?.roles ?? [])];
}

/**
 * Checks an `authorization_check` for a session: tenancy first (403
 * `session_authorization_tenancy_error`), then whether any session role grants the action on
 * the resource (`*` matches every action; no resource wildcard), else 403
 * `session_authorization_error`.
 */
export function authorize(state: EmulatorState, subjectOrg: Organization, sessionRoles: readonly string[], check: unknown): AuthorizationVerdict {
  if (!isPlainObject(check) || typeof check.organization_id !== 'string' || typeof check.resource_id !== 'string' || typeof check.action !== 'string') {
    throw badRequest('invalid_argument', "The field 'authorization_check' must be { organization_id, resource_id, action } strings.", { field: 'authorization_check' });
  }
  // The remote API accepts a slug or external id wherever an organization id is expected
  // (reference 6.1), so the check resolves it; the SDK's local check compares exact ids.
  const target = findOrganization(state, check.organization_id);
  if (!target || target.organization_id !== subjectOrg.organization_id) {
    throw new ApiError(403, 'session_authorization_tenancy_error', 'The Member belongs to a different organization than the one in the authorization check.');
  }
  const held = new Set(sessionRoles);
  const granting: string[] = [];
  for (const role of policyRoles(state, subjectOrg.organization_id)) {
    if (!held.has(role.role_id) || granting.includes(role.role_id)) continue;
    const grants = role.permissions.some((p) => p.resource_id === check.resource_id && (p.actions.includes(check.action as string) || p.actions.includes('*')));
    if (grants) granting.push(role.role_id);
  }
  if (granting.length === 0) {
    throw new ApiError(403, 'session_authorization_error', 'The Member is not authorized to perform the requested action on that resource.');
  }
  return { authorized: true, granting_roles: granting };
}
