/** Passwords, OAuth and SSO authenticate endpoints (reference 5.4, 5.5, 5.10; addendum A3.4, A4.3). */
import type { AuthenticationFactor, Organization } from '../../client/types.js';
import { discoverOrganizations, jitEligible } from '../discovery.js';
import { buildFactor } from '../factors.js';
import type { ApiError } from '../http-errors.js';
import { forbidden, memberNotFound, notFound } from '../http-errors.js';
import { EMAIL_VERIFYING_PROVIDERS } from '../idp-page.js';
import { newId } from '../ids.js';
import { createIst } from '../ist.js';
import { createMemberRecord, findMemberByEmail } from '../members.js';
import { completePrimary, pendingLoginResponse } from '../mfa.js';
import { authMethodAllowed, requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import { optionalSessionFromBody } from '../sessions.js';
import { underlyingConnection } from '../sso-connections.js';
import { redeemOAuthToken, redeemSsoToken } from '../sso-tokens.js';
import type { EmulatorState, MemberRecord, OAuthTokenRecord, SsoTokenRecord } from '../state.js';
import { isPlainObject, optNonEmpty, reqString, type Body } from '../validate.js';

/** Whether the provider verified the email: Google/Microsoft unless the IdP page said otherwise. */
function providerVerified(record: OAuthTokenRecord): boolean {
  return EMAIL_VERIFYING_PROVIDERS.has(record.provider) && record.email_verified !== false;
}

function oauthFactor(state: EmulatorState, member: MemberRecord | { email_address: string }, record: OAuthTokenRecord): AuthenticationFactor {
  const factor = buildFactor(state, 'oauth', member, `oauth_${record.provider}`);
  const key = `${record.provider}_oauth_factor`;
  const detail = factor[key];
  if (isPlainObject(detail)) detail.provider_subject = record.provider_subject;
  return factor;
}

/**
 * The JIT refusal for an unknown email (addendum A11.6 names; 403 like the emulator's email
 * JIT refusals): a tenant that is not allowed, a domain that is not allowed, or no JIT at all.
 */
function oauthJitRefusal(org: Organization, record: OAuthTokenRecord): ApiError {
  if (record.tenant_id !== undefined && org.oauth_tenant_jit_provisioning === 'RESTRICTED') {
    return forbidden('invalid_oauth_tenant_for_jit_provisioning', 'This OAuth tenant is not allowed to join this organization.');
  }
  if (org.email_jit_provisioning === 'RESTRICTED') {
    return forbidden('invalid_email_for_jit_provisioning', 'The email domain is not allowed to join this organization.');
  }
  return forbidden('email_jit_provisioning_not_allowed', 'This organization does not allow new members to sign up this way.');
}

/** Email-verifying primary methods the organization allows: the step-up choices (reference 5.5). */
function stepUpMethods(org: Organization): string[] {
  const methods = ['magic_link', 'email_otp'].filter((m) => authMethodAllowed(org, m));
  return methods.length > 0 ? methods : [...org.allowed_auth_methods];
}

function oauthAuthenticate(state: EmulatorState, body: Body): Record<string, unknown> {
  const record = redeemOAuthToken(state, reqString(body, 'oauth_token'), false, body.pkce_code_verifier);
  const org = requireOrganization(state, record.organization_id ?? '');
  const verified = providerVerified(record);
  let member = findMemberByEmail(state, org.organization_id, record.email_address);
  if (!member) {
    const tenants = org.allowed_oauth_tenants?.[record.provider];
    const byTenant = record.tenant_id !== undefined && org.oauth_tenant_jit_provisioning === 'RESTRICTED' && Array.isArray(tenants) && tenants.includes(record.tenant_id);
    if (!byTenant && !jitEligible(org, record.email_address)) throw oauthJitRefusal(org, record);
    // A member JIT-provisioned through an unverified email stays pending until the step-up.
    member = createMemberRecord(state, org, {
      email_address: record.email_address,
      status: verified ? 'active' : 'pending',
      email_address_verified: verified,
      ...(record.full_name ? { name: record.full_name } : {}),
    });
  }
  const factor = oauthFactor(state, member, record);
  const extra = {
    provider_subject: record.provider_subject,
    provider_type: record.provider,
    reset_sessions: false,
    provider_values: { scopes: [...(record.scopes ?? [])], access_token: '', refresh_token: '', id_token: '' },
  };
  if (!verified && !provesEmail(state, member, body)) {
    // Step-up (reference 5.5): the unverified OAuth factor waits in an IST until an
    // email-verifying primary method completes it.
    const ist = createIst(state, { email_address: member.email_address, email_verified: false, organization_id: org.organization_id, member_id: member.member_id, factors: [factor] });
    return { ...pendingLoginResponse(state, org, member, ist, { primary_required: { allowed_auth_methods: stepUpMethods(org) } }), ...extra };
  }
  return { ...completePrimary(state, { org, member, factor, method: `${record.provider}_oauth`, emailVerified: verified, body }), ...extra };
}

/** Whether the call carries a session or an email-verified IST of this very member. */
function provesEmail(state: EmulatorState, member: MemberRecord, body: Body): boolean {
  const session = optionalSessionFromBody(state, body);
  if (session?.member.member_id === member.member_id) return true;
  const istToken = optNonEmpty(body, 'intermediate_session_token');
  const ist = istToken === undefined ? undefined : state.intermediateSessions.get(istToken);
  return ist !== undefined && ist.email_verified && ist.email_address === member.email_address && state.now() < ist.expires_at;
}

function ssoFactor(state: EmulatorState, member: MemberRecord, record: SsoTokenRecord): AuthenticationFactor {
  const connection = state.ssoConnections.get(record.connection_id ?? '');
  const underlying = connection ? underlyingConnection(state, connection) : undefined;
  if (!connection || !underlying) return buildFactor(state, 'sso', member);
  const factor = buildFactor(state, 'sso', member, underlying.kind === 'oidc' ? 'sso_oidc' : 'sso_saml');
  delete factor.saml_sso_factor;
  const detail = { id: newId(`${underlying.kind}-registration`), provider_id: connection.connection.connection_id, external_id: member.email_address };
  if (underlying.kind === 'oidc') factor.oidc_sso_factor = detail;
  else factor.saml_sso_factor = detail;
  return factor;
}

/**
 * SSO JIT (addendum A3.4): `ALL_ALLOWED` provisions through any connection, `RESTRICTED` only
 * through the listed ones (`invalid_connection_for_jit_provisioning`), `NOT_ALLOWED` never
 * (`sso_jit_provisioning_not_allowed`: the reference found no name; this one follows the email
 * JIT error's pattern).
 */
function ssoJitMember(state: EmulatorState, org: Organization, record: SsoTokenRecord): MemberRecord {
  const connectionId = record.connection_id ?? '';
  if (org.sso_jit_provisioning === 'NOT_ALLOWED') throw forbidden('sso_jit_provisioning_not_allowed', 'This organization does not provision new members through SSO.');
  if (org.sso_jit_provisioning === 'RESTRICTED' && !org.sso_jit_provisioning_allowed_connections.includes(connectionId)) {
    throw forbidden('invalid_connection_for_jit_provisioning', 'This SSO connection may not provision new members in this organization.');
  }
  return createMemberRecord(state, org, { email_address: record.email_address ?? '', status: 'active', email_address_verified: true, ...(record.name ? { name: record.name } : {}) });
}

function ssoAuthenticate(state: EmulatorState, body: Body): Record<string, unknown> {
  const record = redeemSsoToken(state, reqString(body, 'sso_token'), body.pkce_code_verifier);
  let member: MemberRecord | undefined;
  let org: Organization;
  if (record.member_id !== undefined) {
    // Minted by admin.issueSsoToken for a known member.
    member = state.members.get(record.member_id);
    if (!member || member.status === 'deleted') throw memberNotFound();
    org = requireOrganization(state, member.organization_id);
  } else {
    org = requireOrganization(state, record.organization_id ?? '');
    if (!state.ssoConnections.has(record.connection_id ?? '')) throw notFound('sso_connection_not_found', 'The SSO connection of this token was deleted.');
    member = findMemberByEmail(state, org.organization_id, record.email_address ?? '') ?? ssoJitMember(state, org, record);
  }
  const factor = ssoFactor(state, member, record);
  return completePrimary(state, { org, member, factor, method: 'sso', emailVerified: true, body });
}

export function oauthSsoRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/oauth/authenticate', ({ state, body }) => oauthAuthenticate(state, body));

  router.add('POST', '/v1/b2b/oauth/discovery/authenticate', ({ state, body }) => {
    const record = redeemOAuthToken(state, reqString(body, 'discovery_oauth_token'), true, body.pkce_code_verifier);
    const verified = providerVerified(record);
    const factor = oauthFactor(state, { email_address: record.email_address }, record);
    const ist = createIst(state, { email_address: record.email_address, email_verified: verified, factors: [factor] });
    return {
      intermediate_session_token: ist.token,
      email_address: record.email_address,
      discovered_organizations: discoverOrganizations(state, record.email_address, ist.factors, { includeEligible: true, emailVerified: verified }),
      provider_type: record.provider,
      provider_tenant_id: record.tenant_id ?? '',
      provider_tenant_ids: record.tenant_id ? [record.tenant_id] : [],
      full_name: record.full_name ?? '',
    };
  });

  router.add('POST', '/v1/b2b/sso/authenticate', ({ state, body }) => ({ ...ssoAuthenticate(state, body), reset_session: false }));
}
