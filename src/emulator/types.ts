/**
 * Public types of the local Stytch B2B emulator. The API object types come from the library's
 * `client/types.ts` (type-only imports: the emulator shares no runtime code with the library).
 */
import type { Member, MemberSession, Organization, OrgPolicy, RbacPolicy, AuthenticationFactor } from '../client/types.js';

/** Options of {@link startEmulator}. Every option is optional. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1. Default `0` (an ephemeral port). */
  port?: number;
  /** Project id. Default `project-test-<uuid>`. */
  projectId?: string;
  /** Project secret checked by Basic auth. Default `secret-test-<random>`. */
  secret?: string;
  /** Project RBAC policy. Default: `stytch_member` / `stytch_admin` over the `stytch.*` resources. */
  policy?: RbacPolicy;
  /** Epoch milliseconds the emulator clock starts at. Default `Date.now()`. */
  startTime?: number;
  /** Redirect URLs used when a call omits its own. Default `http://localhost:3000/authenticate`. */
  redirectUrls?: { login?: string; signup?: string; discovery?: string; invite?: string; resetPassword?: string };
  /** Project password settings (reference A2.3). Default: zxcvbn, breach checks on, organization-scoped passwords. */
  passwords?: EmulatorPasswordOptions;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The project's public token (browser-facing start endpoints). Default `public-token-test-<uuid>`. */
  publicToken?: string;
  /**
   * Extra redirect URLs the public SSO/OAuth start endpoints accept. Loopback URLs and
   * `redirectUrls` are always accepted; anything else is refused (`no_match_for_provided_*_url`).
   */
  allowedRedirectUrls?: string[];
  /**
   * Match redirect URLs the strict way of Stytch's URL-validation reference: exactly, query
   * included (its redirect-URL guide instead allows extra query parameters, which is the default
   * here: the query is ignored). Loopback URLs then pass only without a query, as if registered
   * bare, and the magic-link sends (login, signup, discovery, invite, email update) are checked
   * too. Default `false`.
   */
  exactRedirectUrls?: boolean;
  /** Suppress the emulator's own console output (it prints nothing but unexpected internal errors). */
  quiet?: boolean;
}

/** The project's password settings, as on Stytch's dashboard. */
export interface EmulatorPasswordOptions {
  /** `'zxcvbn'` (default; valid when the score is 3 or more) or `'luds'`. */
  validationPolicy?: 'zxcvbn' | 'luds';
  /** LUDS: minimum length, 8–32. Default 8. */
  ludsMinPasswordLength?: number;
  /** LUDS: how many of lower, upper, digit, symbol are required, 1–4. Default 3. */
  ludsMinPasswordComplexity?: number;
  /** Refuse passwords on the built-in breached list when they are set. Default true. */
  checkBreachOnCreation?: boolean;
  /** Refuse sign-in with a breached password (`member_reset_password`). Default true. */
  checkBreachOnAuthentication?: boolean;
  /**
   * One password per email across organizations: enables the discovery password calls and
   * `email/require_reset`. Default false (organization-scoped passwords).
   */
  crossOrganization?: boolean;
  /** More passwords to treat as breached, besides the built-in list. */
  breachedPasswords?: string[];
}

/** A scripted failure for the next call(s) to an endpoint. */
export type EmulatorFault =
  | { status: number; errorType?: string; retryAfterSeconds?: number }
  | { delayMs: number }
  | { malformed: true }
  | { drop: 'before_headers' | 'mid_body' }
  | { hang: true };

/** One received API call (control-plane calls are not recorded). */
/** A scripted fault that no call has met yet; `times` is how many calls it still had to meet. */
export interface PendingFault {
  endpoint: string;
  fault: EmulatorFault;
  times: number;
}

export interface EmulatorCall {
  method: string;
  path: string;
  /** `${method} ${path}` without the query string. */
  endpoint: string;
  /** HTTP status answered; `0` when the connection was dropped or left hanging. */
  status: number;
  /** Emulator-clock epoch milliseconds. */
  at: number;
}

/** Kinds of message the emulator "sends". */
export type OutboxKind =
  | 'login_magic_link'
  | 'signup_magic_link'
  | 'invite_magic_link'
  | 'discovery_magic_link'
  | 'email_otp'
  | 'discovery_email_otp'
  | 'sms_otp'
  | 'email_update_magic_link'
  | 'password_reset'
  | 'discovery_password_reset';

/** An email or SMS the emulator would have delivered. */
export interface OutboxMessage {
  id: string;
  at: number;
  channel: 'email' | 'sms';
  to: string;
  kind: OutboxKind;
  organizationId?: string;
  memberId?: string;
  /** Magic-link or password-reset token. */
  token?: string;
  /** OTP code. */
  code?: string;
  /** The redirect URL with `?stytch_token_type=...&token=...` appended. */
  link?: string;
  /** An invite's `invited_by_member_id` (the real email names the inviter); absent when none was sent. */
  invitedByMemberId?: string;
}

