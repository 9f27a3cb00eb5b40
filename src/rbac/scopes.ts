/**
 * Scopes of machine tokens: the official SDK's matching rule for required scopes, and the RBAC
 * policy's scope-to-permission mapping. Pure; no Express.
 */
import type { RbacPolicy } from '../client/types.js';
import { addPermissions } from './compile.js';

/** Granted scopes indexed by action → resources, as the SDK's default check builds them. */
export type ScopeIndex = ReadonlyMap<string, ReadonlySet<string>>;

/** `action:resource` → [action, resource]; a scope without `:` has resource `-`; parts after a second `:` are ignored (as the SDK). */
function split(scope: string): [string, string] {
  const colon = scope.indexOf(':');
  if (colon < 0) return [scope, '-'];
  const rest = scope.slice(colon + 1);
  const second = rest.indexOf(':');
  return [scope.slice(0, colon), second < 0 ? rest : rest.slice(0, second)];
}

/** Index granted scopes once per token (memoise by the frozen scopes array). */
export function indexScopes(granted: readonly string[]): ScopeIndex {
  const index = new Map<string, Set<string>>();
  for (const scope of granted) {
    const [action, resource] = split(scope);
    let resources = index.get(action);
    if (resources === undefined) {
      resources = new Set();
      index.set(action, resources);
    }
    resources.add(resource);
  }
  return index;
}

/**
 * The first required scope the granted ones do not satisfy, or undefined when all are.
 * A required `action:resource` is satisfied by a granted scope with the same action and the
 * same resource or `*` (no wildcard on the action side; `read` does not satisfy `read:x` nor
 * the reverse) — the rule of the official SDK's `m2m.authenticateToken`.
 *
 * @example
 * missingScope(indexScopes(['read:*']), ['read:documents', 'write:documents']); // 'write:documents'
 */
export function missingScope(granted: ScopeIndex, required: readonly string[]): string | undefined {
  for (const scope of required) {
    const [action, resource] = split(scope);
    const resources = granted.get(action);
    if (resources === undefined || (!resources.has('*') && !resources.has(resource))) return scope;
  }
  return undefined;
}

/** scope → resource → actions of one policy (memoised per policy object, which is never edited). */
type CompiledScopes = ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
const compiledByPolicy = new WeakMap<object, CompiledScopes>();

function compileScopes(policy: RbacPolicy): CompiledScopes {
  const cached = compiledByPolicy.get(policy);
  if (cached !== undefined) return cached;
  const out = new Map<string, Map<string, Set<string>>>();
  const scopes: unknown = (policy as { scopes?: unknown }).scopes;
  if (Array.isArray(scopes)) {
    for (const entry of scopes as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      const name: unknown = (entry as { scope?: unknown }).scope;
      const permissions: unknown = (entry as { permissions?: unknown }).permissions;
      if (typeof name !== 'string' || !Array.isArray(permissions)) continue;
      let byResource = out.get(name);
      if (byResource === undefined) {
        byResource = new Map();
        out.set(name, byResource);
      }
      addPermissions(byResource, permissions as unknown[]);
    }
  }
  compiledByPolicy.set(policy, out);
  return out;
}

/**
 * May a token holding `granted` scopes perform `action` on `resourceId`? Through the policy's
 * `scopes` section only (a scope's permissions; `*` in actions matches every action of that one
 * resource), as the SDK's `idp.introspectTokenLocal` authorization check decides. Malformed
 * policy entries grant nothing.
 *
 * @returns the first granted scope that grants it, or undefined.
 * @example
 * grantingScope(policy, ['read:documents'], 'documents', 'read'); // 'read:documents'
 */
export function grantingScope(policy: RbacPolicy, granted: readonly string[], resourceId: string, action: string): string | undefined {
  const compiled = compileScopes(policy);
  for (const scope of granted) {
    const actions = compiled.get(scope)?.get(resourceId);
    if (actions !== undefined && (actions.has(action) || actions.has('*'))) return scope;
  }
  return undefined;
}

/** Every policy scope that grants `action` on `resourceId` (for the 403 challenge's `scope`). */
export function scopesGranting(policy: RbacPolicy, resourceId: string, action: string): string[] {
  const out: string[] = [];
  for (const [scope, byResource] of compileScopes(policy)) {
    const actions = byResource.get(resourceId);
    if (actions !== undefined && (actions.has(action) || actions.has('*'))) out.push(scope);
  }
  return out;
}

/** Does the policy's `scopes` section define `scope` (with any permissions)? */
export function policyDefinesScope(policy: RbacPolicy, scope: string): boolean {
  return compileScopes(policy).has(scope);
}
