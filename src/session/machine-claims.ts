/**
 * The claim rules of machine access tokens (M2M and Connected-App), applied to a payload whose
 * signature and registered claims (`iss`, `aud`, `sub`, `iat`, `nbf`, `exp`) were already checked
 * (`jwt-claims.ts`). Pure and synchronous.
 *
 * Stricter than the official SDK on purpose: `scope` must be a string of single-space-separated
 * scopes with no other whitespace (the SDK splits any string on " " and throws a TypeError on a
 * non-string), and the organization claim, when present, must be well-formed.
 */
import { ORGANIZATION_CLAIM, SESSION_CLAIM } from '../client/types.js';
import type { MachineTokenKind } from './auth-types.js';

/** What a verified machine token says about its caller. */
export interface MachineIdentity {
  readonly tokenType: MachineTokenKind;
  readonly clientId: string;
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly organizationId: string | undefined;
  readonly organizationSlug: string | undefined;
  readonly customClaims: Readonly<Record<string, unknown>>;
  /** `iat` and `exp`, epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Why a machine token's claims were refused; stable strings for logs. */
export type MachineClaimsRefusal = 'scope' | 'client_id' | 'organization' | 'sub' | 'proto';

/** Claims that are not custom claims of a machine token. */
const RESERVED = new Set(['aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'sub', 'scope', 'client_id', ORGANIZATION_CLAIM]);
const MAX_SCOPE_CHARS = 8192;
const MAX_SCOPES = 256;
const MAX_ID_CHARS = 1024;
/** One scope: printable ASCII without spaces (RFC 6749 §3.3 scope-token, minus `"` and `\`). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_CHARS;
}

/**
 * The kind of a signature-checked token, from its claims: a member session carries the session
 * claim; a machine token carries `scope` and no session claim, and is a Connected-App token when
 * it names a `client_id`. A token with both the session claim and `scope` is ambiguous and is
 * neither (a session JWT never needs a `scope`; an access token must never pass for a session).
 */
export function tokenKindOf(payload: Record<string, unknown>): 'session' | MachineTokenKind | 'ambiguous' {
  const session = Object.hasOwn(payload, SESSION_CLAIM);
  const scoped = Object.hasOwn(payload, 'scope');
  if (session && scoped) return 'ambiguous';
  if (session || !scoped) return 'session';
  return Object.hasOwn(payload, 'client_id') ? 'connected_app' : 'm2m';
}

/**
 * Parse `scope`: a string of scopes separated by exactly one space, or the empty string (no
 * scopes). Anything else (an array, tabs, doubled or edge spaces, quotes) is refused rather
 * than guessed at.
 */
export function parseScopeClaim(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'string' || value.length > MAX_SCOPE_CHARS) return undefined;
  if (value === '') return Object.freeze([]);
  const scopes = value.split(' ');
  if (scopes.length > MAX_SCOPES) return undefined;
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) return undefined;
  return Object.freeze(scopes);
}

/**
 * Build the identity of a machine token whose registered claims passed, or name the rule it broke.
 *
 * @param kind - from {@link tokenKindOf}.
 * @example
 * const identity = machineIdentityFromPayload(payload, 'm2m');
 */
export function machineIdentityFromPayload(payload: Record<string, unknown>, kind: MachineTokenKind): MachineIdentity | MachineClaimsRefusal {
  if (Object.hasOwn(payload, '__proto__')) return 'proto';
  const sub = payload.sub;
  if (!nonEmptyString(sub)) return 'sub';
  const scopes = parseScopeClaim(payload.scope);
  if (scopes === undefined) return 'scope';
  let clientId = sub;
  if (kind === 'connected_app') {
    if (!nonEmptyString(payload.client_id)) return 'client_id';
    clientId = payload.client_id;
  }
  let organizationId: string | undefined;
  let organizationSlug: string | undefined;
  const org = payload[ORGANIZATION_CLAIM];
  if (org !== undefined) {
    if (!isPlainObject(org) || Object.hasOwn(org, '__proto__') || !nonEmptyString(org.organization_id) || typeof org.slug !== 'string') return 'organization';
    organizationId = org.organization_id;
    organizationSlug = org.slug;
  } else if (kind === 'connected_app') {
    // Stytch B2B Connected-App tokens always name the member's organization (the SDK requires it).
    return 'organization';
  }
  const custom = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(payload)) if (!RESERVED.has(key)) custom[key] = payload[key];
  return Object.freeze({
    tokenType: kind,
    clientId,
    subject: sub,
    scopes,
    organizationId,
    organizationSlug,
    customClaims: Object.freeze(custom),
    issuedAt: payload.iat as number,
    expiresAt: payload.exp as number,
  });
}

/**
 * What an introspection answer carries besides the token's claims (RFC 7662 §2.2 and Stytch's
 * envelope); never custom claims. The official SDK strips the same fields (addendum A8.5).
 */
const INTROSPECTION_FIELDS = ['active', 'token_type', 'request_id', 'status_code'] as const;

/**
 * Build the identity of a Connected-App token from an `active: true` introspection answer
 * (`POST /v1/public/{project_id}/oauth2/introspect`), with the same claim rules as a locally
 * verified token: `sub`, a well-formed `scope`, `client_id`, the organization claim, and `iat` /
 * `exp` as finite numbers (the auth object exposes both). Answers `expired` when Stytch calls
 * the token active but its `exp` has passed by our clock (then it is refused, not trusted).
 *
 * @param nowSeconds - whole epoch seconds.
 * @example
 * const identity = machineIdentityFromIntrospection(answer, Math.floor(Date.now() / 1000));
 */
export function machineIdentityFromIntrospection(answer: Record<string, unknown>, nowSeconds: number): MachineIdentity | MachineClaimsRefusal | 'time' | 'expired' {
  if (Object.hasOwn(answer, '__proto__')) return 'proto';
  const { iat, exp } = answer;
  if (typeof iat !== 'number' || !Number.isFinite(iat) || typeof exp !== 'number' || !Number.isFinite(exp)) return 'time';
  if (exp <= nowSeconds) return 'expired';
  const claims = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(answer)) claims[key] = answer[key];
  for (const field of INTROSPECTION_FIELDS) delete claims[field];
  return machineIdentityFromPayload(claims, 'connected_app');
}
