import { AuthorizationError, ConfigError } from '../errors.js';
import type { SignedInAuth } from '../session/auth-types.js';
import { createGuard } from './guard.js';
import type { CheckResult, GuardCheck, NodeMiddleware } from './types.js';
import { resolveTargetOrganization, validateTargetOrganizationOptions } from './require-permission.js';
import type { TargetOrganizationOptions } from './require-permission.js';

/** Options of {@link requireRole} (pass as the last argument). */
export type RequireRoleOptions = TargetOrganizationOptions;

const PASS: CheckResult = Object.freeze({ outcome: 'pass' });
const MISSING_ROLE = new AuthorizationError('permission_denied', 'The member does not hold a role required for this route.');

function roleCheck(required: ReadonlySet<string>, options: TargetOrganizationOptions): GuardCheck {
  return function roleCheck(auth: SignedInAuth, req): CheckResult {
    // Roles are the session's and only mean something in the session's own organization.
    const target = resolveTargetOrganization(auth, req, options);
    if (!target.ok) return target.result;
    const roles: unknown = auth.roles;
    if (!Array.isArray(roles)) return { outcome: 'fail', error: MISSING_ROLE };
    for (const role of roles as unknown[]) {
      if (typeof role === 'string' && required.has(role)) return PASS;
    }
    return { outcome: 'fail', error: MISSING_ROLE };
  };
}

/**
 * Protect a route by role: the session must hold at least one of `roles` (exact, case-sensitive
 * role ids from the session's `roles`, e.g. `'stytch_admin'`). Prefer {@link requirePermission}
 * where a permission exists: roles are coarse, permissions follow policy edits.
 *
 * Signed out: 401 (or a 303 to `loginUrl` for navigations); no listed role: 403
 * `permission_denied`; route organization (option `organizationParam` / `organizationId`) not
 * the session's: 403 `tenancy_mismatch`.
 *
 * @param roles - one or more role ids, optionally followed by an options object.
 * @throws ConfigError naming the bad argument (no role, or a role that is not a non-empty string).
 * @example
 * app.post('/admin/settings', requireRole('stytch_admin'), handler);
 * app.get('/orgs/:orgId/billing', requireRole('billing_admin', 'stytch_admin', { organizationParam: 'orgId' }), handler);
 */
export function requireRole(...roles: string[]): NodeMiddleware;
export function requireRole(...args: [...roles: string[], options: RequireRoleOptions]): NodeMiddleware;
export function requireRole(...args: Array<string | RequireRoleOptions>): NodeMiddleware {
  const last = args[args.length - 1];
  const options = typeof last === 'object' && last !== null ? last : undefined;
  const roles = options === undefined ? args : args.slice(0, -1);
  if (roles.length === 0) throw new ConfigError('requireRole: argument "roles" must name at least one role id.');
  roles.forEach((role, index) => {
    if (typeof role !== 'string' || role.length === 0) {
      throw new ConfigError(`requireRole: argument "roles[${index}]" must be a non-empty string.`);
    }
  });
  validateTargetOrganizationOptions('requireRole', options);
  const target: TargetOrganizationOptions = { organizationId: options?.organizationId, organizationParam: options?.organizationParam };
  return createGuard('requireRole', [roleCheck(new Set(roles as string[]), target)]);
}
