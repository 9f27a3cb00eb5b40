/**
 * TypeScript types of the Stytch B2B API objects (reference: stytch-b2b-api.md sections 2, 4, 5, 6).
 * Field names are Stytch's own (snake_case). These types are the only code the emulator shares
 * with the library. Unknown response fields pass through untouched, so every object allows
 * extra keys.
 */

/** Every Stytch response carries these. */
export interface StytchResponseBase {
  request_id: string;
  status_code: number;
}

/** The JSON error body of a failed Stytch call (reference 1.5). */
export interface StytchErrorBody extends StytchResponseBase {
  error_type: string;
  error_message: string;
  error_url: string;
  error_details?: Record<string, unknown>;
}

export type AuthenticationFactorType =
  | 'magic_link'
  | 'email_otp'
  | 'otp'
  | 'oauth'
  | 'sso'
  | 'password'
  | 'totp'
  | 'recovery_codes'
  | 'impersonated'
  | 'imported'
  | 'trusted_auth_token'
  | (string & {});

export interface AuthenticationFactor {
  type: AuthenticationFactorType;
  delivery_method: string;
  last_authenticated_at: string;
  created_at?: string;
  updated_at?: string;
  email_factor?: { email_id: string; email_address: string };
  phone_number_factor?: { phone_id: string; phone_number: string };
  authenticator_app_factor?: { totp_id: string };
  recovery_code_factor?: { totp_recovery_code_id: string };
  [key: string]: unknown;
}

export interface MemberSession {
  member_session_id: string;
  member_id: string;
  organization_id: string;
  organization_slug: string;
  started_at: string;
  last_accessed_at: string;
  expires_at: string;
  authentication_factors: AuthenticationFactor[];
  roles: string[];
  custom_claims?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RoleSource {
  type: 'direct_assignment' | 'email_assignment' | 'sso_connection' | 'sso_connection_group' | 'scim_connection_group' | (string & {});
  details?: Record<string, unknown>;
}

export interface MemberRole {
  role_id: string;
  sources: RoleSource[];
}

export type MemberStatus = 'pending' | 'invited' | 'active' | 'deleted';

export interface Member {
  organization_id: string;
  member_id: string;
  email_address: string;
  email_address_verified: boolean;
  status: MemberStatus | (string & {});
  name: string;
  roles: MemberRole[];
  is_admin: boolean;
  is_breakglass: boolean;
  mfa_enrolled: boolean;
  mfa_phone_number: string;
  mfa_phone_number_verified: boolean;
  default_mfa_method: string;
  totp_registration_id: string;
  member_password_id: string;
  sso_registrations: unknown[];
  oauth_registrations: unknown[];
  scim_registration?: unknown;
  retired_email_addresses: { email_id: string; email_address: string }[];
  is_locked: boolean;
  lock_created_at?: string | null;
  lock_expires_at?: string | null;
  trusted_metadata?: Record<string, unknown>;
  untrusted_metadata?: Record<string, unknown>;
  external_id?: string;
  created_at?: string;
  updated_at?: string;
  [key: string]: unknown;
}

export interface RbacPermission {
  resource_id: string;
  actions: string[];
}

export interface RbacRole {
  role_id: string;
  description: string;
  permissions: RbacPermission[];
}

export interface RbacResource {
  resource_id: string;
  description: string;
  actions: string[];
}

export interface RbacScope {
  scope: string;
  description: string;
  permissions: RbacPermission[];
}

/** The project RBAC policy (reference 4.1). */
export interface RbacPolicy {
  roles: RbacRole[];
  resources: RbacResource[];
  scopes?: RbacScope[];
}

/** An organization's own roles (reference 4.2). */
export interface OrgPolicy {
  roles: RbacRole[];
}

export interface Organization {
  organization_id: string;
  organization_name: string;
  organization_slug: string;
  organization_logo_url: string;
  organization_external_id?: string;
  trusted_metadata?: Record<string, unknown>;
  sso_jit_provisioning: string;
  sso_jit_provisioning_allowed_connections: string[];
  sso_active_connections: { connection_id: string; display_name: string; identity_provider?: string }[];
  sso_default_connection_id?: string | null;
  scim_active_connection?: unknown;
  email_allowed_domains: string[];
  email_jit_provisioning: string;
  email_invites: string;
  auth_methods: string;
  allowed_auth_methods: string[];
  mfa_policy: 'OPTIONAL' | 'REQUIRED_FOR_ALL' | (string & {});
  mfa_methods: string;
  allowed_mfa_methods: string[];
  rbac_email_implicit_role_assignments: { domain: string; role_id: string }[];
  oauth_tenant_jit_provisioning: string;
  allowed_oauth_tenants?: Record<string, string[]>;
  claimed_email_domains: string[];
  first_party_connected_apps_allowed_type: string;
  third_party_connected_apps_allowed_type: string;
  allowed_first_party_connected_apps: string[];
  allowed_third_party_connected_apps: string[];
  custom_roles: RbacRole[];
  created_at?: string;
  updated_at?: string;
  [key: string]: unknown;
}

export interface MfaRequired {
  member_options: { mfa_phone_number: string; totp_registration_id: string } | null;
  secondary_auth_initiated: 'sms_otp' | null | (string & {});
}

export interface PrimaryRequired {
  allowed_auth_methods: string[];
}

/** The fields shared by every "primary authenticate" response (reference 5.2). */
export interface PrimaryAuthenticateResponse extends StytchResponseBase {
  member_id: string;
  organization_id: string;
  member: Member;
  organization: Organization;
  member_authenticated: boolean;
  session_token: string;
  session_jwt: string;
  member_session: MemberSession | null;
  intermediate_session_token: string;
  intermediate_session_token_expires_at?: string;
  mfa_required: MfaRequired | null;
  primary_required: PrimaryRequired | null;
  [key: string]: unknown;
}

export interface DiscoveredOrganization {
  member_authenticated: boolean;
  organization: Organization;
  membership: {
    type: 'active_member' | 'pending_member' | 'invited_member' | 'eligible_to_join_by_email_domain' | 'eligible_to_join_by_oauth_tenant' | (string & {});
    details: Record<string, unknown> | null;
    member: Member | null;
  };
  primary_required: PrimaryRequired | null;
  mfa_required: MfaRequired | null;
}

export interface AuthorizationCheck {
  organization_id: string;
  resource_id: string;
  action: string;
}

export interface AuthorizationVerdict {
  authorized: boolean;
  granting_roles: string[];
}

/** One public key of the JWKS (reference 2.9). */
export interface StytchJwk {
  kty: string;
  use?: string;
  key_ops?: string[];
  alg?: string;
  kid?: string;
  x5c?: string[];
  x5tS256?: string;
  n?: string;
  e?: string;
  [key: string]: unknown;
}

/** The Stytch claims inside a session JWT (reference 3.2). */
export interface StytchSessionClaim {
  id: string;
  started_at: string;
  last_accessed_at: string;
  expires_at: string;
  attributes: { ip_address?: string; user_agent?: string };
  authentication_factors: AuthenticationFactor[];
  roles: string[];
}

export interface StytchOrganizationClaim {
  organization_id: string;
  slug: string;
}

export const SESSION_CLAIM = 'https://stytch.com/session';
export const ORGANIZATION_CLAIM = 'https://stytch.com/organization';
