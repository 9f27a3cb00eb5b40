/**
 * The auth object's types: what one request's credential turned into. A leaf module (types
 * only), shared by the pure core that decides and the edges that read the decision.
 */
import type { StytchExpressError } from '../errors.js';
import type { SessionIdentityFields } from './claims.js';

/** How a signed-in request's credential was checked. */
export type VerifiedBy =
  /** RS256 signature checked locally against the cached JWKS on this request. */
  | 'local_jwt'
  /** The same token was verified earlier and served from the verified-token cache. */
  | 'cache'
  /** Stytch's `sessions/authenticate` was called (opaque token, expired or too-old JWT). */
  | 'network';

/** Which credential the identity came from (one credential per request, never mixed). */
export type CredentialSource = 'bearer' | 'jwt_cookie' | 'session_cookie';

/** The credential that decided a request. Never log its value. */
export interface Credential {
  readonly source: CredentialSource;
  readonly kind: 'jwt' | 'opaque';
  readonly value: string;
}

/** Why a request is signed out. Stable strings, safe to log and to return. */
export type SignedOutReason =
  | 'no_credentials'
  | 'malformed_credentials'
  | 'invalid_token'
  | 'expired_session'
  | 'session_not_found'
  | 'duplicate_credentials'
  | 'not_a_session_token'
  /** A genuine token of a kind this middleware (or guard) was not told to accept (see `acceptsToken`). */
  | 'token_type_not_accepted';

/** Why a request could not be decided (Stytch or the JWKS unreachable). Guards answer 503. */
export type UndecidedReason = 'upstream_unavailable' | 'upstream_rate_limited' | 'jwks_unavailable' | 'circuit_open';

/** A signed-in member. */
export interface SignedInAuth extends SessionIdentityFields {
  readonly isAuthenticated: true;
  readonly status: 'signed_in';
  /** When the JWT that proved this identity was issued (`iat`); undefined for opaque-token authentication. */
  readonly tokenIssuedAt: Date | undefined;
  readonly verifiedBy: VerifiedBy;
  readonly credential: CredentialSource;
  /**
   * Local RBAC decision against the cached policy: may this member perform `action` on `resourceId`
   * in their own organization? Synchronous; returns false (fail closed) when no policy is cached yet.
   */
  can(resourceId: string, action: string): boolean;
}

/** No valid identity. */
export interface SignedOutAuth {
  readonly isAuthenticated: false;
  readonly status: 'signed_out';
  readonly reason: SignedOutReason;
}

/** Identity could not be decided because an upstream was unavailable. Never treated as signed out. */
export interface UndecidedAuth {
  readonly isAuthenticated: false;
  readonly status: 'undecided';
  readonly reason: UndecidedReason;
  readonly error: StytchExpressError;
}

/**
 * Kinds of bearer token `stytchAuth()` can accept (option `acceptsToken`): member session JWTs
 * and opaque session tokens, M2M access tokens (client credentials), and Connected-App access
 * tokens (Stytch as an identity provider, issued to a third-party app on a member's behalf).
 */
export type TokenKind = 'session' | 'm2m' | 'connected_app';

/** The machine kinds of {@link TokenKind}. */
export type MachineTokenKind = Exclude<TokenKind, 'session'>;

/**
 * A machine caller: an M2M client, or a Connected App acting for a member. Never a member
 * session: it has no roles, no session id and no member id. `isAuthenticated` is about members
 * and stays false, so code written for members (`if (auth.isAuthenticated) ...auth.memberId`)
 * can never take a machine for one, at compile time or at run time; narrow on
 * `status === 'machine'` to read it.
 */
export interface MachineAuth {
  readonly isAuthenticated: false;
  readonly status: 'machine';
  readonly tokenType: MachineTokenKind;
  /** The M2M client id, or the Connected App's client id. */
  readonly clientId: string;
  /** `sub`: the client id for M2M tokens; for Connected-App tokens the member who consented. */
  readonly subject: string;
  /** Granted scopes, in token order (the space-separated `scope` claim). */
  readonly scopes: readonly string[];
  /** The token's organization claim, when it carries one (always for Connected-App tokens). */
  readonly organizationId: string | undefined;
  readonly organizationSlug: string | undefined;
  /** Claims other than the registered ones, `scope`, `client_id` and the organization claim. */
  readonly customClaims: Readonly<Record<string, unknown>>;
  readonly tokenIssuedAt: Date;
  readonly expiresAt: Date;
  /** `network` for a token Stytch introspected (an opaque Connected-App token); `local_jwt` or `cache` otherwise. */
  readonly verifiedBy: VerifiedBy;
  /** Machine tokens are only ever accepted as `Authorization: Bearer`. */
  readonly credential: 'bearer';
  /**
   * True when the granted scopes satisfy every one of `required`, with the official SDK's rule:
   * `action:resource` scopes, a granted `action:*` covers any resource of that action.
   */
  hasScopes(...required: string[]): boolean;
}

/** The auth object attached to each request by `stytchAuth()`. */
export type StytchAuth = SignedInAuth | MachineAuth | SignedOutAuth | UndecidedAuth;
