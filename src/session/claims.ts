import type { AuthenticationFactor } from '../client/types.js';
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../client/types.js';

/**
 * What a verified session says about its member, wherever it was verified: the fields shared by
 * {@link SessionIdentity} and the signed-in auth object the middleware builds from it.
 */
export interface SessionIdentityFields {
  readonly memberId: string;
  readonly organizationId: string;
  readonly organizationSlug: string;
  readonly sessionId: string;
  /** Role ids effective for this session (the JWT session claim `roles`). */
  readonly roles: readonly string[];
  readonly authenticationFactors: readonly AuthenticationFactor[];
  /** Session expiry (the inner `expires_at`), not the JWT's `exp`. */
  readonly sessionExpiresAt: Date;
  readonly sessionStartedAt: Date;
  /** Top-level custom claims of the session. */
  readonly customClaims: Readonly<Record<string, unknown>>;
}

/** A verified session, independent of where it was verified (JWT claims or a Stytch answer). */
export interface SessionIdentity extends SessionIdentityFields {
  /** `iat` of the JWT in epoch seconds; undefined when the identity came from an opaque token. */
  readonly issuedAt: number | undefined;
}

/** Claims that are not session custom claims (reference 3.4 step 3). */
const RESERVED = new Set(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub', SESSION_CLAIM, ORGANIZATION_CLAIM]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 1024;
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

function stringArray(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value) || value.length > 1000) return undefined;
  for (const item of value) if (typeof item !== 'string') return undefined;
  return Object.freeze([...(value as string[])]);
}

function factorArray(value: unknown): readonly AuthenticationFactor[] | undefined {
  if (!Array.isArray(value) || value.length > 100) return undefined;
  for (const item of value) if (!isPlainObject(item) || typeof item.type !== 'string') return undefined;
  return Object.freeze([...(value as AuthenticationFactor[])]);
}

/**
 * Custom claims in a prototype-free object: a `__proto__` key in a token stays a plain key and
 * can never reach `Object.prototype`.
 */
function customClaimsOf(payload: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(payload)) {
    if (!RESERVED.has(key)) out[key] = payload[key];
  }
  return Object.freeze(out);
}

/**
 * Validate the Stytch claims of a signature-checked JWT payload and build the identity
 *. Returns undefined when anything is missing or of the wrong type, so a
 * malformed claim is a plain "invalid token", never a TypeError and never a network fallback.
 */
export function identityFromJwtPayload(payload: Record<string, unknown>): SessionIdentity | undefined {
  const session = payload[SESSION_CLAIM];
  const org = payload[ORGANIZATION_CLAIM];
  if (!isPlainObject(session) || !isPlainObject(org)) return undefined;
  // Stytch never issues these; a token carrying them is refused outright.
  if (Object.hasOwn(payload, '__proto__') || Object.hasOwn(session, '__proto__') || Object.hasOwn(org, '__proto__')) return undefined;
  if (!nonEmptyString(payload.sub)) return undefined;
  if (!nonEmptyString(session.id)) return undefined;
  if (!nonEmptyString(org.organization_id) || typeof org.slug !== 'string') return undefined;
  const startedAt = parseDate(session.started_at);
  const expiresAt = parseDate(session.expires_at);
  const roles = stringArray(session.roles);
  const factors = factorArray(session.authentication_factors);
  if (startedAt === undefined || expiresAt === undefined || roles === undefined || factors === undefined) return undefined;
  return Object.freeze({
    memberId: payload.sub,
    organizationId: org.organization_id,
    organizationSlug: org.slug,
    sessionId: session.id,
    roles,
    authenticationFactors: factors,
    sessionStartedAt: startedAt,
    sessionExpiresAt: expiresAt,
    issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
    customClaims: customClaimsOf(payload),
  });
}

/**
 * Build the identity from a `member_session` returned by `sessions/authenticate`. Returns
 * undefined when the answer is not a usable session (never authenticated on a
 * malformed upstream success).
 */
export function identityFromMemberSession(value: unknown, issuedAt: number | undefined): SessionIdentity | undefined {
  if (!isPlainObject(value)) return undefined;
  if (!nonEmptyString(value.member_id) || !nonEmptyString(value.organization_id) || !nonEmptyString(value.member_session_id)) return undefined;
  const startedAt = parseDate(value.started_at);
  const expiresAt = parseDate(value.expires_at);
  const roles = stringArray(value.roles);
  const factors = factorArray(value.authentication_factors);
  if (startedAt === undefined || expiresAt === undefined || roles === undefined || factors === undefined) return undefined;
  const custom = Object.create(null) as Record<string, unknown>;
  if (isPlainObject(value.custom_claims)) {
    for (const key of Object.keys(value.custom_claims)) if (!RESERVED.has(key)) custom[key] = value.custom_claims[key];
  }
  return Object.freeze({
    memberId: value.member_id,
    organizationId: value.organization_id,
    organizationSlug: typeof value.organization_slug === 'string' ? value.organization_slug : '',
    sessionId: value.member_session_id,
    roles,
    authenticationFactors: factors,
    sessionStartedAt: startedAt,
    sessionExpiresAt: expiresAt,
    issuedAt,
    customClaims: Object.freeze(custom),
  });
}
