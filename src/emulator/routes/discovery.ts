/** `/v1/b2b/discovery/*` (reference 5.11) and `sessions/exchange` (reference 2.4). */
import type { AuthenticationFactor } from '../../client/types.js';
import { discoverOrganizations, jitEligible, methodOf } from '../discovery.js';
import { isMfaFactor } from '../factors.js';
import { badRequest, forbidden, memberNotFound } from '../http-errors.js';
import { createIst, requireIst } from '../ist.js';
import { createMemberRecord, findMemberByEmail } from '../members.js';
import { completePrimary, pendingLoginResponse } from '../mfa.js';
import { createOrganization, requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import { sessionFromBody } from '../sessions.js';
import type { IstRecord } from '../state.js';
import { optNonEmpty, reqString, type Body } from '../validate.js';

/** Body for completePrimary that carries the IST and no session. */
function viaIst(body: Body, ist: IstRecord): Body {
  const { session_token: _t, session_jwt: _j, ...rest } = body;
  return { ...rest, intermediate_session_token: ist.token };
}

function lastPrimary(factors: AuthenticationFactor[]): AuthenticationFactor | undefined {
  return [...factors].reverse().find((f) => !isMfaFactor(f));
}

function nameFromEmail(email: string): string {
  const [local = 'member', domain = 'example.com'] = email.split('@');
  const common = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'aol.com'];
  if (common.includes(domain) || domain.endsWith('.edu')) return `${local}'s Organization`;
  const base = domain.split('.')[0] ?? domain;
  return base.charAt(0).toUpperCase() + base.slice(1);
}

export function discoveryRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/discovery/organizations', ({ state, body }) => {
    const istToken = optNonEmpty(body, 'intermediate_session_token');
    const hasSession = optNonEmpty(body, 'session_token') !== undefined || optNonEmpty(body, 'session_jwt') !== undefined;
    if (istToken !== undefined && hasSession) throw badRequest('too_many_session_arguments', 'Pass only one of intermediate_session_token, session_token or session_jwt.');
    if (istToken !== undefined) {
      const ist = requireIst(state, istToken);
      return {
        email_address: ist.email_address,
        discovered_organizations: discoverOrganizations(state, ist.email_address, ist.factors, { includeEligible: true, emailVerified: ist.email_verified }),
        organization_id_hint: ist.organization_id ?? null,
      };
    }
    if (!hasSession) throw badRequest('no_session_arguments', 'Pass one of intermediate_session_token, session_token or session_jwt.');
    const { session, member } = sessionFromBody(state, body);
    return {
      email_address: member.email_address,
      discovered_organizations: discoverOrganizations(state, member.email_address, session.factors, { includeEligible: false, emailVerified: true }),
      organization_id_hint: null,
    };
  });

  router.add('POST', '/v1/b2b/discovery/intermediate_sessions/exchange', ({ state, body }) => {
    const ist = requireIst(state, reqString(body, 'intermediate_session_token'));
    const org = requireOrganization(state, reqString(body, 'organization_id'));
    const factor = lastPrimary(ist.factors);
    if (!factor) throw badRequest('action_available_only_once_primary_authentication_is_met', 'The intermediate session holds no primary factor.');
    let member = findMemberByEmail(state, org.organization_id, ist.email_address);
    if (!member) {
      // JIT provisioning by email domain needs a verified email (reference 5.11).
      if (!ist.email_verified || !jitEligible(org, ist.email_address)) {
        throw forbidden('email_jit_provisioning_not_allowed', 'This organization does not allow joining with this email address.');
      }
      member = createMemberRecord(state, org, { email_address: ist.email_address, status: 'active', email_address_verified: true });
    }
    if (ist.member_id !== undefined && ist.member_id !== member.member_id) {
      throw badRequest('invalid_intermediate_session_token_for_organization', 'The intermediate session belongs to another member.');
    }
    return completePrimary(state, { org, member, factor, method: methodOf(factor), emailVerified: ist.email_verified, body: viaIst(body, ist) });
  });

  router.add('POST', '/v1/b2b/discovery/organizations/create', ({ state, body }) => {
    const ist = requireIst(state, reqString(body, 'intermediate_session_token'));
    const factor = lastPrimary(ist.factors);
    if (!factor) throw badRequest('action_available_only_once_primary_authentication_is_met', 'The intermediate session holds no primary factor.');
    if (!ist.email_verified) throw badRequest('email_not_verified', 'Creating an organization needs a verified email address.');
    const { intermediate_session_token: _ist, session_duration_minutes: _d, session_custom_claims: _c, telemetry_id: _t, ...settings } = body;
    const org = createOrganization(state, { ...settings, organization_name: optNonEmpty(body, 'organization_name') ?? nameFromEmail(ist.email_address) });
    const member = createMemberRecord(state, org, { email_address: ist.email_address, status: 'active', email_address_verified: true, roles: ['stytch_admin'] });
    ist.organization_id = undefined;
    ist.member_id = undefined;
    return completePrimary(state, { org, member, factor, method: methodOf(factor), emailVerified: true, body: viaIst(body, ist), autoSendSms: false });
  });

  router.add('POST', '/v1/b2b/sessions/exchange', ({ state, body }) => {
    const target = requireOrganization(state, reqString(body, 'organization_id'));
    const { session, member: source } = sessionFromBody(state, body);
    const member = findMemberByEmail(state, target.organization_id, source.email_address);
    // Exchange never JIT-provisions (reference 2.4): the member must already exist there.
    if (!member) throw memberNotFound();
    // Email-verifying factors carry over to the other organization; SSO, MFA and
    // non-verifying factors belong to the organization they were proven in.
    const carried = session.factors.filter((f) => f.type === 'magic_link' || f.type === 'email_otp' || (f.type === 'oauth' && /google|microsoft/.test(f.delivery_method)));
    const ist = createIst(state, { email_address: member.email_address, email_verified: true, organization_id: target.organization_id, member_id: member.member_id, factors: carried });
    const factor = lastPrimary(carried);
    if (!factor) {
      return pendingLoginResponse(state, target, member, ist, { primary_required: { allowed_auth_methods: [...target.allowed_auth_methods] } });
    }
    return completePrimary(state, { org: target, member, factor, method: methodOf(factor), emailVerified: true, body: viaIst(body, ist) });
  });
}

