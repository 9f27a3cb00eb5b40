/**
 * Request and response types of the client methods (reference sections 2, 4, 5, 6). Field
 * names are Stytch's own. Responses allow unknown fields: Stytch adds fields over time and the
 * client passes them through untouched.
 */
import type {
  AuthorizationCheck,
  AuthorizationVerdict,
  DiscoveredOrganization,
  Member,
  MemberSession,
  MfaRequired,
  OrgPolicy,
  Organization,
  PrimaryAuthenticateResponse,
  PrimaryRequired,
  RbacPolicy,
  RbacRole,
  StytchJwk,
  StytchResponseBase,
} from './types.js';

/** Languages Stytch localises emails/SMS into (reference 2.4; 14.2.0 adds more). */
export type StytchLocale = 'en' | 'es' | 'pt-br' | 'fr' | 'it' | 'de-DE' | 'zh-Hans' | 'ca-ES' | (string & {});

/** Custom claims to merge into a session; a `null` value deletes that claim. */
export type SessionCustomClaims = Record<string, unknown>;

/** Fields shared by the calls that create or extend a session. */
export interface SessionCreationFields {
  session_token?: string;
  session_jwt?: string;
  /** 5–527040; omitted keeps Stytch's default (60 minutes for a new session). */
  session_duration_minutes?: number;
  session_custom_claims?: SessionCustomClaims;
}

