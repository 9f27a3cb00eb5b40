/** `/v1/b2b/organizations/{organization_id}/members*` (reference 6.2, 5.14). */
import type { Organization } from '../../client/types.js';
import { badRequest, memberNotFound, notFound } from '../http-errors.js';
import { newId } from '../ids.js';
import { issueEmailOtp, issueMagicLink } from '../links.js';
import { requireMemberPermission } from '../member-auth.js';
import { createMemberRecord, emailInUse, findMember, findMemberByEmail, memberView, requireMember } from '../members.js';
import { findOrganization, requireOrganization } from '../organizations.js';
import type { RouteRequest, Router } from '../router.js';
import { revokeMemberSessions } from '../sessions.js';
import type { EmulatorState, MemberRecord } from '../state.js';
import {
  optBool, optEnum, optNonEmpty, optObject, optPhone, optString, optStringArray, reqEmail,
} from '../validate.js';
import { memberOrgResponse } from './common.js';
import { paginate, search, values } from './organizations.js';

const EMAIL_UPDATE_MINUTES = 5;

function phoneTaken(state: EmulatorState, member: MemberRecord, phone: string): boolean {
  return [...state.members.values()].some((m) => m.organization_id === member.organization_id && m.member_id !== member.member_id && m.status !== 'deleted' && m.mfa_phone_number === phone);
}

function setPhone(state: EmulatorState, member: MemberRecord, phone: string): void {
  if (phoneTaken(state, member, phone)) throw badRequest('duplicate_member_phone_number', 'Another member of this organization uses this phone number.');
  member.mfa_phone_number = phone;
  member.mfa_phone_number_verified = false;
  member.phone_id = newId('phone-number');
}

/** Whether an address is waiting for verification by another member (pending email update). */
function pendingForOther(state: EmulatorState, member: MemberRecord, email: string): boolean {
  const now = state.now();
  for (const link of state.magicLinks.values()) {
    if (link.new_email_address === email && !link.used && now < link.expires_at && link.member_id !== member.member_id && link.organization_id === member.organization_id) return true;
  }
  for (const otp of state.emailOtps.values()) {
    if (otp.new_email_address === email && otp.used !== true && now < otp.expires_at && otp.member_id !== member.member_id && otp.organization_id === member.organization_id) return true;
  }
  return false;
}

/**
 * The organization and member the path names, once the caller may perform `action` on that
 * member (a member may perform it on themselves as the same self-action).
 */
function memberActedOn(state: EmulatorState, params: RouteRequest['params'], headers: RouteRequest['headers'], action: string): { org: Organization; member: MemberRecord } {
  const org = requireOrganization(state, params.organization_id ?? '');
  const member = requireMember(state, org.organization_id, params.member_id ?? '');
  requireMemberPermission(state, headers, org, 'stytch.member', action, { memberId: member.member_id, selfAction: action });
  return { org, member };
}

