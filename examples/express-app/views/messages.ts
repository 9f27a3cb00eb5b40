/**
 * What the member reads for each error code the auth routes can send to a page (`?error=<code>`
 * after a form post, or `error.code` in a JSON answer that `public/app.js` shows).
 * test/e2e/error-messages.test.ts collects every code the routes can produce (the library's own
 * and the Stytch error types of the endpoints they call) and checks each one is here.
 */

const EXPIRED_SIGN_IN = 'Your sign-in expired (it lasts 10 minutes). Please start again.';
const ANOTHER_BROWSER = 'This sign-in link has already been used, or it was opened in a different browser from the one that asked for it. Ask for a new link below.';
const USED_LINK = 'This sign-in link has already been used or has expired. Ask for a new one below.';
const UNAVAILABLE = 'Sign-in is unavailable right now. Please try again in a moment.';
const TRY_AGAIN = 'That did not work. Please try again.';

/** Message per error code. Plain text: the page escapes it. */
export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  // Sign-in form and link.
  invalid_email: 'That does not look like an email address.',
  pkce_verifier_missing: ANOTHER_BROWSER,
  pkce_expected_code_verifier: ANOTHER_BROWSER,
  pkce_mismatch: ANOTHER_BROWSER,
  login_link_mismatch: 'This link was sent to a different address than the one you asked for here. Ask for a new link below.',
  magic_link_not_found: USED_LINK,
  unable_to_auth_magic_link: USED_LINK,
  invalid_token: 'This sign-in link is incomplete. Copy the whole link from the email, or ask for a new one.',
  invalid_token_type: 'This kind of sign-in link is not supported here. Ask for a new one below.',
  oauth_token_not_found: USED_LINK,
  unable_to_auth_oauth_token: USED_LINK,
  sso_token_not_found: USED_LINK,
  unable_to_auth_sso_token: USED_LINK,
  email_not_verified: 'Your email address is not verified yet. Sign in with a link sent to it first.',
  member_email_not_verified: 'Your email address is not verified yet. Sign in with a link sent to it first.',
  email_jit_provisioning_not_allowed: 'This organization does not let new members join by email. Ask an admin for an invitation.',
  sso_jit_provisioning_not_allowed: 'This organization does not let new members join through single sign-on. Ask an admin for an invitation.',
  invalid_email_for_jit_provisioning: 'Your email domain may not join this organization. Ask an admin for an invitation.',
  invalid_connection_for_jit_provisioning: 'This sign-in connection may not add new members. Ask an admin for an invitation.',
  invalid_oauth_tenant_for_jit_provisioning: 'This sign-in account may not join this organization. Ask an admin for an invitation.',
  email_invites_not_allowed: 'This organization does not accept email invitations.',
  member_already_active: 'Already an active member of this organization: no invitation is needed, signing in is enough.',
  primary_auth_required: 'This organization requires a different sign-in method. Ask an admin which one.',
  login_vetoed: 'This app refused the sign-in. Ask an admin if you think it should work.',
  sso_connection_not_found: 'This organization has no such single sign-on connection.',
  sso_connection_not_active: 'Single sign-on for this organization is not active.',

  // Pending sign-in (organization picker, MFA page).
  intermediate_session_missing: EXPIRED_SIGN_IN,
  intermediate_session_not_found: EXPIRED_SIGN_IN,
  invalid_intermediate_session_token_for_organization: 'That sign-in was for another organization. Please start again.',
  mfa_not_pending: 'No sign-in is waiting for a second step here. Please start again.',
  action_available_only_once_primary_authentication_is_met: 'Finish the first sign-in step before this one. Please start again.',
  insufficient_factors: 'This needs a second sign-in step first.',
  session_member_mismatch: 'That sign-in belongs to someone else. Please start again.',
  invalid_organization_id: 'That organization does not exist.',
  organization_not_found: 'That organization does not exist (any more).',
  member_not_found: 'There is no such member in this organization (any more).',

  // Creating an organization.
  invalid_organization_name: 'Organization names are 1 to 128 characters, without control characters.',
  invalid_organization_slug: 'Slugs are 2 to 128 lowercase letters, digits, or . _ ~ -',
  organization_slug_already_used: 'That slug is taken. Choose another one.',
  organization_settings_domain_too_common: 'That email domain is too common to be an organization domain.',
  duplicate_organization_external_id: 'An organization with this external id exists already.',

  // Second factor.
  invalid_code: 'Codes are 6 digits.',
  otp_code_not_found: 'That code is wrong. Check the text message and try again.',
  unable_to_auth_otp_code: 'That code has expired or was used already. Ask for a new one.',
  unable_to_authenticate_totp: 'That code is wrong. Enter the code your authenticator app shows now.',
  totp_code_already_authenticated: 'That code was used already. Wait for the next one.',
  recovery_code_used_as_totp_code: 'That looks like a recovery code. Use the recovery code form below.',
  totp_not_found: 'There is no authenticator app set up for you here. Set one up first.',
  active_totp_exists: 'You already have an authenticator app set up. Enter its code.',
  invalid_recovery_code: 'Recovery codes look like xxxx-xxxx-xxxx.',
  unable_to_authenticate_recovery_code: 'That recovery code is wrong or was used already.',
  recovery_codes_not_found: 'You have no recovery codes. Set up an authenticator app first.',
  invalid_phone_number: 'Phone numbers are in international form, such as +15555550123.',
  duplicate_member_phone_number: 'That phone number belongs to another member.',

  // Email change and signed-in actions.
  duplicate_member_email: 'That address is already used by another member of this organization.',
  email_not_found: 'There is no member with that address.',
  unauthenticated: 'Please sign in.',
  session_not_found: 'Your session ended. Please sign in again.',
  invalid_session_jwt: 'Your session ended. Please sign in again.',
  unable_to_parse_session_jwt: 'Your session ended. Please sign in again.',
  session_authorization_error: 'Your roles do not allow this.',
  session_authorization_tenancy_error: 'That belongs to another organization.',
  permission_denied: 'Your roles do not allow this.',

  // Requests that should not happen from these pages.
  csrf_rejected: 'The request came from another site and was refused.',
  invalid_body: TRY_AGAIN,
  invalid_argument: TRY_AGAIN,
  body_too_large: 'That was too long. Please try again with less.',
  unsupported_media_type: TRY_AGAIN,
  no_session_arguments: TRY_AGAIN,
  too_many_session_arguments: TRY_AGAIN,
  stytch_error: TRY_AGAIN,

  // Stytch unreachable or slow.
  too_many_requests: 'Too many attempts. Wait a moment and try again.',
  upstream_unavailable: UNAVAILABLE,
  upstream_timeout: UNAVAILABLE,
  upstream_network: UNAVAILABLE,
  upstream_bad_response: UNAVAILABLE,
  upstream_rate_limited: 'Too many attempts. Wait a moment and try again.',
  circuit_open: UNAVAILABLE,
  internal_error: 'Something went wrong on our side. Please try again.',
  // Flows started here (SSO, OAuth, the Join page).
  login_flow_mismatch: 'This link belongs to a different sign-in than the one started in this browser. Finish or restart your own sign-in.',
  invalid_flow: 'This sign-in link is incomplete. Copy the whole link from the email, or ask for a new one.',
  invalid_query: 'That address is incomplete. Start the sign-in again from the login page.',
  invalid_return_to: 'That address is incomplete. Start the sign-in again from the login page.',
  invalid_organization: 'That organization is not known here. Check the name in the address.',
  invalid_connection_id: 'That single sign-on connection is not known. Pick one from the login page.',
  invalid_oauth_provider: 'That sign-in provider is not supported here.',
  sso_not_configured: 'This organization has no single sign-on set up yet. Use another sign-in method.',
  public_token_missing: 'This sign-in method is not set up on this server yet.',
  invalid_action: TRY_AGAIN,
  join_not_pending: 'There is no invitation waiting in this browser any more. Open the link from your email again.',
  step_up_required: 'For this change, confirm it is you first: sign in again, or use your second factor.',
  // Passwords and email codes.
  invalid_credentials: 'The email address or password is incorrect.',
  invalid_password: 'Enter a password (at most 256 characters).',
  member_reset_password: 'This password must be reset: use "Forgot your password?".',
  weak_password: 'That password is too easy to guess. Choose a longer or less common one.',
  breached_password: 'That password has appeared in a data breach. Choose another one.',
  password_reset_not_pending: 'Open the password reset link from your email again.',
  unable_to_auth_password_reset_token: 'That reset link was used already or has expired. Ask for a new one.',
  too_many_attempts: 'Too many attempts. Wait a few minutes and try again.',
  // The SSO admin page (SAML connections).
  saml_connection_idp_sso_url_invalid_format: 'The IdP SSO URL must be a full http(s) address.',
  saml_connection_idp_sso_url_not_https: 'The IdP SSO URL must use https.',
  invalid_x509_certificate: 'That is not a PEM certificate (it starts with -----BEGIN CERTIFICATE-----).',
  too_many_sso_verification_certificates: 'This connection has as many certificates as it may hold. Remove one first.',
  saml_connection_email_mapping_required: 'The attribute mapping needs an email attribute.',
  saml_connection_name_mapping_required: 'The attribute mapping needs a full name, or a first and a last name.',
  saml_connection_attribute_mapping_missing_groups_key: 'Group role assignments need a groups attribute in the mapping.',
  cannot_delete_last_sso_verification_key: 'An active connection keeps at least one certificate.',
  verification_certificate_not_found: 'That certificate is not on this connection (any more).',
  encryption_private_key_not_found: 'That key is not on this connection (any more).',
  invalid_saml_metadata_url: 'The metadata URL must be a full http(s) address.',
  invalid_sso_default_connection_id: 'That connection cannot be the default one.',
  duplicate_external_sso_connection: 'This organization already uses that connection.',
  external_connection_id_not_found: 'There is no such connection to share.',
  external_connection_not_active: 'That shared connection is not active.',
  external_organization_id_same_as_organization_id: 'A connection cannot be shared with its own organization.',
  // The members, organization and account pages (the library's admin routes).
  last_admin: 'This is the last active admin of the organization. Make someone else an admin first.',
  roles_required: 'Pick at least one role.',
  unknown_role: 'That role is not part of this app any more. Reload the page and pick another one.',
  member_not_invited: 'This member is not waiting on an invitation (any more), so there is nothing to resend.',
  search_query_too_short: 'Type at least 3 characters of the email address to search.',
  recent_factor_required: 'For this change, confirm it is you first: sign in again (or use your second factor), then try again.',
  invalid_request: TRY_AGAIN,
  password_not_found: 'This member has no password to remove.',
  token_type_not_accepted: 'Sign in as a member to do this: an app token is not accepted here.',
  // Stytch's refusals on the members page.
  email_unverified_for_reactivation: 'This member never confirmed their email address, so they cannot be reactivated. Invite them again instead.',
  no_deleted_member_found_for_reactivation: 'This member is not deactivated (any more), so there is nothing to reactivate.',
  reactivation_email_belongs_to_another_member: "This member's address now belongs to another member, so they cannot be reactivated.",
  invalid_email_for_invites: 'This organization only accepts invitations for its allowed email domains.',
  retired_member_email: 'That address belonged to a former member of this organization and cannot be used again.',
  member_cannot_update_their_email_address: 'Change your email address with the confirmation link on this page.',
  duplicate_member_phone_number_for_member: 'That phone number is already set up for this member.',
  search_invalid_status_filter: 'Pick a status from the list.',
  member_search_expected_array_of_strings: TRY_AGAIN,
  member_search_expected_boolean: TRY_AGAIN,
  member_search_expected_string: TRY_AGAIN,
  member_search_filter_name_not_recognized: TRY_AGAIN,
  member_search_missing_filter_value: TRY_AGAIN,
  member_search_organization_ids_empty: TRY_AGAIN,
  // Stytch's refusals on the organization settings page.
  allowed_auth_methods_required_for_restricted: 'With restricted sign-in methods, tick at least one allowed method.',
  allowed_mfa_methods_required_for_restricted: 'With restricted MFA methods, tick at least one allowed method.',
  invalid_restricted_email_setting: 'Restricting email sign-up or invitations needs at least one allowed email domain.',
  too_restrictive_organization_settings: 'With these settings nobody new could ever join: allow invitations or sign-up by email or SSO.',
  organization_settings_duplicate_domain: 'An email domain is listed twice.',
  organization_settings_invalid_domain: 'One of the email domains is not a domain, such as example.com.',
  // The M2M page.
  m2m_name_required: 'Give the client a name.',
  m2m_scopes_required: 'Pick at least one of the scopes offered.',
};

/** The message for `code`, or a generic one for a code this app does not know. */
export function errorMessage(code: string): string {
  return Object.hasOwn(ERROR_MESSAGES, code) ? ERROR_MESSAGES[code]! : 'Something went wrong. Please try again.';
}