/** Extra fields of a response that may carry device fingerprinting data. */
interface WithMemberDevice {
  member_device?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Most member/organization calls answer with this trio (reference 6.2). */
export interface MemberResponse extends StytchResponseBase {
  member_id: string;
  member: Member;
  organization: Organization;
  [key: string]: unknown;
}

/** A response with only `request_id` and `status_code`. */
export interface EmptyResponse extends StytchResponseBase {
  [key: string]: unknown;
}

// ---------------------------------------------------------------- Sessions (reference 2)

export interface SessionsAuthenticateRequest {
  session_token?: string;
  session_jwt?: string;
  session_duration_minutes?: number;
  session_custom_claims?: SessionCustomClaims;
  authorization_check?: AuthorizationCheck;
}
export interface SessionsAuthenticateResponse extends StytchResponseBase, WithMemberDevice {
  member_session: MemberSession;
  session_token: string;
  session_jwt: string;
  member: Member;
  organization: Organization;
  /** Present only when `authorization_check` was sent (and passed). */
  verdict?: AuthorizationVerdict;
}

export interface SessionsRevokeRequest {
  member_session_id?: string;
  session_token?: string;
  session_jwt?: string;
  member_id?: string;
}
export type SessionsRevokeResponse = EmptyResponse;

export interface SessionsExchangeRequest {
  /** Id, slug or external id of the target organization. */
  organization_id: string;
  session_token?: string;
  session_jwt?: string;
  session_duration_minutes?: number;
  session_custom_claims?: SessionCustomClaims;
  locale?: StytchLocale;
  telemetry_id?: string;
}
export type SessionsExchangeResponse = PrimaryAuthenticateResponse & WithMemberDevice;

export interface SessionsGetRequest {
  organization_id: string;
  member_id: string;
}
export interface SessionsGetResponse extends StytchResponseBase {
  member_sessions: MemberSession[];
  [key: string]: unknown;
}

export interface SessionsGetJWKSRequest {
  /** Default: the client's project id. */
  project_id?: string;
}
export interface SessionsGetJWKSResponse extends StytchResponseBase {
  keys: StytchJwk[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------- RBAC (reference 4)

export type RbacPolicyRequest = Record<string, never>;
export interface RbacPolicyResponse extends StytchResponseBase {
  /** Typed optional by the official SDK; Stytch sends it in practice. */
  policy?: RbacPolicy;
  [key: string]: unknown;
}

export interface RbacGetOrgPolicyRequest {
  organization_id: string;
}
export interface RbacGetOrgPolicyResponse extends StytchResponseBase {
  org_policy: OrgPolicy;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- Magic links (reference 5.3)

export interface MagicLinksAuthenticateRequest extends SessionCreationFields {
  magic_links_token: string;
  pkce_code_verifier?: string;
  locale?: StytchLocale;
  intermediate_session_token?: string;
  telemetry_id?: string;
}
export type MagicLinksAuthenticateResponse = PrimaryAuthenticateResponse &
  WithMemberDevice & {
    /** The email id the link was sent to. */
    method_id: string;
    /** Deprecated by Stytch. */
    reset_sessions?: boolean;
  };

export interface MagicLinksEmailLoginOrSignupRequest {
  organization_id: string;
  email_address: string;
  login_redirect_url?: string;
  signup_redirect_url?: string;
  pkce_code_challenge?: string;
  login_template_id?: string;
  signup_template_id?: string;
  locale?: StytchLocale;
  login_expiration_minutes?: number;
  signup_expiration_minutes?: number;
}
export interface LoginOrSignupResponse extends MemberResponse {
  member_created: boolean;
}
export type MagicLinksEmailLoginOrSignupResponse = LoginOrSignupResponse;

export interface MagicLinksEmailInviteRequest {
  organization_id: string;
  email_address: string;
  invite_redirect_url?: string;
  invited_by_member_id?: string;
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  invite_template_id?: string;
  locale?: StytchLocale;
  roles?: string[];
  invite_expiration_minutes?: number;
}
export type MagicLinksEmailInviteResponse = MemberResponse;

export interface MagicLinksEmailDiscoverySendRequest {
  email_address: string;
  discovery_redirect_url?: string;
  pkce_code_challenge?: string;
  login_template_id?: string;
  locale?: StytchLocale;
  discovery_expiration_minutes?: number;
}
export type MagicLinksEmailDiscoverySendResponse = EmptyResponse;

export interface MagicLinksDiscoveryAuthenticateRequest {
  discovery_magic_links_token: string;
  pkce_code_verifier?: string;
}

/** What every discovery authenticate call answers (reference 5.3, 5.5, 5.6). */
export interface DiscoveryAuthenticateResponse extends StytchResponseBase {
  intermediate_session_token: string;
  intermediate_session_token_expires_at?: string;
  email_address: string;
  discovered_organizations: DiscoveredOrganization[];
  [key: string]: unknown;
}
export type MagicLinksDiscoveryAuthenticateResponse = DiscoveryAuthenticateResponse;

// ---------------------------------------------------------------- OTPs (reference 5.6, 5.7)

export interface OtpsEmailLoginOrSignupRequest {
  organization_id: string;
  email_address: string;
  login_template_id?: string;
  signup_template_id?: string;
  locale?: StytchLocale;
  login_expiration_minutes?: number;
  signup_expiration_minutes?: number;
}
export type OtpsEmailLoginOrSignupResponse = LoginOrSignupResponse;

export interface OtpsEmailAuthenticateRequest extends SessionCreationFields {
  organization_id: string;
  email_address: string;
  code: string;
  intermediate_session_token?: string;
  locale?: StytchLocale;
  telemetry_id?: string;
}
export type OtpsEmailAuthenticateResponse = PrimaryAuthenticateResponse & WithMemberDevice & { method_id: string };

export interface OtpsEmailDiscoverySendRequest {
  email_address: string;
  login_template_id?: string;
  locale?: StytchLocale;
  discovery_expiration_minutes?: number;
}
export type OtpsEmailDiscoverySendResponse = EmptyResponse;

export interface OtpsEmailDiscoveryAuthenticateRequest {
  email_address: string;
  code: string;
}
export type OtpsEmailDiscoveryAuthenticateResponse = DiscoveryAuthenticateResponse;

export interface OtpsSmsSendRequest {
  organization_id: string;
  member_id: string;
  /** E.164; used and linked only when the member has no phone yet. */
  mfa_phone_number?: string;
  locale?: StytchLocale;
  intermediate_session_token?: string;
  session_token?: string;
  session_jwt?: string;
}
export type OtpsSmsSendResponse = MemberResponse;

/** Fields of the MFA authenticate calls (SMS OTP, TOTP). Exactly one of IST/session token/JWT. */
export interface MfaAuthenticateFields extends SessionCreationFields {
  organization_id: string;
  member_id: string;
  intermediate_session_token?: string;
  set_mfa_enrollment?: 'enroll' | 'unenroll' | (string & {});
  set_default_mfa?: boolean;
  telemetry_id?: string;
}
export interface OtpsSmsAuthenticateRequest extends MfaAuthenticateFields {
  code: string;
}

/** What the MFA calls answer: a full session (reference 5.7–5.9). */
export interface MfaAuthenticateResponse extends MemberResponse, WithMemberDevice {
  session_token: string;
  session_jwt: string;
  member_session?: MemberSession | null;
}
export type OtpsSmsAuthenticateResponse = MfaAuthenticateResponse;

// ---------------------------------------------------------------- TOTP (reference 5.8)

export interface TotpsCreateRequest {
  organization_id: string;
  member_id: string;
  /** 5–1440, default 60: an unverified registration expires. */
  expiration_minutes?: number;
  intermediate_session_token?: string;
  session_token?: string;
  session_jwt?: string;
}
export interface TotpsCreateResponse extends MemberResponse {
  totp_registration_id: string;
  /** Base32 shared secret. */
  secret: string;
  /** `data:image/png;base64,…` */
  qr_code: string;
  recovery_codes: string[];
}

export interface TotpsAuthenticateRequest extends MfaAuthenticateFields {
  code: string;
}
export type TotpsAuthenticateResponse = MfaAuthenticateResponse;

// ---------------------------------------------------------------- Recovery codes (reference 5.9)

export interface RecoveryCodesRecoverRequest extends SessionCreationFields {
  organization_id: string;
  member_id: string;
  recovery_code: string;
  intermediate_session_token?: string;
  telemetry_id?: string;
}
export interface RecoveryCodesRecoverResponse extends MfaAuthenticateResponse {
  recovery_codes_remaining: number;
}

export interface RecoveryCodesGetRequest {
  organization_id: string;
  member_id: string;
}
export interface RecoveryCodesGetResponse extends MemberResponse {
  recovery_codes: string[];
}

export interface RecoveryCodesRotateRequest {
  organization_id: string;
  member_id: string;
}
export type RecoveryCodesRotateResponse = RecoveryCodesGetResponse;

// ---------------------------------------------------------------- Discovery (reference 5.11)

export interface DiscoveryOrganizationsListRequest {
  /** Exactly one of the three. */
  intermediate_session_token?: string;
  session_token?: string;
  session_jwt?: string;
}
export interface DiscoveryOrganizationsListResponse extends StytchResponseBase {
  email_address: string;
  discovered_organizations: DiscoveredOrganization[];
  organization_id_hint?: string | null;
  [key: string]: unknown;
}

/** Organization settings accepted when creating or updating an organization (reference 6.1). */
export interface OrganizationSettings {
  organization_name?: string;
  organization_slug?: string;
  organization_external_id?: string;
  organization_logo_url?: string;
  trusted_metadata?: Record<string, unknown>;
  sso_jit_provisioning?: 'ALL_ALLOWED' | 'RESTRICTED' | 'NOT_ALLOWED' | (string & {});
  sso_jit_provisioning_allowed_connections?: string[];
  sso_default_connection_id?: string;
  email_allowed_domains?: string[];
  email_jit_provisioning?: 'RESTRICTED' | 'NOT_ALLOWED' | (string & {});
  email_invites?: 'ALL_ALLOWED' | 'RESTRICTED' | 'NOT_ALLOWED' | (string & {});
  auth_methods?: 'ALL_ALLOWED' | 'RESTRICTED' | (string & {});
  allowed_auth_methods?: string[];
  mfa_policy?: 'OPTIONAL' | 'REQUIRED_FOR_ALL' | (string & {});
  mfa_methods?: 'ALL_ALLOWED' | 'RESTRICTED' | (string & {});
  allowed_mfa_methods?: string[];
  rbac_email_implicit_role_assignments?: { domain: string; role_id: string }[];
  oauth_tenant_jit_provisioning?: 'RESTRICTED' | 'NOT_ALLOWED' | (string & {});
  allowed_oauth_tenants?: Record<string, string[]>;
  first_party_connected_apps_allowed_type?: string;
  third_party_connected_apps_allowed_type?: string;
  allowed_first_party_connected_apps?: string[];
  allowed_third_party_connected_apps?: string[];
  custom_roles?: RbacRole[];
}

export interface DiscoveryOrganizationsCreateRequest extends OrganizationSettings {
  intermediate_session_token: string;
  session_duration_minutes?: number;
  session_custom_claims?: SessionCustomClaims;
  telemetry_id?: string;
}
export type DiscoveryOrganizationsCreateResponse = PrimaryAuthenticateResponse & WithMemberDevice;

export interface DiscoveryIntermediateSessionsExchangeRequest {
  intermediate_session_token: string;
  organization_id: string;
  session_duration_minutes?: number;
  session_custom_claims?: SessionCustomClaims;
  locale?: StytchLocale;
  telemetry_id?: string;
}
export type DiscoveryIntermediateSessionsExchangeResponse = PrimaryAuthenticateResponse & WithMemberDevice;

// ---------------------------------------------------------------- Organizations (reference 6.1)

export interface OrganizationsCreateRequest extends OrganizationSettings {
  organization_name: string;
}
export interface OrganizationResponse extends StytchResponseBase {
  organization: Organization;
  [key: string]: unknown;
}
export type OrganizationsCreateResponse = OrganizationResponse;

export interface OrganizationsGetRequest {
  organization_id: string;
}
export type OrganizationsGetResponse = OrganizationResponse;

export interface OrganizationsUpdateRequest extends OrganizationSettings {
  organization_id: string;
}
export type OrganizationsUpdateResponse = OrganizationResponse;

export interface OrganizationsDeleteRequest {
  organization_id: string;
}
export interface OrganizationsDeleteResponse extends StytchResponseBase {
  organization_id: string;
  [key: string]: unknown;
}

/** A search filter: `{ filter_name, filter_value }` (reference 6.1, 6.2). */
export interface SearchOperand {
  filter_name: string;
  filter_value: unknown;
}
export interface SearchQuery {
  operator: 'AND' | 'OR';
  operands: SearchOperand[];
}
export interface ResultsMetadata {
  total: number;
  next_cursor?: string | null;
}

export interface OrganizationsSearchRequest {
  cursor?: string;
  limit?: number;
  query?: SearchQuery;
}
export interface OrganizationsSearchResponse extends StytchResponseBase {
  organizations: Organization[];
  results_metadata: ResultsMetadata;
  [key: string]: unknown;
}

// ---------------------------------------------------------------- Members (reference 6.2)

export interface MembersCreateRequest {
  organization_id: string;
  email_address: string;
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  create_member_as_pending?: boolean;
  is_breakglass?: boolean;
  mfa_phone_number?: string;
  mfa_enrolled?: boolean;
  roles?: string[];
  external_id?: string;
}
export type MembersCreateResponse = MemberResponse;

export interface MembersGetRequest {
  organization_id: string;
  /** One of `member_id` or `email_address`. */
  member_id?: string;
  email_address?: string;
}
export type MembersGetResponse = MemberResponse;

export interface MembersUpdateRequest {
  organization_id: string;
  member_id: string;
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  is_breakglass?: boolean;
  mfa_phone_number?: string;
  mfa_enrolled?: boolean;
  /** Replaces the member's directly assigned roles. */
  roles?: string[];
  preserve_existing_sessions?: boolean;
  default_mfa_method?: string;
  email_address?: string;
  external_id?: string;
  unlink_email?: boolean;
}
export type MembersUpdateResponse = MemberResponse;

export interface MembersDeleteRequest {
  organization_id: string;
  member_id: string;
}
export interface MembersDeleteResponse extends StytchResponseBase {
  member_id: string;
  [key: string]: unknown;
}

export interface MembersReactivateRequest {
  organization_id: string;
  member_id: string;
}
export type MembersReactivateResponse = MemberResponse;

export interface MembersSearchRequest {
  organization_ids: string[];
  cursor?: string;
  limit?: number;
  query?: SearchQuery;
}
export interface MembersSearchResponse extends StytchResponseBase {
  members: Member[];
  results_metadata: ResultsMetadata;
  organizations: Record<string, Organization>;
  [key: string]: unknown;
}

export interface MembersStartEmailUpdateRequest {
  organization_id: string;
  member_id: string;
  email_address: string;
  login_redirect_url?: string;
  locale?: StytchLocale;
  login_template_id?: string;
  delivery_method?: 'EMAIL_MAGIC_LINK' | 'EMAIL_OTP' | (string & {});
}
export type MembersStartEmailUpdateResponse = MemberResponse;

export interface MembersDeleteMFAPhoneNumberRequest {
  organization_id: string;
  member_id: string;
}
export type MembersDeleteMFAPhoneNumberResponse = MemberResponse;

export interface MembersDeleteTOTPRequest {
  organization_id: string;
  member_id: string;
}
export type MembersDeleteTOTPResponse = MemberResponse;

export interface MembersDeletePasswordRequest {
  organization_id: string;
  /** The member's `member_password_id`. */
  member_password_id: string;
}
export type MembersDeletePasswordResponse = MemberResponse;

export interface MembersUnlinkRetiredEmailRequest {
  organization_id: string;
  member_id: string;
  /** One of `email_id` or `email_address` (both must name the same retired address). */
  email_id?: string;
  email_address?: string;
}
export type MembersUnlinkRetiredEmailResponse = MemberResponse;

// ---------------------------------------------------------------- Passwords, OAuth, SSO

export interface PasswordsAuthenticateRequest extends SessionCreationFields {
  organization_id: string;
  email_address: string;
  password: string;
  locale?: StytchLocale;
  intermediate_session_token?: string;
  telemetry_id?: string;
}
export type PasswordsAuthenticateResponse = PrimaryAuthenticateResponse & WithMemberDevice;

export interface PasswordsStrengthCheckRequest {
  password: string;
  /** When given, breach detection is applied too. */
  email_address?: string;
}
/** LUDS feedback (B2B puts it at the top level, not under `feedback`). */
export interface LudsFeedback {
  has_lower_case: boolean;
  has_upper_case: boolean;
  has_digit: boolean;
  /** Any character outside a–z and A–Z that is not a digit. */
  has_symbol: boolean;
  /** How many of the four character classes are still missing. */
  missing_complexity: number;
  /** How many characters short of the minimum length. */
  missing_characters: number;
}
export interface ZxcvbnFeedback {
  warning: string;
  suggestions: string[];
}
export interface PasswordsStrengthCheckResponse extends StytchResponseBase {
  valid_password: boolean;
  score: number;
  breached_password: boolean;
  strength_policy: 'zxcvbn' | 'luds' | (string & {});
  breach_detection_on_create: boolean;
  luds_feedback?: LudsFeedback;
  zxcvbn_feedback?: ZxcvbnFeedback;
  [key: string]: unknown;
}

export interface PasswordHashSaltConfig {
  prepend_salt?: string;
  append_salt?: string;
}
export interface PasswordsMigrateRequest {
  organization_id: string;
  email_address: string;
  hash: string;
  hash_type: 'bcrypt' | 'md_5' | 'argon_2i' | 'argon_2id' | 'sha_1' | 'sha_512' | 'scrypt' | 'phpass' | 'pbkdf_2' | (string & {});
  md_5_config?: PasswordHashSaltConfig;
  sha_1_config?: PasswordHashSaltConfig;
  sha_512_config?: PasswordHashSaltConfig;
  argon_2_config?: { salt: string; iteration_amount: number; memory: number; threads: number; key_length: number };
  scrypt_config?: { salt: string; n_parameter: number; r_parameter: number; p_parameter: number; key_length: number };
  pbkdf_2_config?: { salt: string; iteration_amount: number; key_length: number; algorithm?: string };
  name?: string;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  roles?: string[];
  preserve_existing_sessions?: boolean;
  mfa_phone_number?: string;
  set_phone_number_verified?: boolean;
  external_id?: string;
}
export interface PasswordsMigrateResponse extends MemberResponse {
  member_created: boolean;
}

export interface PasswordsEmailResetStartRequest {
  organization_id: string;
  email_address: string;
  reset_password_redirect_url?: string;
  /** Default 30, 5–10080. */
  reset_password_expiration_minutes?: number;
  /** PKCE challenge; note the name (not `pkce_code_challenge`). */
  code_challenge?: string;
  login_redirect_url?: string;
  locale?: StytchLocale;
  reset_password_template_id?: string;
  verify_email_template_id?: string;
}
/** No `organization` in this answer. */
export interface PasswordsEmailResetStartResponse extends StytchResponseBase {
  member_id: string;
  member_email_id: string;
  member: Member;
  [key: string]: unknown;
}

export interface PasswordsEmailResetRequest extends SessionCreationFields {
  password_reset_token: string;
  password: string;
  /** PKCE verifier; note the name (not `pkce_code_verifier`). */
  code_verifier?: string;
  locale?: StytchLocale;
  intermediate_session_token?: string;
  telemetry_id?: string;
}
export type PasswordsEmailResetResponse = PrimaryAuthenticateResponse & WithMemberDevice & { member_email_id: string };

export interface PasswordsEmailRequireResetRequest {
  email_address: string;
  organization_id?: string;
  member_id?: string;
}
export interface PasswordsEmailRequireResetResponse extends StytchResponseBase {
  member_id?: string;
  member?: Member;
  organization?: Organization;
  [key: string]: unknown;
}

export interface PasswordsExistingPasswordResetRequest extends SessionCreationFields {
  organization_id: string;
  email_address: string;
  existing_password: string;
  new_password: string;
  locale?: StytchLocale;
  telemetry_id?: string;
}
/** As the 5.2 fields, but Stytch does not promise `organization_id` here. */
export interface PasswordsExistingPasswordResetResponse extends StytchResponseBase, WithMemberDevice {
  member_id: string;
  member: Member;
  organization: Organization;
  member_authenticated: boolean;
  session_token: string;
  session_jwt: string;
  member_session?: MemberSession | null;
  intermediate_session_token: string;
  intermediate_session_token_expires_at?: string;
  mfa_required?: MfaRequired | null;
  primary_required?: PrimaryRequired | null;
}

export interface PasswordsSessionResetRequest extends SessionCreationFields {
  organization_id: string;
  password: string;
  locale?: StytchLocale;
  telemetry_id?: string;
}
/** The session used for the reset, extended; no `primary_required` (the session already met it). */
export interface PasswordsSessionResetResponse extends StytchResponseBase, WithMemberDevice {
  member_id: string;
  member: Member;
  organization: Organization;
  member_authenticated: boolean;
  session_token: string;
  session_jwt: string;
  member_session?: MemberSession | null;
  intermediate_session_token: string;
  intermediate_session_token_expires_at?: string;
  mfa_required?: MfaRequired | null;
}

export interface PasswordsDiscoveryAuthenticateRequest {
  email_address: string;
  password: string;
}
export type PasswordsDiscoveryAuthenticateResponse = DiscoveryAuthenticateResponse;

export interface PasswordsDiscoveryEmailResetStartRequest {
  email_address: string;
  reset_password_redirect_url?: string;
  discovery_redirect_url?: string;
  reset_password_template_id?: string;
  /** Default 30, 5–10080. */
  reset_password_expiration_minutes?: number;
  /** PKCE challenge; this endpoint does use the `pkce_` prefix. */
  pkce_code_challenge?: string;
  locale?: StytchLocale;
  verify_email_template_id?: string;
}
export type PasswordsDiscoveryEmailResetStartResponse = EmptyResponse;

export interface PasswordsDiscoveryEmailResetRequest {
  password_reset_token: string;
  password: string;
  pkce_code_verifier?: string;
}
export type PasswordsDiscoveryEmailResetResponse = DiscoveryAuthenticateResponse;

export interface OAuthAuthenticateRequest extends SessionCreationFields {
  oauth_token: string;
  pkce_code_verifier?: string;
  locale?: StytchLocale;
  intermediate_session_token?: string;
  telemetry_id?: string;
}
export type OAuthAuthenticateResponse = PrimaryAuthenticateResponse &
  WithMemberDevice & {
    provider_subject: string;
    provider_type: string;
    reset_sessions?: boolean;
    provider_values?: { scopes: string[]; access_token?: string; refresh_token?: string; expires_at?: string; id_token?: string };
  };

export interface OAuthDiscoveryAuthenticateRequest extends SessionCreationFields {
  discovery_oauth_token: string;
  pkce_code_verifier?: string;
}
export interface OAuthDiscoveryAuthenticateResponse extends DiscoveryAuthenticateResponse {
  provider_type: string;
  provider_tenant_id: string;
  provider_tenant_ids: string[];
  full_name: string;
}

export interface SsoAuthenticateRequest extends SessionCreationFields {
  sso_token: string;
  pkce_code_verifier?: string;
  locale?: StytchLocale;
  intermediate_session_token?: string;
  telemetry_id?: string;
}
export type SsoAuthenticateResponse = PrimaryAuthenticateResponse &
  WithMemberDevice & {
    /** Singular here, unlike `reset_sessions` elsewhere (reference 5.4). */
    reset_session?: boolean;
  };


// ---------------------------------------------------------------- SSO connections (addendum A3)

/** Identity providers Stytch knows by name (addendum A3.5); any other string is accepted too. */
export type SsoIdentityProvider =
  | 'classlink' | 'cyberark' | 'duo' | 'generic' | 'google-workspace' | 'jumpcloud' | 'keycloak' | 'miniorange'
  | 'microsoft-entra' | 'okta' | 'onelogin' | 'pingfederate' | 'rippling' | 'salesforce' | 'shibboleth' | (string & {});

export interface X509Certificate {
  certificate_id: string;
  certificate: string;
  issuer: string;
  created_at?: string;
  expires_at?: string;
  updated_at?: string;
}
export interface EncryptionPrivateKey {
  private_key_id: string;
  private_key: string;
  created_at?: string;
}
export interface RoleAssignment {
  role_id: string;
}
export interface GroupRoleAssignment {
  role_id: string;
  group: string;
}

/** A SAML connection; `status` turns `active` once IdP URL, entity id, certificate and attribute mapping are set. */
export interface SAMLConnection {
  organization_id: string;
  connection_id: string;
  status: 'pending' | 'active' | (string & {});
  idp_entity_id: string;
  display_name: string;
  idp_sso_url: string;
  acs_url: string;
  audience_uri: string;
  signing_certificates: X509Certificate[];
  verification_certificates: X509Certificate[];
  encryption_private_keys: EncryptionPrivateKey[];
  saml_connection_implicit_role_assignments: RoleAssignment[];
  saml_group_implicit_role_assignments: GroupRoleAssignment[];
  alternative_audience_uri: string;
  identity_provider: string;
  nameid_format: string;
  alternative_acs_url: string;
  idp_initiated_auth_disabled: boolean;
  allow_gateway_callback: boolean;
  attribute_mapping?: Record<string, unknown>;
}

/** An OIDC connection; `active` once issuer, client id/secret and the four endpoint URLs are set. */
export interface OIDCConnection {
  organization_id: string;
  connection_id: string;
  status: 'pending' | 'active' | (string & {});
  display_name: string;
  redirect_url: string;
  client_id: string;
  client_secret: string;
  issuer: string;
  authorization_url: string;
  token_url: string;
  userinfo_url: string;
  jwks_url: string;
  identity_provider: string;
  custom_scopes: string;
  attribute_mapping?: Record<string, unknown>;
}

/** An External connection: reuses another organization's SAML/OIDC connection. */
export interface ExternalConnection {
  organization_id: string;
  connection_id: string;
  external_organization_id: string;
  external_connection_id: string;
  display_name: string;
  status: string;
  external_connection_implicit_role_assignments: RoleAssignment[];
  external_group_implicit_role_assignments: GroupRoleAssignment[];
}

export interface SsoGetConnectionsRequest {
  organization_id: string;
}
export interface SsoGetConnectionsResponse extends StytchResponseBase {
  saml_connections: SAMLConnection[];
  oidc_connections: OIDCConnection[];
  external_connections: ExternalConnection[];
  [key: string]: unknown;
}
export interface SsoDeleteConnectionRequest {
  organization_id: string;
  connection_id: string;
}
export interface SsoDeleteConnectionResponse extends StytchResponseBase {
  connection_id: string;
  [key: string]: unknown;
}

export interface SamlCreateConnectionRequest {
  organization_id: string;
  display_name?: string;
  identity_provider?: SsoIdentityProvider;
}
export interface SamlConnectionResponse extends StytchResponseBase {
  connection?: SAMLConnection;
  [key: string]: unknown;
}
export interface SamlUpdateConnectionRequest {
  organization_id: string;
  connection_id: string;
  idp_entity_id?: string;
  display_name?: string;
  attribute_mapping?: Record<string, unknown>;
  /** PEM; appended to `verification_certificates`. */
  x509_certificate?: string;
  idp_sso_url?: string;
  saml_connection_implicit_role_assignments?: RoleAssignment[];
  saml_group_implicit_role_assignments?: GroupRoleAssignment[];
  alternative_audience_uri?: string;
  identity_provider?: SsoIdentityProvider;
  signing_private_key?: string;
  nameid_format?: string;
  alternative_acs_url?: string;
  idp_initiated_auth_disabled?: boolean;
  saml_encryption_private_key?: string;
  allow_gateway_callback?: boolean;
}
export interface SamlUpdateByUrlRequest {
  organization_id: string;
  connection_id: string;
  metadata_url: string;
}
export interface SamlDeleteVerificationCertificateRequest {
  organization_id: string;
  connection_id: string;
  certificate_id: string;
}
export interface SamlDeleteVerificationCertificateResponse extends StytchResponseBase {
  certificate_id: string;
  [key: string]: unknown;
}
export interface SamlDeleteEncryptionPrivateKeyRequest {
  organization_id: string;
  connection_id: string;
  private_key_id: string;
}
export interface SamlDeleteEncryptionPrivateKeyResponse extends StytchResponseBase {
  private_key_id: string;
  [key: string]: unknown;
}

export interface OidcCreateConnectionRequest {
  organization_id: string;
  display_name?: string;
  identity_provider?: SsoIdentityProvider;
}
export interface OidcConnectionResponse extends StytchResponseBase {
  connection?: OIDCConnection;
  /** Set when issuer discovery failed during an update (the update still succeeded). */
  warning?: string;
  [key: string]: unknown;
}
export interface OidcUpdateConnectionRequest {
  organization_id: string;
  connection_id: string;
  display_name?: string;
  client_id?: string;
  client_secret?: string;
  issuer?: string;
  authorization_url?: string;
  token_url?: string;
  userinfo_url?: string;
  jwks_url?: string;
  identity_provider?: SsoIdentityProvider;
  /** Space-separated, URL-encoded (`%20`) scopes replacing `openid email profile`. */
  custom_scopes?: string;
  attribute_mapping?: Record<string, unknown>;
}

export interface ExternalCreateConnectionRequest {
  organization_id: string;
  external_organization_id: string;
  external_connection_id: string;
  display_name?: string;
  /** Request names differ from the response object's `external_*` names (addendum A1.1). */
  connection_implicit_role_assignments?: RoleAssignment[];
  group_implicit_role_assignments?: GroupRoleAssignment[];
}
export interface ExternalConnectionResponse extends StytchResponseBase {
  connection?: ExternalConnection;
  [key: string]: unknown;
}
export interface ExternalUpdateConnectionRequest {
  organization_id: string;
  connection_id: string;
  display_name?: string;
  external_connection_implicit_role_assignments?: RoleAssignment[];
  external_group_implicit_role_assignments?: GroupRoleAssignment[];
}

// ---------------------------------------------------------------- M2M clients (addendum A7)

/** An M2M client (addendum A7.2). The secret itself is only ever in a create or rotate-start answer. */
export interface M2MClient {
  client_id: string;
  client_name: string;
  client_description: string;
  status: 'active' | 'inactive' | (string & {});
  scopes: string[];
  client_secret_last_four: string;
  next_client_secret_last_four?: string | null;
  trusted_metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The create answer's client: carries `client_secret`, shown this once. */
export interface M2MClientWithClientSecret extends M2MClient {
  client_secret: string;
}

/** The rotate-start answer's client: carries `next_client_secret`, shown this once. */
export interface M2MClientWithNextClientSecret extends M2MClient {
  next_client_secret: string;
}

export interface M2MClientsCreateRequest {
  scopes: string[];
  client_id?: string;
  client_secret?: string;
  client_name?: string;
  client_description?: string;
  trusted_metadata?: Record<string, unknown>;
}
export interface M2MClientsCreateResponse extends StytchResponseBase {
  m2m_client: M2MClientWithClientSecret;
  [key: string]: unknown;
}

export interface M2MClientIdRequest {
  client_id: string;
}
export interface M2MClientResponse extends StytchResponseBase {
  m2m_client: M2MClient;
  [key: string]: unknown;
}
export interface M2MClientsRotateStartResponse extends StytchResponseBase {
  m2m_client: M2MClientWithNextClientSecret;
  [key: string]: unknown;
}

export interface M2MSearchQuery {
  operator: 'AND' | 'OR';
  operands: { filter_name: 'client_id' | 'client_name' | 'scopes' | (string & {}); filter_value: string[] }[];
}
export interface M2MClientsSearchRequest {
  cursor?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  query?: M2MSearchQuery;
}
export interface M2MClientsSearchResponse extends StytchResponseBase {
  m2m_clients: M2MClient[];
  results_metadata: { total: number; next_cursor?: string | null };
  [key: string]: unknown;
}

export interface M2MClientsUpdateRequest {
  client_id: string;
  client_name?: string;
  client_description?: string;
  /** `inactive` stops new tokens; tokens already issued stay valid until `exp`. */
  status?: 'active' | 'inactive';
  scopes?: string[];
  trusted_metadata?: Record<string, unknown>;
}
export interface M2MClientsDeleteResponse extends StytchResponseBase {
  client_id: string;
  [key: string]: unknown;
}

/** Client-credentials grant (addendum A7.4). */
export interface M2MTokenRequest {
  client_id: string;
  client_secret: string;
  /** Requested scopes, a subset of the client's; omitted means all of them. */
  scopes?: string[];
}
export interface M2MTokenResponse extends StytchResponseBase {
  access_token: string;
  token_type: string;
  /** Seconds until the token expires (3600 at Stytch). */
  expires_in: number;
  [key: string]: unknown;
}
