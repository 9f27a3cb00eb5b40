/**
 * Everything the emulator remembers. Plain maps of internal records; the API objects
 * (Member, MemberSession, ...) are rendered from these by `views.ts`.
 */
import type { AuthenticationFactor, Organization, OrgPolicy, RbacPolicy } from '../client/types.js';
import type { EmulatorClock } from './clock.js';
import type { KeyRing } from './keys.js';
import type { ConnectedAppRecord, M2MClientRecord } from './m2m.js';
import type { IdpFlow, SsoConnectionRecord } from './sso-types.js';
import type { EmulatorCall, EmulatorOptions, OutboxKind, OutboxMessage } from './types.js';
import { newId } from './ids.js';

export interface TotpRecord {
  totp_registration_id: string;
  secret: string;
  /** A registration counts as an MFA factor only once a code was authenticated. */
  verified: boolean;
  /** Unverified registrations expire (`expiration_minutes`). */
  expires_at: number;
  recovery_codes: { id: string; code: string; used: boolean }[];
  /** Time steps already used, to refuse replays (`totp_code_already_authenticated`). */
  used_steps: Set<number>;
}

export interface MemberRecord {
  member_id: string;
  organization_id: string;
  email_address: string;
  email_id: string;
  email_address_verified: boolean;
  status: 'pending' | 'invited' | 'active' | 'deleted';
  name: string;
  direct_roles: string[];
  is_breakglass: boolean;
  mfa_enrolled: boolean;
  mfa_phone_number: string;
  mfa_phone_number_verified: boolean;
  phone_id: string;
  default_mfa_method: string;
  totp?: TotpRecord;
  password?: PasswordRecord;
  /** `passwords/email/require_reset` was called: password sign-in is refused until a reset. */
  password_reset_required?: boolean;
  retired_email_addresses: { email_id: string; email_address: string }[];
  trusted_metadata: Record<string, unknown>;
  untrusted_metadata: Record<string, unknown>;
  external_id?: string;
  oauth_registrations: Record<string, unknown>[];
  created_at: number;
  updated_at: number;
}

/** A stored password: a scrypt hash of our own, or a migrated hash (`passwords/migrate`). */
export interface PasswordRecord {
  id: string;
  salt: string;
  hash: string;
  /** Set for migrated hashes: how to check a password against `hash`. */
  migrated?: { hash_type: string; config: Record<string, unknown> };
}

/** A password-reset token (single use), organization-scoped or discovery. */
export interface PasswordResetRecord {
  token: string;
  kind: 'org' | 'discovery';
  email_address: string;
  organization_id?: string;
  member_id?: string;
  expires_at: number;
  used: boolean;
  code_challenge?: string;
}

/** Project password settings (reference A2.3). */
export interface PasswordSettings {
  validationPolicy: 'zxcvbn' | 'luds';
  ludsMinPasswordLength: number;
  ludsMinPasswordComplexity: number;
  checkBreachOnCreation: boolean;
  checkBreachOnAuthentication: boolean;
  crossOrganization: boolean;
  breachedPasswords: ReadonlySet<string>;
}

export interface SessionRecord {
  member_session_id: string;
  member_id: string;
  organization_id: string;
  session_token: string;
  started_at: number;
  last_accessed_at: number;
  expires_at: number;
  factors: AuthenticationFactor[];
  custom_claims: Record<string, unknown>;
}

/** An intermediate session: a bag of factors, optionally tied to an organization and member. */
export interface IstRecord {
  token: string;
  expires_at: number;
  email_address: string;
  /** Whether the factors verified the email (magic link, email OTP, verified OAuth...). */
  email_verified: boolean;
  organization_id?: string;
  member_id?: string;
  factors: AuthenticationFactor[];
}

export interface MagicLinkRecord {
  token: string;
  kind: OutboxKind;
  email_address: string;
  organization_id?: string;
  member_id?: string;
  expires_at: number;
  used: boolean;
  pkce_code_challenge?: string;
  /** For `email_update_magic_link`: the address being verified. */
  new_email_address?: string;
  /** For `invite_magic_link`: the request's `invited_by_member_id`, as the email would name the inviter. */
  invited_by_member_id?: string;
}

export interface EmailOtpRecord {
  code: string;
  expires_at: number;
  email_address: string;
  organization_id?: string;
  member_id?: string;
  /** For an email update: the address being verified. */
  new_email_address?: string;
  used?: boolean;
}

