/** Passwords, OAuth and SSO authenticate endpoints (reference 5.4, 5.5, 5.10). */
import { discoverOrganizations, jitEligible } from '../discovery.js';
import { buildFactor } from '../factors.js';
import { memberNotFound, notFound, unauthorized } from '../http-errors.js';
import { createIst } from '../ist.js';
import { createMemberRecord, findMemberByEmail, membersByEmail, passwordMatches } from '../members.js';
import { completePrimary } from '../mfa.js';
import { requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import type { EmulatorState, OAuthTokenRecord } from '../state.js';
import { reqEmail, reqString } from '../validate.js';

/** Providers whose OAuth login verifies the email (reference 5.5). */
const VERIFYING = new Set(['google', 'microsoft']);

function redeemOAuth(state: EmulatorState, token: string, discovery: boolean): OAuthTokenRecord {
  const record = state.oauthTokens.get(token);
  if (!record || (record.organization_id === undefined) !== discovery) throw notFound('oauth_token_not_found', 'The OAuth token could not be found.');
  if (record.used || state.now() >= record.expires_at) throw unauthorized('unable_to_auth_oauth_token', 'The OAuth token has already been used or has expired.');
  record.used = true;
  return record;
}

export function oauthSsoRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/passwords/authenticate', ({ state, body }) => {
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const email = reqEmail(body);
    const password = reqString(body, 'password');
    const member = findMemberByEmail(state, org.organization_id, email);
    // One answer for "no such member" and "wrong password": no account enumeration.
    if (!member || !passwordMatches(member, password)) throw unauthorized('unauthorized_credentials', 'Unauthorized credentials.');
    const factor = buildFactor(state, 'password', member);
    return completePrimary(state, { org, member, factor, method: 'password', emailVerified: false, body });
  });

  router.add('POST', '/v1/b2b/passwords/discovery/authenticate', ({ state, body }) => {
    const email = reqEmail(body);
    const password = reqString(body, 'password');
    const owner = membersByEmail(state, email).find((m) => passwordMatches(m, password));
    if (!owner) throw unauthorized('unauthorized_credentials', 'Unauthorized credentials.');
    // A password does not verify the email, so no email-domain JIT orgs are offered.
    const factor = buildFactor(state, 'password', owner);
    const ist = createIst(state, { email_address: email, email_verified: false, factors: [factor] });
    return {
      intermediate_session_token: ist.token,
      email_address: email,
      discovered_organizations: discoverOrganizations(state, email, ist.factors, { includeEligible: true, emailVerified: false }),
    };
  });

  router.add('GET', '/v1/b2b/sso/:organization_id', ({ state, params }) => {
    requireOrganization(state, params.organization_id ?? '');
    // SSO connections are not modelled; SSO logins use admin.issueSsoToken.
    return { saml_connections: [], oidc_connections: [], external_connections: [] };
  });

  router.add('POST', '/v1/b2b/oauth/authenticate', ({ state, body }) => {
    const record = redeemOAuth(state, reqString(body, 'oauth_token'), false);
    const org = requireOrganization(state, record.organization_id ?? '');
    const verified = VERIFYING.has(record.provider);
    let member = findMemberByEmail(state, org.organization_id, record.email_address);
    if (!member) {
      if (!verified || !jitEligible(org, record.email_address)) throw memberNotFound();
      member = createMemberRecord(state, org, { email_address: record.email_address, status: 'active', email_address_verified: true });
    }
    const factor = buildFactor(state, 'oauth', member, `oauth_${record.provider}`);
    const result = completePrimary(state, { org, member, factor, method: `${record.provider}_oauth`, emailVerified: verified, body });
    return { ...result, provider_subject: record.provider_subject, provider_type: record.provider, reset_sessions: false, provider_values: { scopes: [], access_token: '', refresh_token: '', id_token: '' } };
  });

  router.add('POST', '/v1/b2b/oauth/discovery/authenticate', ({ state, body }) => {
    const record = redeemOAuth(state, reqString(body, 'discovery_oauth_token'), true);
    const verified = VERIFYING.has(record.provider);
    const factor = buildFactor(state, 'oauth', { email_address: record.email_address }, `oauth_${record.provider}`);
    const ist = createIst(state, { email_address: record.email_address, email_verified: verified, factors: [factor] });
    return {
      intermediate_session_token: ist.token,
      email_address: record.email_address,
      discovered_organizations: discoverOrganizations(state, record.email_address, ist.factors, { includeEligible: true, emailVerified: verified }),
      provider_type: record.provider,
      provider_tenant_id: '',
      provider_tenant_ids: [],
      full_name: '',
    };
  });

  router.add('POST', '/v1/b2b/sso/authenticate', ({ state, body }) => {
    const token = reqString(body, 'sso_token');
    const record = state.ssoTokens.get(token);
    if (!record) throw notFound('sso_token_not_found', 'The SSO token could not be found.');
    if (record.used || state.now() >= record.expires_at) throw unauthorized('unable_to_auth_sso_token', 'The SSO token has already been used or has expired.');
    record.used = true;
    const member = state.members.get(record.member_id);
    if (!member || member.status === 'deleted') throw memberNotFound();
    const org = requireOrganization(state, member.organization_id);
    const factor = buildFactor(state, 'sso', member);
    return { ...completePrimary(state, { org, member, factor, method: 'sso', emailVerified: true, body }), reset_session: false };
  });
}
