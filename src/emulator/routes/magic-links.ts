/** `/v1/b2b/magic_links/*` (reference 5.3). */
import { discoverOrganizations } from '../discovery.js';
import { buildFactor } from '../factors.js';
import { badRequest, forbidden, memberNotFound, unauthorized } from '../http-errors.js';
import { createIst } from '../ist.js';
import { INVITE_DEFAULT_MINUTES, MAGIC_LINK_DEFAULT_MINUTES, issueMagicLink, redeemMagicLink } from '../links.js';
import { createMemberRecord, emailInUse, findMemberByEmail } from '../members.js';
import { requireMemberPermission } from '../member-auth.js';
import { completePrimary } from '../mfa.js';
import { requireOrganization } from '../organizations.js';
import type { Router } from '../router.js';
import { SANDBOX_EMAIL, SANDBOX_MAGIC_LINK_NOT_FOUND, SANDBOX_MAGIC_LINK_OK, SANDBOX_MAGIC_LINK_USED, SANDBOX_ORGANIZATION_ID, ensureSandbox } from '../sandbox.js';
import type { EmulatorState, MemberRecord } from '../state.js';
import { checkSendRedirectUrl } from '../sso-redirects.js';
import { optInt, optNonEmpty, optObject, optStringArray, reqEmail, reqString } from '../validate.js';
import { memberForLoginOrSignup, memberOrgResponse } from './common.js';
import { notFound } from '../http-errors.js';
import { newId } from '../ids.js';

/** Completes an email update (reference 5.14): the new address becomes primary, the old one retired. */
export function applyEmailUpdate(state: EmulatorState, member: MemberRecord, newEmail: string): void {
  if (emailInUse(state, member.organization_id, newEmail, member.member_id)) {
    throw badRequest('duplicate_member_email', 'The new email address is already used in this organization.');
  }
  member.retired_email_addresses.push({ email_id: member.email_id, email_address: member.email_address });
  member.email_address = newEmail;
  member.password = undefined;
  member.password_reset_required = false;
  member.email_id = newId('email');
  member.email_address_verified = true;
  member.updated_at = state.now();
}

