/**
 * The registered-claim rules (RFC 7519 §4.1) of a Stytch session JWT, applied to a payload whose
 * signature has ALREADY been verified. Pure and synchronous; no cryptography.
 *
 * These are the rules jose's `jwtVerify` applied for us before (`requiredClaims` exp/iat/sub/iss/aud,
 * `issuer`, `audience`, `clockTolerance`, `currentDate`), in the same order, with two deliberate
 * tightenings: time claims must be finite numbers (jose accepts `1e999`, which JSON parses to
 * Infinity: an `exp` that never passes), and `iss`/`sub` must be strings.
 */

/** What the registered claims of a session JWT are checked against; build it once. */
export interface ClaimsPolicy {
  /** Accepted `iss` values, compared exactly (no trailing-slash or case folding). */
  readonly issuers: ReadonlySet<string>;
  /** The project id: `aud` must equal it, or be an array containing it. */
  readonly audience: string;
  /** Leeway for `exp` and `nbf`, in seconds (finite, >= 0). */
  readonly toleranceSeconds: number;
}

/**
 * `ok`: every rule passed. `expired`: every rule passed except `exp` (the token is genuine and
 * well-formed but lapsed, so Stytch may refresh it). Anything else names the failed rule.
 */
export type ClaimsVerdict =
  | 'ok'
  | 'expired'
  | `missing_${RequiredClaim}`
  | 'iss'
  | 'aud'
  | 'sub'
  | 'iat_type'
  | 'nbf_type'
  | 'nbf'
  | 'exp_type';

/** Presence is checked in jose's order (it reversed its list), so the first missing one is reported. */
const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'iat', 'exp'] as const;
type RequiredClaim = (typeof REQUIRED_CLAIMS)[number];

/**
 * A NumericDate (RFC 7519 §2): a JSON number, finite. Booleans, strings such as `"1700000000"`,
 * null, arrays and objects are refused rather than coerced.
 */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Check the registered claims of a verified payload.
 *
 * - `iss`, `aud`, `sub`, `iat`, `exp` must be present (own properties);
 * - `iss` must be a string in `policy.issuers` (an array `iss`, even one holding the right value, is refused);
 * - `aud` must be the project id, or an array that contains it (RFC 7519 "contains", as jose);
 * - `sub` must be a string (its content is checked with the Stytch claims);
 * - `iat` must be a NumericDate (whether it is in the future is the caller's rule);
 * - `nbf`, when present, must be a NumericDate not after `now + tolerance`;
 * - `exp` must be a NumericDate; `exp <= now - tolerance` is `expired`, checked last so that
 *   `expired` always means "everything else about this token is fine".
 *
 * @param payload - a JSON object whose signature has been verified.
 * @param nowSeconds - the current time in whole epoch seconds (floor), as jose computed it.
 * @example
 * const verdict = checkRegisteredClaims(payload, policy, Math.floor(now() / 1000));
 */
export function checkRegisteredClaims(payload: Record<string, unknown>, policy: ClaimsPolicy, nowSeconds: number): ClaimsVerdict {
  for (const claim of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(payload, claim)) return `missing_${claim}`;
  }
  const { iss, aud, sub, iat, nbf, exp } = payload;
  if (typeof iss !== 'string' || !policy.issuers.has(iss)) return 'iss';
  // `includes` compares with ===, so a non-string member can never match the (string) project id.
  if (aud !== policy.audience && !(Array.isArray(aud) && aud.includes(policy.audience))) return 'aud';
  if (typeof sub !== 'string') return 'sub';
  if (!isNumericDate(iat)) return 'iat_type';
  const tolerance = policy.toleranceSeconds;
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) return 'nbf_type';
    if (nbf > nowSeconds + tolerance) return 'nbf';
  }
  if (!isNumericDate(exp)) return 'exp_type';
  // `exp` is the first second at which the token is no longer valid: equality means expired.
  if (exp <= nowSeconds - tolerance) return 'expired';
  return 'ok';
}