export interface SmsOtpRecord {
  code: string;
  expires_at: number;
  phone_number: string;
}

export interface OAuthTokenRecord {
  email_address: string;
  organization_id?: string;
  provider: string;
  provider_subject: string;
  used: boolean;
  expires_at: number;
  /** What the built-in IdP page said about the email; absent for admin-issued tokens. */
  email_verified?: boolean;
  full_name?: string;
  /** Slack workspace / HubSpot hub / GitHub organization id typed on the IdP page. */
  tenant_id?: string;
  scopes?: string[];
  pkce_code_challenge?: string;
}

/** An SSO token: admin-issued ones name a member; IdP-page ones carry the asserted identity. */
export interface SsoTokenRecord {
  member_id?: string;
  organization_id?: string;
  connection_id?: string;
  email_address?: string;
  name?: string;
  pkce_code_challenge?: string;
  used: boolean;
  expires_at: number;
}

export interface EmulatorSettings {
  projectId: string;
  secret: string;
  url: string;
  issuer: string;
  redirectUrls: { login: string; signup: string; discovery: string; invite: string; resetPassword: string };
  passwords: PasswordSettings;
  /** Browser-facing token of the project (public start endpoints). */
  publicToken: string;
  /** Redirect URLs accepted by the public start endpoints besides loopback ones and `redirectUrls`. */
  allowedRedirectUrls: string[];
  /** Redirect URLs must match exactly, query included (see `EmulatorOptions.exactRedirectUrls`). */
  exactRedirectUrls: boolean;
  quiet: boolean;
}

export class EmulatorState {
  organizations = new Map<string, Organization>();
  members = new Map<string, MemberRecord>();
  sessions = new Map<string, SessionRecord>();
  sessionsByToken = new Map<string, SessionRecord>();
  intermediateSessions = new Map<string, IstRecord>();
  magicLinks = new Map<string, MagicLinkRecord>();
  /** Password-reset tokens by token. */
  passwordResets = new Map<string, PasswordResetRecord>();
  /** Key: `${organization_id or 'discovery'}|${email}`; a new code replaces the old one. */
  emailOtps = new Map<string, EmailOtpRecord>();
  /** Key: member_id; one live code per member. */
  smsOtps = new Map<string, SmsOtpRecord>();
  oauthTokens = new Map<string, OAuthTokenRecord>();
  ssoTokens = new Map<string, SsoTokenRecord>();
  /** SAML, OIDC and External SSO connections by connection id. */
  ssoConnections = new Map<string, SsoConnectionRecord>();
  /** Sign-ins waiting on the built-in IdP page, by flow id (single use). */
  idpFlows = new Map<string, IdpFlow>();
  orgPolicies = new Map<string, OrgPolicy>();
  /** M2M clients by client id (secrets stored hashed). */
  m2mClients = new Map<string, M2MClientRecord>();
  /** Connected-App clients by client id. */
  connectedApps = new Map<string, ConnectedAppRecord>();
  /** `jti`s of Connected-App access tokens whose consent was revoked. */
  revokedAccessTokens = new Set<string>();
  /** Opaque Connected-App access tokens → the claims introspection reports for them. */
  opaqueAccessTokens = new Map<string, Record<string, unknown>>();
  outbox: OutboxMessage[] = [];
  calls: EmulatorCall[] = [];
  policy: RbacPolicy;

  constructor(
    readonly settings: EmulatorSettings,
    readonly clock: EmulatorClock,
    readonly keys: KeyRing,
    private readonly initialPolicy: RbacPolicy,
  ) {
    this.policy = structuredClone(initialPolicy);
  }

  now(): number {
    return this.clock.now();
  }

  send(message: Omit<OutboxMessage, 'id' | 'at'>): OutboxMessage {
    const full: OutboxMessage = { id: newId('message'), at: this.now(), ...message };
    this.outbox.push(full);
    return full;
  }

  reset(): void {
    for (const map of [
      this.organizations, this.members, this.sessions, this.sessionsByToken, this.intermediateSessions, this.magicLinks,
      this.emailOtps, this.smsOtps, this.passwordResets, this.oauthTokens, this.ssoTokens, this.orgPolicies, this.ssoConnections, this.idpFlows,
      this.m2mClients, this.connectedApps, this.revokedAccessTokens, this.opaqueAccessTokens,
    ]) {
      map.clear();
    }
    this.outbox = [];
    this.calls = [];
    this.policy = structuredClone(this.initialPolicy);
  }
}

export type Options = EmulatorOptions;