export function magicLinkRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/magic_links/email/login_or_signup', ({ state, body }) => {
    const orgId = reqString(body, 'organization_id');
    const email = reqEmail(body);
    const loginMinutes = optInt(body, 'login_expiration_minutes', 5, 10_080) ?? MAGIC_LINK_DEFAULT_MINUTES;
    const signupMinutes = optInt(body, 'signup_expiration_minutes', 5, 10_080) ?? MAGIC_LINK_DEFAULT_MINUTES;
    const challenge = optNonEmpty(body, 'pkce_code_challenge');
    const loginUrl = checkSendRedirectUrl(state, optNonEmpty(body, 'login_redirect_url'), state.settings.redirectUrls.login, 'login_redirect_url');
    const signupUrl = checkSendRedirectUrl(state, optNonEmpty(body, 'signup_redirect_url'), state.settings.redirectUrls.signup, 'signup_redirect_url');
    if (email === SANDBOX_EMAIL && orgId === SANDBOX_ORGANIZATION_ID) {
      const { org, member } = ensureSandbox(state);
      return { ...memberOrgResponse(state, member, org), member_created: false };
    }
    const org = requireOrganization(state, orgId);
    const { member, created } = memberForLoginOrSignup(state, org, email);
    // Active members get a login link; new, pending and invited members a signup link.
    const login = member.status === 'active';
    issueMagicLink(state, {
      kind: login ? 'login_magic_link' : 'signup_magic_link',
      email_address: email,
      organization_id: org.organization_id,
      member_id: member.member_id,
      expiresInMinutes: login ? loginMinutes : signupMinutes,
      redirectUrl: login ? loginUrl : signupUrl,
      ...(challenge ? { pkce_code_challenge: challenge } : {}),
    });
    return { ...memberOrgResponse(state, member, org), member_created: created };
  });

  router.add('POST', '/v1/b2b/magic_links/email/invite', ({ state, body, headers }) => {
    const orgId = reqString(body, 'organization_id');
    const email = reqEmail(body);
    const minutes = optInt(body, 'invite_expiration_minutes', 5, 10_080) ?? INVITE_DEFAULT_MINUTES;
    const name = optNonEmpty(body, 'name');
    const roles = optStringArray(body, 'roles');
    const trusted = optObject(body, 'trusted_metadata');
    const untrusted = optObject(body, 'untrusted_metadata');
    const redirect = checkSendRedirectUrl(state, optNonEmpty(body, 'invite_redirect_url'), state.settings.redirectUrls.invite, 'invite_redirect_url');
    // Recorded for the outbox only: whether Stytch checks that it names a member of the
    // organization is not documented (reference A5), so the emulator accepts any id.
    const invitedBy = optNonEmpty(body, 'invited_by_member_id');
    if (email === SANDBOX_EMAIL && orgId === SANDBOX_ORGANIZATION_ID) {
      const { org, member } = ensureSandbox(state);
      return memberOrgResponse(state, member, org);
    }
    const org = requireOrganization(state, orgId);
    requireMemberPermission(state, headers, org, 'stytch.member', 'create');
    // `email_invites` gates invites (reference A5.2). NOT_ALLOWED has no documented error name
    // (`email_invites_not_allowed` is the emulator's); RESTRICTED outside the allowed domains is
    // android-enum's `invalid_email_for_invites`. Both 403, like the JIT refusals [INF].
    const domain = email.split('@')[1] ?? '';
    if (org.email_invites === 'NOT_ALLOWED') throw forbidden('email_invites_not_allowed', 'This organization does not accept email invites.');
    if (org.email_invites === 'RESTRICTED' && !org.email_allowed_domains.includes(domain)) {
      throw forbidden('invalid_email_for_invites', 'This organization only accepts invites for its allowed email domains.');
    }
    let member = findMemberByEmail(state, org.organization_id, email);
    // Inviting an active member is an error (A5.2, name not documented: the emulator's own).
    if (member?.status === 'active') throw badRequest('member_already_active', 'This member is already active; invites are for new or pending members.');
    if (!member) {
      member = createMemberRecord(state, org, {
        email_address: email, status: 'invited',
        ...(name ? { name } : {}), ...(roles ? { roles } : {}), ...(trusted ? { trusted_metadata: trusted } : {}), ...(untrusted ? { untrusted_metadata: untrusted } : {}),
      });
    } else {
      member.status = 'invited';
      if (name) member.name = name;
      if (roles) member.direct_roles = [...new Set(roles)];
      member.updated_at = state.now();
    }
    issueMagicLink(state, {
      kind: 'invite_magic_link', email_address: email, organization_id: org.organization_id, member_id: member.member_id, expiresInMinutes: minutes, redirectUrl: redirect,
      ...(invitedBy ? { invited_by_member_id: invitedBy } : {}),
    });
    return memberOrgResponse(state, member, org);
  });

  router.add('POST', '/v1/b2b/magic_links/email/discovery/send', ({ state, body }) => {
    const email = reqEmail(body);
    const minutes = optInt(body, 'discovery_expiration_minutes', 5, 10_080) ?? MAGIC_LINK_DEFAULT_MINUTES;
    const challenge = optNonEmpty(body, 'pkce_code_challenge');
    const redirect = checkSendRedirectUrl(state, optNonEmpty(body, 'discovery_redirect_url'), state.settings.redirectUrls.discovery, 'discovery_redirect_url');
    if (email === SANDBOX_EMAIL) return {};
    issueMagicLink(state, { kind: 'discovery_magic_link', email_address: email, expiresInMinutes: minutes, redirectUrl: redirect, ...(challenge ? { pkce_code_challenge: challenge } : {}) });
    return {};
  });

  router.add('POST', '/v1/b2b/magic_links/authenticate', ({ state, body }) => {
    const token = reqString(body, 'magic_links_token');
    const verifier = optNonEmpty(body, 'pkce_code_verifier');
    if (token === SANDBOX_MAGIC_LINK_USED) throw unauthorized('unable_to_auth_magic_link', 'The magic link has already been used or has expired.');
    if (token === SANDBOX_MAGIC_LINK_NOT_FOUND) throw notFound('magic_link_not_found', 'The magic link could not be found.');
    let member: MemberRecord | undefined;
    if (token === SANDBOX_MAGIC_LINK_OK) {
      member = ensureSandbox(state).member;
    } else {
      const link = redeemMagicLink(state, token, false, verifier);
      member = link.member_id ? state.members.get(link.member_id) : undefined;
      if (!member || member.status === 'deleted') throw memberNotFound();
      if (link.kind === 'email_update_magic_link' && link.new_email_address) applyEmailUpdate(state, member, link.new_email_address);
    }
    const org = requireOrganization(state, member.organization_id);
    const factor = buildFactor(state, 'magic_link', member);
    const result = completePrimary(state, { org, member, factor, method: 'magic_link', emailVerified: true, body });
    return { ...result, method_id: member.email_id, reset_sessions: false };
  });

  router.add('POST', '/v1/b2b/magic_links/discovery/authenticate', ({ state, body }) => {
    const token = reqString(body, 'discovery_magic_links_token');
    const verifier = optNonEmpty(body, 'pkce_code_verifier');
    const link = redeemMagicLink(state, token, true, verifier);
    const factor = buildFactor(state, 'magic_link', { email_address: link.email_address });
    const ist = createIst(state, { email_address: link.email_address, email_verified: true, factors: [factor] });
    return {
      intermediate_session_token: ist.token,
      email_address: link.email_address,
      discovered_organizations: discoverOrganizations(state, link.email_address, ist.factors, { includeEligible: true, emailVerified: true }),
    };
  });
}
