/**
 * The RFC 6750 refusals of machine callers: 403 `insufficient_scope` naming the missing scope,
 * with a `WWW-Authenticate` challenge listing the scopes the route needs. Built from trusted
 * configuration only (scope names are checked when a guard is created).
 */
import { AuthorizationError } from '../errors.js';
import type { CheckResult } from './types.js';

/** A scope name that is safe inside a quoted challenge parameter (RFC 6749 §3.3 scope-token). */
export const SCOPE_NAME = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;

/** A frozen 403 `insufficient_scope` result; `needed` goes into the challenge's `scope`. */
export function insufficientScope(missing: string, needed: readonly string[]): CheckResult {
  const error = Object.assign(new AuthorizationError('insufficient_scope', `The token lacks the scope "${missing}".`), {
    wwwAuthenticate: `Bearer error="insufficient_scope", scope="${needed.join(' ')}"`,
  });
  return Object.freeze({ outcome: 'fail', error });
}