/** Input of `admin.createMember`. */
export interface AdminMemberInput {
  email_address: string;
  name?: string;
  status?: 'active' | 'pending' | 'invited';
  /** Direct role ids. */
  roles?: string[];
  mfa_phone_number?: string;
  mfa_enrolled?: boolean;
  is_breakglass?: boolean;
  /** Test convenience: give the member a password for `passwords/authenticate`. */
  password?: string;
  /** Test convenience: the phone number counts as verified (default true when given via admin). */
  mfa_phone_number_verified?: boolean;
  external_id?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
}

/** Result of `admin.createSession`. */
export interface AdminSession {
  session_token: string;
  session_jwt: string;
  member_session: MemberSession;
}

/** Test-only operations that bypass the HTTP API. */
export interface EmulatorAdmin {
  createOrganization(input: Partial<Organization> & { organization_name: string; organization_slug?: string }): Organization;
  createMember(organizationId: string, input: AdminMemberInput): Member;
  getOrganization(idOrSlug: string): Organization | undefined;
  getMember(memberId: string): Member | undefined;
  createSession(input: {
    member_id: string;
    factors?: AuthenticationFactor['type'][];
    session_duration_minutes?: number;
    custom_claims?: Record<string, unknown>;
  }): AdminSession;
  revokeSession(input: { member_session_id?: string; session_token?: string; member_id?: string }): void;
  setProjectPolicy(policy: RbacPolicy): void;
  getProjectPolicy(): RbacPolicy;
  setOrgPolicy(organizationId: string, orgPolicy: OrgPolicy): void;
  rotateKeys(options?: { keepOld?: boolean }): { kid: string };
  removeKey(kid: string): void;
  currentKid(): string;
  /** RS256-signs any payload with the current private key (for tests of well-signed tokens with bad claims). */
  signJwt(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
  /**
   * An OAuth token as if the browser flow had finished (no organization: a discovery token).
   * `email_verified: false` makes Google/Microsoft act unverified; `tenant_id` is the Slack,
   * HubSpot or GitHub tenant; with `pkce_code_challenge` authenticate needs the verifier.
   */
  issueOAuthToken(input: { email_address: string; organization_id?: string; provider?: string; email_verified?: boolean; tenant_id?: string; pkce_code_challenge?: string }): string;
  issueSsoToken(input: { member_id: string; pkce_code_challenge?: string }): string;
  /** The project's public token (the same as `emulator.publicToken`). */
  publicToken(): string;
  /** An M2M client, as `POST /v1/m2m/clients` creates it; the secret is returned only here. */
  createM2MClient(input: { scopes: string[]; client_id?: string; client_secret?: string; client_name?: string; client_description?: string; trusted_metadata?: Record<string, unknown> }): {
    client_id: string;
    client_secret: string;
    scopes: string[];
  };
  /**
   * A Connected-App client (Stytch as an identity provider). Confidential types get a
   * `client_secret` (returned only here); `*_public` types have none.
   */
  createConnectedApp(input?: {
    client_name?: string;
    client_description?: string;
    client_type?: 'first_party' | 'first_party_public' | 'third_party' | 'third_party_public';
    access_token_expiry_minutes?: number;
    full_access_allowed?: boolean;
  }): { client_id: string; client_secret?: string; client_type: string };
  /**
   * A Connected-App access token as if `member_id` had consented to `scopes`: a policy scope is
   * grantable only when the member's roles hold all its permissions; built-in OIDC scopes always are.
   * `opaque: true` issues an opaque reference token instead of a JWT: only introspection reads it.
   */
  issueConnectedAppToken(input: { client_id: string; member_id: string; scopes: string[]; custom_claims?: Record<string, unknown>; opaque?: boolean }): { access_token: string; expires_in: number };
  /** Withdraws consent for one Connected-App access token: introspection answers `active: false`. */
  revokeAccessToken(accessToken: string): void;
  /** RFC 6238 code (6 digits, 30 s, SHA-1) for a base32 secret at `atMs` (default: emulator clock). */
  totpCode(secret: string, atMs?: number): string;
  /** Forget every organization, member, session, token, message, call and fault; restore the initial policy. */
  reset(): void;
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  projectId: string;
  secret: string;
  /** The project's public token, for the public SSO/OAuth start URLs. */
  publicToken: string;
  jwksUrl: string;
  /** `stytch.com/<projectId>`. */
  issuer: string;
  close(): Promise<void>;
  /** The clock every expiry in the emulator uses (real time plus an offset). */
  clock: { now(): number; advance(ms: number): void; set(epochMs: number): void };
  faults: {
    next(endpoint: string, fault: EmulatorFault, times?: number): void;
    clear(): void;
    /** Faults scripted but never met by a call (a fault for several calls counts once met). */
    pending(): PendingFault[];
    /** Throws, naming each one, when a scripted fault was never met: call it before `clear()` in an `afterEach`. */
    assertNoPending(): void;
  };
  calls: { list(): EmulatorCall[]; count(endpoint?: string | RegExp): number; clear(): void };
  outbox: {
    list(): OutboxMessage[];
    latest(filter?: { to?: string; kind?: OutboxKind }): OutboxMessage | undefined;
    clear(): void;
  };
  admin: EmulatorAdmin;
}
