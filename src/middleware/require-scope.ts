import { ConfigError } from '../errors.js';
import { indexScopes, missingScope } from '../rbac/scopes.js';
import type { MachineAuth } from '../session/auth-types.js';
import { createTokenGuard } from './guard.js';
import { SCOPE_NAME, insufficientScope } from './machine-refusals.js';
import { resolveAcceptsToken } from './options.js';
import type { CheckResult, MachineGuardCheck, NodeMiddleware } from './types.js';

/** Options of {@link requireScope} (pass as the last argument). */
export interface RequireScopeOptions {
  /**
   * Machine token kinds this route accepts (`'m2m'`, `'connected_app'`). Default: the machine
   * kinds of `stytchAuth({ acceptsToken })`. A member session is always refused here (401
   * `token_type_not_accepted`: sessions carry no scopes); use `requirePermission` with
   * `acceptsToken` for routes that serve members and machines alike.
   */
  acceptsToken?: ReadonlyArray<'m2m' | 'connected_app'>;
}

const PASS: CheckResult = Object.freeze({ outcome: 'pass' });

/**
 * Protect a route for machine callers by scope: the M2M or Connected-App access token must
 * grant every one of `scopes`, with the official SDK's rule (`action:resource`; a granted
 * `action:*` covers every resource of that action; no wildcard on the action side; a scope
 * without `:` matches only itself).
 *
 * - no token, or a token that does not verify: 401 with `WWW-Authenticate: Bearer error="invalid_token"`;
 * - a kind of token the route does not accept, a member session included: 401 `token_type_not_accepted`;
 * - a scope missing: 403 `insufficient_scope` naming the first missing scope, with
 *   `WWW-Authenticate: Bearer error="insufficient_scope", scope="<every required scope>"` (RFC 6750 §3.1).
 *
 * `stytchAuth({ acceptsToken: [..., 'm2m'] })` must run first. Decided locally, from the
 * verified token alone: no network call.
 *
 * @param scopes - one or more scope names, optionally followed by an options object.
 * @throws ConfigError naming the bad argument (no scope, or a scope with spaces, quotes or control characters).
 * @example
 * app.use(stytchAuth({ acceptsToken: ['session', 'm2m'] }));
 * app.post('/api/sync', requireScope('write:documents'), handler);
 */
export function requireScope(...scopes: string[]): NodeMiddleware;
export function requireScope(...args: [...scopes: string[], options: RequireScopeOptions]): NodeMiddleware;
export function requireScope(...args: Array<string | RequireScopeOptions>): NodeMiddleware {
  const last = args[args.length - 1];
  const options = typeof last === 'object' && last !== null ? last : undefined;
  const scopes = options === undefined ? args : args.slice(0, -1);
  if (scopes.length === 0) throw new ConfigError('requireScope: argument "scopes" must name at least one scope.');
  scopes.forEach((scope, index) => {
    if (typeof scope !== 'string' || !SCOPE_NAME.test(scope)) {
      throw new ConfigError(`requireScope: argument "scopes[${index}]" must be a scope name: 1-256 printable characters, no spaces, quotes or backslashes.`);
    }
  });
  const required = Object.freeze([...new Set(scopes as string[])]);
  const accepts = resolveAcceptsToken('requireScope', options?.acceptsToken, ['m2m', 'connected_app']);
  // One refusal per missing scope, built once.
  const refusals = new Map(required.map((scope) => [scope, insufficientScope(scope, required)]));
  // The answer for a token is fixed by its scopes, so it is remembered per frozen scopes array
  // (one per verified token, shared by every request of that token): the warm path is one
  // WeakMap read, with no scope splitting and no allocation. A scopes array that is not frozen
  // is judged afresh each time.
  const answers = new WeakMap<readonly string[], CheckResult>();
  const machineCheck: MachineGuardCheck = function scopeCheck(auth: MachineAuth): CheckResult {
    const scopes = auth.scopes;
    let answer = answers.get(scopes);
    if (answer === undefined) {
      const missing = missingScope(indexScopes(scopes), required);
      answer = missing === undefined ? PASS : (refusals.get(missing) ?? insufficientScope(missing, required));
      if (Object.isFrozen(scopes)) answers.set(scopes, answer);
    }
    return answer;
  };
  // No member checks: a session never gets past the token-kind test (acceptsToken holds machine kinds only).
  return createTokenGuard('requireScope', [], { accepts, machineChecks: [machineCheck] });
}
