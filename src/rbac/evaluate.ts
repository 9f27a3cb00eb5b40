import type { AuthorizationCheck, OrgPolicy, RbacPolicy } from '../client/types.js';
import { compileRoles, roleGrants } from './compile.js';

/**
 * The outcome of a local RBAC check, shaped like the `verdict` of Stytch's
 * `sessions/authenticate` with an `authorization_check` (spec 4.6), plus why it was refused.
 */
export interface AuthorizationDecision {
  /** True when at least one of the subject's roles grants the action on the resource. */
  authorized: boolean;
  /** Every subject role that grants it (deduplicated, in the order of `subjectRoles`); empty when refused. */
  grantingRoles: string[];
  /**
   * Why it was refused; absent when authorized.
   * - `tenancy_mismatch`: the check names another organization than the subject's.
   * - `permission_denied`: no role grants the action.
   * - `invalid_input`: the subject, the check or the policy was missing or malformed.
   */
  reason?: 'tenancy_mismatch' | 'permission_denied' | 'invalid_input';
}

/** Input of {@link evaluateAuthorization}. */
export interface EvaluateAuthorizationInput {
  /** The project policy (`GET /v1/b2b/rbac/policy`). Treated as immutable: it is compiled once and memoised. */
  policy: RbacPolicy;
  /** The custom roles of the subject's own organization (`GET /v1/b2b/rbac/organizations/{id}`). */
  orgPolicy?: OrgPolicy | undefined;
  /** Role ids of the session (the JWT session claim `roles`, or `member_session.roles`). */
  subjectRoles: readonly string[];
  /** The organization of the session (JWT organization claim `organization_id`). */
  subjectOrganizationId: string;
  /** What is being asked: `{ organization_id, resource_id, action }`. */
  check: AuthorizationCheck;
}

const DENIED_INVALID: AuthorizationDecision = { authorized: false, grantingRoles: [], reason: 'invalid_input' };

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Decide an RBAC check locally, with the same rules as Stytch (spec 4.4 and 4.6):
 *
 * 1. tenancy first: `check.organization_id` must equal `subjectOrganizationId` exactly
 *    (a slug is not an id; resolve slugs before calling);
 * 2. the candidate roles are the project policy's roles plus `orgPolicy`'s roles (pass only the
 *    subject's own organization policy; it is never consulted for another organization because
 *    step 1 refuses first);
 * 3. only roles named in `subjectRoles` count; unknown role ids are ignored;
 * 4. a role grants when one of its permissions has `resource_id === check.resource_id` and its
 *    `actions` include `check.action` or `*`. There is no resource wildcard and no prefix or
 *    case folding.
 *
 * Never throws: missing or malformed input denies with `reason: 'invalid_input'`.
 *
 * @returns the decision; `grantingRoles` lists all roles that grant it, like Stytch's `granting_roles`.
 * @example
 * const decision = evaluateAuthorization({
 *   policy, orgPolicy, subjectRoles: ['stytch_member', 'editor'], subjectOrganizationId: orgId,
 *   check: { organization_id: orgId, resource_id: 'documents', action: 'edit' },
 * });
 * if (!decision.authorized) console.log(decision.reason); // 'permission_denied'
 */
export function evaluateAuthorization(input: EvaluateAuthorizationInput): AuthorizationDecision {
  // Everything is re-checked at runtime: the input may come from a JWT or a JSON body.
  if (typeof input !== 'object' || input === null) return DENIED_INVALID;
  const { policy, orgPolicy, subjectRoles, subjectOrganizationId, check } = input as Partial<EvaluateAuthorizationInput>;
  if (typeof check !== 'object' || check === null) return DENIED_INVALID;
  const { organization_id: organizationId, resource_id: resourceId, action } = check as Partial<AuthorizationCheck>;
  if (!isNonEmptyString(subjectOrganizationId) || !isNonEmptyString(organizationId)) return DENIED_INVALID;
  if (!isNonEmptyString(resourceId) || !isNonEmptyString(action) || !Array.isArray(subjectRoles)) return DENIED_INVALID;

  if (organizationId !== subjectOrganizationId) {
    return { authorized: false, grantingRoles: [], reason: 'tenancy_mismatch' };
  }

  const project = compileRoles(policy);
  if (!project.usable) return DENIED_INVALID;
  // An organization without custom roles (or a malformed org policy) simply adds nothing,
  // as in the official SDK, which only concatenates `org_policy.roles` when it is an array.
  const org = compileRoles(orgPolicy);

  let grantingRoles: string[] | undefined;
  let seen: Set<string> | undefined;
  for (const role of subjectRoles as readonly unknown[]) {
    if (typeof role !== 'string') continue;
    if (!roleGrants(project, role, resourceId, action) && !(org.usable && roleGrants(org, role, resourceId, action))) continue;
    // Allocate only on a grant: the common refused/allowed paths stay allocation-light.
    seen ??= new Set();
    if (seen.has(role)) continue;
    seen.add(role);
    (grantingRoles ??= []).push(role);
  }
  if (grantingRoles === undefined) return { authorized: false, grantingRoles: [], reason: 'permission_denied' };
  return { authorized: true, grantingRoles };
}