export function memberRoutes(router: Router): void {
  router.add('POST', '/v1/b2b/organizations/:organization_id/members', ({ state, params, body, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    requireMemberPermission(state, headers, org, 'stytch.member', 'create');
    const email = reqEmail(body);
    const pending = optBool(body, 'create_member_as_pending') ?? false;
    const name = optString(body, 'name');
    const phone = optPhone(body, 'mfa_phone_number');
    const roles = optStringArray(body, 'roles');
    const trusted = optObject(body, 'trusted_metadata');
    const untrusted = optObject(body, 'untrusted_metadata');
    const externalId = optNonEmpty(body, 'external_id');
    const mfaEnrolled = optBool(body, 'mfa_enrolled');
    const breakglass = optBool(body, 'is_breakglass');
    const member = createMemberRecord(state, org, {
      email_address: email,
      status: pending ? 'pending' : 'active',
      ...(name !== undefined ? { name } : {}),
      ...(phone ? { mfa_phone_number: phone, mfa_phone_number_verified: false } : {}),
      ...(roles ? { roles } : {}),
      ...(trusted ? { trusted_metadata: trusted } : {}),
      ...(untrusted ? { untrusted_metadata: untrusted } : {}),
      ...(externalId ? { external_id: externalId } : {}),
      ...(mfaEnrolled !== undefined ? { mfa_enrolled: mfaEnrolled } : {}),
      ...(breakglass !== undefined ? { is_breakglass: breakglass } : {}),
    });
    return memberOrgResponse(state, member, org);
  });

  router.add('GET', '/v1/b2b/organizations/:organization_id/member', ({ state, params, query }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const memberId = query.get('member_id');
    const email = query.get('email_address');
    if (!memberId && !email) throw badRequest('invalid_member_get_fields', 'Pass member_id or email_address.');
    const member = memberId ? findMember(state, org.organization_id, memberId) : findMemberByEmail(state, org.organization_id, email ?? '');
    if (!member) throw memberNotFound();
    return memberOrgResponse(state, member, org);
  });

  router.add('GET', '/v1/b2b/organizations/members/dangerously_get/:member_id', ({ state, params, query }) => {
    const member = state.members.get(params.member_id ?? '');
    if (!member || (member.status === 'deleted' && query.get('include_deleted') !== 'true')) throw memberNotFound();
    return memberOrgResponse(state, member, requireOrganization(state, member.organization_id));
  });

  router.add('PUT', '/v1/b2b/organizations/:organization_id/members/:member_id', ({ state, params, body, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = requireMember(state, org.organization_id, params.member_id ?? '');
    const perm = (action: string, self?: string): void =>
      requireMemberPermission(state, headers, org, 'stytch.member', action, { memberId: member.member_id, ...(self ? { selfAction: self } : {}) });
    const name = optString(body, 'name');
    const trusted = optObject(body, 'trusted_metadata');
    const untrusted = optObject(body, 'untrusted_metadata');
    const breakglass = optBool(body, 'is_breakglass');
    const phone = optPhone(body, 'mfa_phone_number');
    const mfaEnrolled = optBool(body, 'mfa_enrolled');
    const roles = optStringArray(body, 'roles');
    const defaultMfa = optEnum(body, 'default_mfa_method', ['sms_otp', 'totp'] as const);
    const email = body.email_address === undefined || body.email_address === null ? undefined : reqEmail(body);
    const externalId = optString(body, 'external_id');
    if (name !== undefined) perm('update.info.name', 'update.info.name');
    if (untrusted !== undefined) perm('update.info.untrusted-metadata', 'update.info.untrusted-metadata');
    if (phone !== undefined) perm('update.info.mfa-phone', 'update.info.mfa-phone');
    if (mfaEnrolled !== undefined) perm('update.settings.mfa-enrolled', 'update.settings.mfa-enrolled');
    if (defaultMfa !== undefined) perm('update.settings.default-mfa-method', 'update.settings.default-mfa-method');
    if (breakglass !== undefined) perm('update.settings.is-breakglass');
    if (roles !== undefined) perm('update.settings.roles');
    if (email !== undefined && email !== member.email_address && emailInUse(state, org.organization_id, email, member.member_id)) {
      throw badRequest('duplicate_member_email', 'The email address is already used in this organization.');
    }
    if (externalId && [...state.members.values()].some((m) => m.organization_id === org.organization_id && m.member_id !== member.member_id && m.external_id === externalId)) {
      throw badRequest('duplicate_member_external_id', 'Another member of this organization uses this external id.');
    }
    if (phone !== undefined && phone !== member.mfa_phone_number) setPhone(state, member, phone);
    if (name !== undefined) member.name = name;
    if (trusted !== undefined) member.trusted_metadata = structuredClone(trusted);
    if (untrusted !== undefined) member.untrusted_metadata = structuredClone(untrusted);
    if (breakglass !== undefined) member.is_breakglass = breakglass;
    if (mfaEnrolled !== undefined) member.mfa_enrolled = mfaEnrolled;
    if (roles !== undefined) member.direct_roles = [...new Set(roles)];
    if (defaultMfa !== undefined) member.default_mfa_method = defaultMfa;
    if (externalId !== undefined) member.external_id = externalId === '' ? undefined : externalId;
    if (email !== undefined && email !== member.email_address) {
      member.retired_email_addresses.push({ email_id: member.email_id, email_address: member.email_address });
      member.email_address = email;
      // Changing the email clears any password (reference A11.3): it was tied to the old address.
      member.password = undefined;
      member.password_reset_required = false;
      member.email_id = newId('email');
      member.email_address_verified = false;
    }
    member.updated_at = state.now();
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/:member_id', ({ state, params, headers }) => {
    const { member } = memberActedOn(state, params, headers, 'delete');
    member.status = 'deleted';
    member.updated_at = state.now();
    revokeMemberSessions(state, member.member_id);
    return { member_id: member.member_id };
  });

  router.add('PUT', '/v1/b2b/organizations/:organization_id/members/:member_id/reactivate', ({ state, params, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = requireMember(state, org.organization_id, params.member_id ?? '', true);
    requireMemberPermission(state, headers, org, 'stytch.member', 'create');
    if (member.status === 'deleted') {
      if (findMemberByEmail(state, org.organization_id, member.email_address)) throw badRequest('duplicate_member_email', 'Another member now uses this email address.');
      member.status = 'active';
      member.updated_at = state.now();
    }
    return memberOrgResponse(state, member, org);
  });

  router.add('POST', '/v1/b2b/organizations/members/search', ({ state, body, headers }) => {
    const orgIds = optStringArray(body, 'organization_ids');
    if (!orgIds || orgIds.length === 0) throw badRequest('invalid_argument', "The field 'organization_ids' is required.", { field: 'organization_ids' });
    const orgs = orgIds.map((id) => requireOrganization(state, id));
    for (const org of orgs) requireMemberPermission(state, headers, org, 'stytch.member', 'search');
    const ids = new Set(orgs.map((o) => o.organization_id));
    const candidates = [...state.members.values()].filter((m) => ids.has(m.organization_id));
    const found = search(candidates, body, (m, operand) => {
      const wanted = values(operand);
      switch (operand.filter_name) {
        case 'member_ids': return wanted.includes(m.member_id.toLowerCase());
        case 'member_emails': return wanted.includes(m.email_address);
        case 'member_email_fuzzy': return wanted.some((w) => m.email_address.includes(w));
        case 'member_is_breakglass': return String(m.is_breakglass) === wanted[0];
        case 'statuses': return wanted.includes(m.status);
        case 'member_phone_numbers': return wanted.includes(m.mfa_phone_number);
        case 'member_phone_number_fuzzy': return wanted.some((w) => m.mfa_phone_number.includes(w));
        case 'member_roles': return m.direct_roles.some((r) => wanted.includes(r.toLowerCase()));
        default: throw badRequest('invalid_search_filter', `Unknown filter '${operand.filter_name}'.`, { field: 'query' });
      }
    }).filter((m) => m.status !== 'deleted' || JSON.stringify(body.query ?? '').includes('statuses'));
    const { page, results_metadata } = paginate(found, body);
    const organizations: Record<string, unknown> = {};
    for (const m of page) organizations[m.organization_id] ??= structuredClone(findOrganization(state, m.organization_id));
    return { members: page.map((m) => memberView(state, m)), results_metadata, organizations };
  });

  router.add('POST', '/v1/b2b/organizations/:organization_id/members/:member_id/start_email_update', ({ state, params, body, headers }) => {
    const { org, member } = memberActedOn(state, params, headers, 'update.info.email');
    const email = reqEmail(body);
    const delivery = optEnum(body, 'delivery_method', ['EMAIL_MAGIC_LINK', 'EMAIL_OTP'] as const) ?? 'EMAIL_MAGIC_LINK';
    const redirect = optNonEmpty(body, 'login_redirect_url') ?? state.settings.redirectUrls.login;
    if (member.status !== 'active' || !member.email_address_verified) {
      throw badRequest('member_email_not_verified', 'Only active members with a verified email address can change it.');
    }
    if (email === member.email_address || emailInUse(state, org.organization_id, email) || member.retired_email_addresses.some((r) => r.email_address === email)) {
      throw badRequest('duplicate_member_email', 'The new email address is already used in this organization.');
    }
    if (pendingForOther(state, member, email)) throw badRequest('duplicate_member_email', 'The new email address is awaiting verification by another member.');
    if (delivery === 'EMAIL_OTP') {
      issueEmailOtp(state, { kind: 'email_otp', email_address: member.email_address, organization_id: org.organization_id, member_id: member.member_id, new_email_address: email, expiresInMinutes: EMAIL_UPDATE_MINUTES });
    } else {
      issueMagicLink(state, { kind: 'email_update_magic_link', email_address: member.email_address, new_email_address: email, organization_id: org.organization_id, member_id: member.member_id, expiresInMinutes: EMAIL_UPDATE_MINUTES, redirectUrl: redirect });
    }
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/mfa_phone_numbers/:member_id', ({ state, params, headers }) => {
    const { org, member } = memberActedOn(state, params, headers, 'update.info.delete.mfa-phone');
    member.mfa_phone_number = '';
    member.mfa_phone_number_verified = false;
    member.phone_id = '';
    state.smsOtps.delete(member.member_id);
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/:member_id/totp', ({ state, params, headers }) => {
    const { org, member } = memberActedOn(state, params, headers, 'update.info.delete.mfa-totp');
    if (!member.totp) throw notFound('totp_not_found', 'The member has no TOTP registration.');
    member.totp = undefined;
    return memberOrgResponse(state, member, org);
  });

  router.add('DELETE', '/v1/b2b/organizations/:organization_id/members/passwords/:member_password_id', ({ state, params, headers }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = [...state.members.values()].find((m) => m.organization_id === org.organization_id && m.password?.id === params.member_password_id);
    if (!member) throw notFound('password_not_found', 'No such password.');
    requireMemberPermission(state, headers, org, 'stytch.member', 'update.info.delete.password', { memberId: member.member_id, selfAction: 'update.info.delete.password' });
    member.password = undefined;
    return memberOrgResponse(state, member, org);
  });

  router.add('POST', '/v1/b2b/organizations/:organization_id/members/:member_id/unlink_retired_email', ({ state, params, body }) => {
    const org = requireOrganization(state, params.organization_id ?? '');
    const member = requireMember(state, org.organization_id, params.member_id ?? '');
    const emailId = optNonEmpty(body, 'email_id');
    const email = optNonEmpty(body, 'email_address')?.toLowerCase();
    const before = member.retired_email_addresses.length;
    member.retired_email_addresses = member.retired_email_addresses.filter((r) => r.email_id !== emailId && r.email_address !== email);
    if (member.retired_email_addresses.length === before) throw notFound('email_not_found', 'No such retired email address.');
    return memberOrgResponse(state, member, org);
  });
}

