import type { OrgPolicy, RbacPolicy } from '../client/types.js';

/**
 * A policy's roles precompiled into a lookup table: role id → resource id → allowed actions.
 *
 * Built once per fetched policy object and then reused for every check, so the warm path of a
 * permission check is two or three `Map.get` calls and a `Set.has`. Only `Map`/`Set` are used:
 * ids such as `__proto__`, `constructor` or `hasOwnProperty` are ordinary keys here and can
 * neither match an inherited property nor pollute a prototype.
 */
export interface CompiledRoles {
  /** role id → resource id → actions (may contain the `*` action wildcard). */
  readonly grants: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  /** False when the policy object itself was unusable (not an object, or `roles` not an array). */
  readonly usable: boolean;
}

const EMPTY: CompiledRoles = Object.freeze({ grants: new Map(), usable: false });

/*
 * Cache keyed by the policy object's identity. Policies handed to the evaluator are treated as
 * immutable snapshots (the policy cache stores each fetched object and never edits it), so a
 * policy compiled once stays valid for as long as the object lives; the WeakMap lets it be
 * garbage-collected together with the policy.
 */
const compiledByPolicy = new WeakMap<object, CompiledRoles>();

/**
 * Compile the `roles` of a project policy or an organization policy (memoised per object).
 * Malformed entries are skipped, never thrown on: a role, permission or action that is not the
 * expected shape simply grants nothing, so bad data can only deny.
 */
export function compileRoles(policy: RbacPolicy | OrgPolicy | undefined | null): CompiledRoles {
  if (typeof policy !== 'object' || policy === null) return EMPTY;
  const cached = compiledByPolicy.get(policy);
  if (cached !== undefined) return cached;
  const compiled = build(policy);
  compiledByPolicy.set(policy, compiled);
  return compiled;
}

function build(policy: object): CompiledRoles {
  const roles: unknown = (policy as { roles?: unknown }).roles;
  if (!Array.isArray(roles)) return EMPTY;
  const grants = new Map<string, Map<string, Set<string>>>();
  for (const role of roles as unknown[]) {
    if (typeof role !== 'object' || role === null) continue;
    const roleId: unknown = (role as { role_id?: unknown }).role_id;
    const permissions: unknown = (role as { permissions?: unknown }).permissions;
    if (typeof roleId !== 'string' || !Array.isArray(permissions)) continue;
    // The same role id may appear twice (project policy and org policy, or a duplicate entry):
    // Stytch concatenates the role lists, so the permissions of every definition add up.
    let byResource = grants.get(roleId);
    if (byResource === undefined) {
      byResource = new Map();
      grants.set(roleId, byResource);
    }
    addPermissions(byResource, permissions as unknown[]);
  }
  return { grants, usable: true };
}

/**
 * Fold a policy's `permissions` list (`[{ resource_id, actions }]`, as roles and scopes carry it)
 * into `byResource`: resource id -> allowed actions. Malformed entries are skipped.
 */
export function addPermissions(byResource: Map<string, Set<string>>, permissions: readonly unknown[]): void {
  for (const permission of permissions) {
    if (typeof permission !== 'object' || permission === null) continue;
    const resourceId: unknown = (permission as { resource_id?: unknown }).resource_id;
    const actions: unknown = (permission as { actions?: unknown }).actions;
    if (typeof resourceId !== 'string' || !Array.isArray(actions)) continue;
    let allowed = byResource.get(resourceId);
    if (allowed === undefined) {
      allowed = new Set();
      byResource.set(resourceId, allowed);
    }
    for (const action of actions as unknown[]) {
      if (typeof action === 'string') allowed.add(action);
    }
  }
}

/** The `*` entry in a permission's `actions` matches every action of that one resource (spec 4.3). */
export const ACTION_WILDCARD = '*';

/** Does `roleId` grant `action` on `resourceId` in this compiled policy? Exact, case-sensitive. */
export function roleGrants(compiled: CompiledRoles, roleId: string, resourceId: string, action: string): boolean {
  const actions = compiled.grants.get(roleId)?.get(resourceId);
  return actions !== undefined && (actions.has(action) || actions.has(ACTION_WILDCARD));
}

/** Does this compiled policy define `roleId` at all (with any permissions, or none)? */
export function definesRole(compiled: CompiledRoles, roleId: string): boolean {
  return compiled.grants.has(roleId);
}
