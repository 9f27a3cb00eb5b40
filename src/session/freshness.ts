/**
 * How recently a session proved a factor: the one check behind `requireFreshAuth()` and the
 * routes that change who a member is (email change, first MFA enrolment). Pure.
 */

/**
 * True when some factor of `factors` (a session's `authentication_factors`) has a type in `types`
 * (any type when omitted) and, when `maxAgeMs` is given, was authenticated at most that long
 * before `nowMs`. Malformed entries never qualify; a time slightly ahead of `nowMs` (clock skew
 * with Stytch) counts as "just now".
 */
export function hasRecentFactor(factors: unknown, nowMs: number, maxAgeMs?: number, types?: ReadonlySet<string>): boolean {
  if (!Array.isArray(factors)) return false;
  for (const factor of factors as unknown[]) {
    if (typeof factor !== 'object' || factor === null) continue;
    const { type, last_authenticated_at: at } = factor as { type?: unknown; last_authenticated_at?: unknown };
    if (typeof type !== 'string') continue;
    if (types !== undefined && !types.has(type)) continue;
    if (maxAgeMs === undefined) return true;
    if (typeof at !== 'string') continue;
    const authenticatedAt = Date.parse(at);
    if (Number.isNaN(authenticatedAt)) continue;
    if (nowMs - authenticatedAt <= maxAgeMs) return true;
  }
  return false;
}
